import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import { ResponseParser, type ResponseHead } from '../../../src/http/response.js';

interface Outcome {
  heads: ResponseHead[];
  body: string;
  trailers: Record<string, string> | undefined;
  leftover: string;
  error: unknown;
}

const enc = new TextEncoder();

/** Feeds `chunks` to a fresh parser, then EOF if `close`; collects what it reports. */
function run(chunks: Uint8Array[], options: { method?: string; close?: boolean } = {}): Outcome {
  const out: Outcome = { heads: [], body: '', trailers: undefined, leftover: '', error: undefined };
  const parts: Uint8Array[] = [];
  const parser = new ResponseParser({
    onHead: (h) => out.heads.push(h),
    onBody: (b) => parts.push(b.slice()),
    onEnd: (t) => (out.trailers = t),
  });
  parser.expect(options.method ?? 'GET');
  try {
    for (const chunk of chunks) {
      const used = parser.execute(chunk);
      if (used < chunk.length) out.leftover += Buffer.from(chunk.subarray(used)).toString('latin1');
    }
    if (options.close) parser.connectionClosed();
  } catch (error) {
    out.error = error;
  }
  out.body = Buffer.concat(parts).toString('latin1');
  return out;
}

/** Every way to cut `text` in two, plus one byte at a time. */
function splits(text: string): Uint8Array[][] {
  const bytes = enc.encode(text);
  const ways: Uint8Array[][] = [[bytes]];
  for (let i = 1; i < bytes.length; i++) ways.push([bytes.subarray(0, i), bytes.subarray(i)]);
  ways.push(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)));
  return ways;
}

function expectSame(text: string, options: { method?: string; close?: boolean } = {}): Outcome {
  const [first, ...rest] = splits(text).map((chunks) => run(chunks, options));
  for (const other of rest) {
    expect(other.heads).toEqual(first!.heads);
    expect(other.body).toBe(first!.body);
    expect(other.trailers).toEqual(first!.trailers);
    expect(other.leftover).toBe(first!.leftover);
    expect(String(other.error)).toBe(String(first!.error));
  }
  return first!;
}

describe('ResponseParser, every split point', () => {
  it('Content-Length body', () => {
    const r = expectSame('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a":"b c"}');
    expect(r.error).toBeUndefined();
    expect(r.heads[0]).toMatchObject({ statusCode: 200, statusMessage: 'OK', httpVersion: '1.1', keepAlive: true });
    expect(r.heads[0]!.headers['content-type']).toBe('application/json');
    expect(r.body).toBe('{"a":"b c"}');
    expect(r.trailers).toEqual({});
  });

  it('chunked body with extensions and trailers', () => {
    const r = expectSame(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
        '5;name=value;q="a \\"quoted\\" ext"\r\nhello\r\n' +
        '1\r\n \r\n' +
        'A\r\n0123456789\r\n' +
        '0\r\nX-Trailer: done\r\nX-Other: 2\r\n\r\n',
    );
    expect(r.error).toBeUndefined();
    expect(r.body).toBe('hello 0123456789');
    expect(r.trailers).toEqual({ 'x-trailer': 'done', 'x-other': '2' });
  }, 30000);

  it('close-delimited body ends at EOF', () => {
    const r = expectSame('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end', { close: true });
    expect(r.error).toBeUndefined();
    expect(r.heads[0]!.keepAlive).toBe(false);
    expect(r.body).toBe('until the end');
  });

  it('204 and 304 have no body; what follows is left over', () => {
    for (const status of ['204 No Content', '304 Not Modified']) {
      const r = expectSame(`HTTP/1.1 ${status}\r\nContent-Length: 5\r\n\r\nhello`);
      expect(r.error).toBeUndefined();
      expect(r.body).toBe('');
      expect(r.trailers).toEqual({});
      expect(r.leftover).toBe('hello');
    }
  });

  it('a HEAD response has no body', () => {
    const r = expectSame('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', { method: 'HEAD' });
    expect(r.error).toBeUndefined();
    expect(r.trailers).toEqual({});
  });

  it('1xx interim responses are skipped', () => {
    const r = expectSame(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
    );
    expect(r.heads.map((h) => h.statusCode)).toEqual([200]);
    expect(r.body).toBe('ok');
  });

  it('Content-Length with Transfer-Encoding is a ProtocolError', () => {
    const r = expectSame(
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    );
    expect(r.error).toBeInstanceOf(ProtocolError);
    expect(r.heads).toEqual([]);
  });

  it('a truncated chunked body is a ProtocolError at close, never a short read', () => {
    const r = expectSame('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n8\r\nabc', {
      close: true,
    });
    expect(r.error).toBeInstanceOf(ProtocolError);
    expect((r.error as Error).message).toMatch(/chunked/);
    expect(r.trailers).toBeUndefined();
  });

  it('a short Content-Length body is a ProtocolError at close', () => {
    const r = expectSame('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', { close: true });
    expect(r.error).toBeInstanceOf(ProtocolError);
    expect((r.error as Error).message).toMatch(/7 bytes/);
  });

  it('a close inside the head is a ProtocolError', () => {
    const r = expectSame('HTTP/1.1 200 OK\r\nContent-Le', { close: true });
    expect(r.error).toBeInstanceOf(ProtocolError);
  });

  it('bytes after a complete response are left over (unsolicited)', () => {
    const r = expectSame('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n');
    expect(r.body).toBe('ok');
    expect(r.leftover).toBe('HTTP/1.1 200 OK\r\n');
  });

  it('LF-only line endings and obs-fold are accepted', () => {
    const r = expectSame('HTTP/1.1 200 OK\nX-Long: a\n  b\nContent-Length: 1\n\nz');
    expect(r.error).toBeUndefined();
    expect(r.heads[0]!.headers['x-long']).toBe('a b');
    expect(r.body).toBe('z');
  });

  it('HTTP/1.0 and Connection: close are not kept alive', () => {
    expect(expectSame('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').heads[0]!.keepAlive).toBe(false);
    expect(expectSame('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').heads[0]!.keepAlive).toBe(
      false,
    );
    expect(
      expectSame('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n').heads[0]!.keepAlive,
    ).toBe(true);
  });

  it('repeated fields are joined; identical repeated Content-Length is accepted', () => {
    const r = expectSame('HTTP/1.1 200 OK\r\nA: 1\r\na: 2\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok');
    expect(r.heads[0]!.headers['a']).toBe('1, 2');
    expect(r.body).toBe('ok');
  });

  it('refuses malformed framing with ProtocolError', () => {
    const bad = [
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok',
      'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;bad ext\r\nab\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n',
      'HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n',
      'HTTP/1.1 200 OK\r\nNoColon\r\n\r\n',
      'HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n',
      'HTTP/2 200 OK\r\n\r\n',
      'HTTP/1.1 2000 OK\r\n\r\n',
      'garbage\r\n\r\n',
      'HTTP/1.1 101 Switching Protocols\r\n\r\n',
    ];
    for (const text of bad) {
      const r = expectSame(text);
      expect(r.error, text).toBeInstanceOf(ProtocolError);
    }
  }, 30000);

  it('bounds the header section', () => {
    const parser = new ResponseParser({ onHead() {}, onBody() {}, onEnd() {} }, { maxHeaderSize: 100 });
    parser.expect('GET');
    expect(() => parser.execute(enc.encode(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(200)}`))).toThrow(ProtocolError);
  });

  it('bounds the chunk size line', () => {
    const parser = new ResponseParser({ onHead() {}, onBody() {}, onEnd() {} }, { maxChunkLineSize: 16 });
    parser.expect('GET');
    parser.execute(enc.encode('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'));
    expect(() => parser.execute(enc.encode(`1;${'x'.repeat(64)}`))).toThrow(ProtocolError);
  });

  it('a transfer coding we do not implement is a ProtocolError naming it, never a body read as if it were not there', () => {
    for (const coding of ['gzip', 'deflate', 'compress', 'identity', 'br']) {
      const r = expectSame(`HTTP/1.1 200 OK\r\nTransfer-Encoding: ${coding}\r\n\r\nraw`, { close: true });
      expect(r.error).toBeInstanceOf(ProtocolError);
      expect(String((r.error as Error).message)).toContain(`"${coding}"`);
    }
  });

  it('parses a second response after expect() on the same parser (keep-alive)', () => {
    const seen: number[] = [];
    const parser = new ResponseParser({ onHead: (h) => seen.push(h.statusCode), onBody() {}, onEnd() {} });
    parser.expect('GET');
    parser.execute(enc.encode('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    expect(parser.done).toBe(true);
    parser.expect('GET');
    parser.execute(enc.encode('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'));
    expect(seen).toEqual([200, 404]);
  });

  it('hands out body slices without copying the input', () => {
    const input = enc.encode('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody');
    let slice: Uint8Array | undefined;
    const parser = new ResponseParser({ onHead() {}, onBody: (b) => (slice = b), onEnd() {} });
    parser.expect('GET');
    parser.execute(input);
    expect(slice!.buffer).toBe(input.buffer);
  });
});
