// A table of response framing cases in the spirit of llhttp's test/response/*.md (our own
// fixtures), each fed whole, split at every byte, and split at random points.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import { ResponseParser } from '../../../src/http/response.js';

interface Expect {
  status?: number;
  body?: string;
  trailers?: Record<string, string>;
  leftover?: string;
  /** the message ends only at connection close */
  close?: boolean;
  error?: RegExp;
  method?: string;
}

const H = 'HTTP/1.1 200 OK\r\n';
const CHUNKED = `${H}Transfer-Encoding: chunked\r\n\r\n`;

export const framingCases: Array<[string, string, Expect]> = [
  ['content-length', `${H}Content-Length: 5\r\n\r\nhello`, { status: 200, body: 'hello' }],
  ['content-length zero', `${H}Content-Length: 0\r\n\r\n`, { body: '' }],
  ['content-length with leading zeros', `${H}Content-Length: 005\r\n\r\nhello`, { body: 'hello' }],
  ['duplicate equal content-length', `${H}Content-Length: 2\r\nContent-Length: 2\r\n\r\nok`, { body: 'ok' }],
  ['content-length list of equal values', `${H}Content-Length: 2, 2\r\n\r\nok`, { body: 'ok' }],
  ['conflicting content-length', `${H}Content-Length: 2\r\nContent-Length: 3\r\n\r\nok`, { error: /Content-Length/ }],
  ['overflowing content-length', `${H}Content-Length: 99999999999999999999\r\n\r\n`, { error: /Content-Length/ }],
  ['negative content-length', `${H}Content-Length: -5\r\n\r\n`, { error: /Content-Length/ }],
  ['content-length with junk', `${H}Content-Length: 5x\r\n\r\nhello`, { error: /Content-Length/ }],
  [
    'content-length and transfer-encoding',
    `${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    { error: /both/ },
  ],
  ['chunked', `${CHUNKED}5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n`, { body: 'hello world', trailers: {} }],
  ['chunked uppercase hex and leading zeros', `${CHUNKED}00A\r\n0123456789\r\n0\r\n\r\n`, { body: '0123456789' }],
  ['chunk extension, token', `${CHUNKED}5;a=b\r\nhello\r\n0\r\n\r\n`, { body: 'hello' }],
  ['chunk extensions, several, no value', `${CHUNKED}5;a;b=c ; d = e\r\nhello\r\n0;last\r\n\r\n`, { body: 'hello' }],
  [
    'chunk extension, quoted with escapes and semicolons',
    `${CHUNKED}5;q="a;b \\" c"\r\nhello\r\n0\r\n\r\n`,
    { body: 'hello' },
  ],
  ['chunk extension, unterminated quote', `${CHUNKED}5;q="abc\r\nhello\r\n0\r\n\r\n`, { error: /extension/ }],
  ['chunk extension, bad name', `${CHUNKED}5;=x\r\nhello\r\n0\r\n\r\n`, { error: /extension/ }],
  ['chunk size not hex', `${CHUNKED}xyz\r\nhello\r\n0\r\n\r\n`, { error: /chunk size/ }],
  ['chunk size empty', `${CHUNKED}\r\nhello\r\n0\r\n\r\n`, { error: /chunk size/ }],
  ['chunk size overflow', `${CHUNKED}ffffffffffffffffff\r\n`, { error: /chunk size/ }],
  [
    'chunk data longer than declared',
    `${CHUNKED}2\r\nabc\r\n0\r\n\r\n`,
    { error: /longer than its declared size|chunk terminator/ },
  ],
  ['chunk data followed by junk', `${CHUNKED}2\r\nabXY\r\n0\r\n\r\n`, { error: /chunk/ }],
  [
    'trailers',
    `${CHUNKED}2\r\nok\r\n0\r\nX-A: 1\r\nX-B: two words\r\n\r\n`,
    { body: 'ok', trailers: { 'x-a': '1', 'x-b': 'two words' } },
  ],
  ['malformed trailer', `${CHUNKED}2\r\nok\r\n0\r\nnot a trailer\r\n\r\n`, { error: /header/ }],
  ['chunked, LF-only lines', `HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nok\r\n0\n\n`, { body: 'ok' }],
  ['chunk data followed by LF alone', `${CHUNKED}2\nok\n0\r\n\r\n`, { error: /not followed by CRLF/ }],
  ['chunk data ending in CR, then LF alone', `${CHUNKED}3\r\nok\r\n0\r\n\r\n`, { error: /not followed by CRLF/ }],
  ['chunk size with whitespace and no extension', `${CHUNKED}2 \r\nok\r\n0\r\n\r\n`, { error: /chunk size/ }],
  ['chunk size with whitespace before an extension (BWS)', `${CHUNKED}2 ;a=b\r\nok\r\n0\r\n\r\n`, { body: 'ok' }],
  ['a form feed around a header value', `${H}X:\fv\r\nContent-Length: 0\r\n\r\n`, { error: /control character/ }],
  [
    'a transfer coding we do not implement, after chunked',
    `${H}Transfer-Encoding: chunked, gzip\r\n\r\nraw bytes`,
    { error: /unsupported transfer coding "gzip"/ },
  ],
  [
    'a transfer coding we do not implement, alone',
    `${H}Transfer-Encoding: compress\r\n\r\nraw bytes`,
    { error: /unsupported transfer coding "compress"/ },
  ],
  [
    'an unknown transfer coding',
    `${H}Transfer-Encoding: x-custom, chunked\r\n\r\n0\r\n\r\n`,
    { error: /unsupported transfer coding "x-custom"/ },
  ],
  ['chunked applied twice', `${H}Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n`, { error: /more than once/ }],
  [
    'transfer-encoding in two fields',
    `${H}Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n`,
    { error: /unsupported transfer coding "gzip"/ },
  ],
  ['close-delimited', `${H}Content-Type: text/plain\r\n\r\nuntil close`, { body: 'until close', close: true }],
  ['close-delimited, empty', `${H}\r\n`, { body: '', close: true }],
  ['HTTP/1.0 close-delimited', `HTTP/1.0 200 OK\r\n\r\nold`, { body: 'old', close: true }],
  ['100 continue first', `HTTP/1.1 100 Continue\r\n\r\n${H}Content-Length: 2\r\n\r\nok`, { status: 200, body: 'ok' }],
  [
    'several 1xx first',
    `HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n${H}Content-Length: 0\r\n\r\n`,
    { status: 200 },
  ],
  [
    '204 with a body: not part of the message',
    `HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\nabc`,
    { status: 204, body: '', leftover: 'abc' },
  ],
  [
    '304 with a body: not part of the message',
    `HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc`,
    { status: 304, body: '', leftover: '3\r\nabc' },
  ],
  ['HEAD response', `${H}Content-Length: 100\r\n\r\n`, { body: '', method: 'HEAD' }],
  ['obs-fold is unfolded', `${H}X-Folded: a\r\n \tb\r\n\tc\r\nContent-Length: 0\r\n\r\n`, { status: 200 }],
  ['obs-fold as the first line', `${H} X-Folded: a\r\nContent-Length: 0\r\n\r\n`, { error: /whitespace/ }],
  ['bare CR in a header', `${H}X: a\rb\r\nContent-Length: 0\r\n\r\n`, { error: /bare CR/ }],
  ['bare CR in the status line', `HTTP/1.1 200 O\rK\r\nContent-Length: 0\r\n\r\n`, { error: /bare CR/ }],
  ['LF-only line endings', `HTTP/1.1 200 OK\nContent-Length: 2\n\nok`, { body: 'ok' }],
  ['space before the colon', `${H}Content-Length : 2\r\n\r\nok`, { error: /header name/ }],
  ['header without a colon', `${H}Nonsense\r\n\r\n`, { error: /header line/ }],
  ['empty header value', `${H}X-Empty:\r\nContent-Length: 0\r\n\r\n`, { status: 200 }],
  ['NUL in a header value', `${H}X: a\0b\r\nContent-Length: 0\r\n\r\n`, { error: /control character in header X/ }],
  [
    'another control character in a header value',
    `${H}X: a\x13b\r\nContent-Length: 0\r\n\r\n`,
    { error: /control character in header X/ },
  ],
  ['HTAB inside a header value', `${H}X: a\tb\r\nContent-Length: 0\r\n\r\n`, { body: '' }],
  ['status line without a reason', `HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n`, { status: 404 }],
  [
    'status line with a long reason',
    `HTTP/1.1 500 Internal Server Error, really\r\nContent-Length: 0\r\n\r\n`,
    { status: 500 },
  ],
  ['unknown HTTP version', `HTTP/2.0 200 OK\r\n\r\n`, { error: /status line/ }],
  ['four-digit status', `HTTP/1.1 2000 OK\r\n\r\n`, { error: /status line/ }],
  ['not HTTP at all', `SSH-2.0-OpenSSH\r\n\r\n`, { error: /status line/ }],
  ['protocol switch', `HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n`, { error: /101/ }],
  [
    'a response after the response',
    `${H}Content-Length: 2\r\n\r\nok${H}Content-Length: 0\r\n\r\n`,
    { body: 'ok', leftover: `${H}Content-Length: 0\r\n\r\n` },
  ],
  [
    'truncated content-length body',
    `${H}Content-Length: 10\r\n\r\nshort`,
    { error: /5 bytes of the declared Content-Length missing/, close: true },
  ],
  ['truncated chunked body', `${CHUNKED}5\r\nhel`, { error: /inside a chunked body/, close: true }],
  ['truncated head', `${H}Content-Le`, { error: /inside the response head/, close: true }],
  ['nothing at all', ``, { error: /before a response arrived/, close: true }],
];

interface Outcome {
  status: number | undefined;
  body: string;
  trailers: Record<string, string> | undefined;
  leftover: string;
  error: unknown;
}

function feed(text: string, cuts: number[], exp: Expect): Outcome {
  const bytes = Buffer.from(text, 'latin1');
  const out: Outcome = { status: undefined, body: '', trailers: undefined, leftover: '', error: undefined };
  const body: Buffer[] = [];
  const parser = new ResponseParser({
    onHead: (h) => (out.status = h.statusCode),
    onBody: (b) => body.push(Buffer.from(b)),
    onEnd: (t) => (out.trailers = t),
  });
  parser.expect(exp.method ?? 'GET');
  try {
    let at = 0;
    for (const cut of [...cuts, bytes.length]) {
      const chunk = bytes.subarray(at, cut);
      at = cut;
      const used = parser.execute(chunk);
      if (used < chunk.length) out.leftover += chunk.subarray(used).toString('latin1');
    }
    if (exp.close) parser.connectionClosed();
  } catch (error) {
    out.error = error;
  }
  out.body = Buffer.concat(body).toString('latin1');
  return out;
}

function check(name: string, outcome: Outcome, exp: Expect): void {
  if (exp.error) {
    expect(outcome.error, name).toBeInstanceOf(ProtocolError);
    expect((outcome.error as Error).message, name).toMatch(exp.error);
    return;
  }
  expect(outcome.error, name).toBeUndefined();
  if (exp.status !== undefined) expect(outcome.status, name).toBe(exp.status);
  if (exp.body !== undefined) expect(outcome.body, name).toBe(exp.body);
  if (exp.trailers !== undefined) expect(outcome.trailers, name).toEqual(exp.trailers);
  expect(outcome.trailers, `${name}: message complete`).toBeDefined();
  expect(outcome.leftover, name).toBe(exp.leftover ?? '');
}

describe('response framing table', () => {
  it.each(framingCases)('%s: whole and split at every byte', (name, text, exp) => {
    check(`${name} (whole)`, feed(text, [], exp), exp);
    for (let i = 1; i < text.length; i++) check(`${name} (split at ${i})`, feed(text, [i], exp), exp);
  });

  it.each(framingCases)('%s: split at random points', (name, text, exp) => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, text.length - 1) }), { maxLength: 8 }),
        (cuts) => {
          check(
            name,
            feed(
              text,
              cuts.filter((c) => c < text.length).sort((a, b) => a - b),
              exp,
            ),
            exp,
          );
        },
      ),
      { numRuns: 50 },
    );
  });
});
