// Our response parser against llhttp (Node's own, under node:http): the same bytes, served from a
// loopback socket to node:http's client and fed to ResponseParser, must be accepted by both with
// the same status, headers and body, or refused by both, except where docs/http-parser.md says
// we differ on purpose (each row there is a `deliberate` entry here). The bytes are random
// mutations of real engine answers (test/fixtures/http, scripts/capture-responses.mjs) and of
// the framing table's cases. DOCKWIRE_FUZZ_SEED replays a run; DOCKWIRE_FUZZ_CASES sets its size.
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResponseParser } from '../../../src/http/response.js';
import { framingCases } from '../../unit/http/framing-table.test.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'http');
const CASES = Number(process.env['DOCKWIRE_FUZZ_CASES'] ?? 10_000);
// (a fixed seed: every CI run tries the same cases, so a failure is the code's, and replays)
const SEED = Number(process.env['DOCKWIRE_FUZZ_SEED'] ?? 20261201);

interface Outcome {
  ok: boolean;
  /** (ours) bytes after the end of the message: not part of it, and the connection is not reused */
  leftover?: number;
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  why?: string;
}

/** mulberry32: a small seeded PRNG, so a failing run can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const corpus: Buffer[] = [
  ...readdirSync(fixtures)
    .filter((f) => f.endsWith('.http'))
    .map((f) => readFileSync(join(fixtures, f))),
  ...framingCases.filter(([, , e]) => e.method === undefined).map(([, text]) => Buffer.from(text, 'latin1')),
];

const INTERESTING = [
  '\r\n',
  '\n',
  '\r',
  ' ',
  '\t',
  ':',
  ';',
  ',',
  '0',
  '1',
  'f',
  'F',
  '"',
  '\\',
  '\x00',
  '\x7f',
  'chunked',
  'Content-Length: ',
  'Transfer-Encoding: chunked\r\n',
  'HTTP/1.1 ',
  '100 Continue\r\n\r\n',
  '\r\n\r\n',
];

/** One case: a corpus entry, mutated a few times (flip, insert, delete, duplicate, cut). */
function mutate(next: () => number): Buffer {
  let bytes = Buffer.from(corpus[Math.floor(next() * corpus.length)]!);
  const edits = 1 + Math.floor(next() * 3);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (bytes.length + 1));
    const kind = Math.floor(next() * 6);
    if (kind === 0 && bytes.length > 0) bytes[Math.min(at, bytes.length - 1)] = Math.floor(next() * 256);
    else if (kind === 1)
      bytes = Buffer.concat([
        bytes.subarray(0, at),
        Buffer.from(INTERESTING[Math.floor(next() * INTERESTING.length)]!, 'latin1'),
        bytes.subarray(at),
      ]);
    else if (kind === 2)
      bytes = Buffer.concat([
        bytes.subarray(0, at),
        bytes.subarray(Math.min(bytes.length, at + 1 + Math.floor(next() * 8))),
      ]);
    else if (kind === 3) {
      const end = Math.min(bytes.length, at + Math.floor(next() * 40));
      bytes = Buffer.concat([bytes.subarray(0, end), bytes.subarray(at, end), bytes.subarray(end)]);
    } else if (kind === 4) bytes = bytes.subarray(0, at);
    else if (bytes.length > 0) {
      // a digit of a number changed (a length, a chunk size, a status)
      const digits = [...bytes.keys()].filter((k) => bytes[k]! >= 0x30 && bytes[k]! <= 0x39);
      if (digits.length) bytes[digits[Math.floor(next() * digits.length)]!] = 0x30 + Math.floor(next() * 10);
    }
  }
  return bytes;
}

function joinFields(pairs: Array<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    out[key] = key in out ? `${out[key]}, ${value}` : value;
  }
  return out;
}

/** What our parser makes of `bytes`, the connection closing after them. */
function ours(bytes: Buffer): Outcome {
  let head: { statusCode: number; headers: Record<string, string> } | undefined;
  const body: Buffer[] = [];
  let done = false;
  const parser = new ResponseParser({
    onHead: (h) => (head = h),
    onBody: (c) => body.push(Buffer.from(c)),
    onEnd: () => (done = true),
  });
  parser.expect('GET');
  let used = 0;
  try {
    used = parser.execute(bytes);
    if (!done) parser.connectionClosed();
  } catch (error) {
    return { ok: false, why: (error as Error).message };
  }
  if (!done || !head) return { ok: false, why: 'incomplete' };
  return {
    ok: true,
    status: head.statusCode,
    headers: { ...head.headers },
    body: Buffer.concat(body).toString('latin1'),
    leftover: bytes.length - used,
  };
}

let server: Server;
let port: number;
const served = new Map<string, Buffer>();

/** What node:http (llhttp) makes of `bytes`, served as the answer to a GET. */
function llhttp(id: string, bytes: Buffer): Promise<Outcome> {
  served.set(id, bytes);
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/', headers: { 'x-case': id }, agent: false }, (res) => {
      const body: Buffer[] = [];
      res.on('data', (c: Buffer) => body.push(c));
      res.on('end', () => {
        const pairs: Array<[string, string]> = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
        resolve(
          res.complete
            ? {
                ok: true,
                status: res.statusCode!,
                headers: joinFields(pairs),
                body: Buffer.concat(body).toString('latin1'),
              }
            : { ok: false, why: 'incomplete' },
        );
      });
      res.on('error', (error) => resolve({ ok: false, why: error.message }));
      res.on('aborted', () => resolve({ ok: false, why: 'aborted' }));
    });
    req.on('error', (error) => resolve({ ok: false, why: (error as NodeJS.ErrnoException).code ?? error.message }));
    req.end();
  }).finally(() => served.delete(id)) as Promise<Outcome>;
}

/**
 * Where we differ from llhttp on purpose: docs/http-parser.md explains each row and cites RFC 9112.
 * Each gets the bytes and both outcomes and says whether this case is that difference.
 */
export const deliberate: Array<{ name: string; applies: (bytes: string, mine: Outcome, theirs: Outcome) => boolean }> =
  [
    {
      // RFC 9112 §6.3, §9.6: the message ends where its framing says; what follows is not part of it
      name: 'bytes after a complete message: ours is the message (the connection is not reused); llhttp fails on them',
      applies: (_bytes, mine, theirs) => mine.ok && (mine.leftover ?? 0) > 0 && !theirs.ok,
    },
    {
      // RFC 9110 §15.2.2: a server switches protocols only when the client asked (we ask only for sessions)
      name: 'a 101 to a request that asked for no upgrade: refused by us, taken as an upgrade by llhttp',
      applies: (_bytes, mine, theirs) =>
        !mine.ok && /protocol switch \(101\)/.test(mine.why ?? '') && theirs.status === 101,
    },
    {
      // RFC 9112 §2.2: a recipient MAY recognize a single LF as a line terminator
      name: 'a line ended by LF alone: accepted by us, refused by llhttp',
      applies: (bytes, mine, theirs) =>
        mine.ok &&
        !theirs.ok &&
        /(^|[^\r])\n/.test(bytes) &&
        /HPE_(CR|LF)_EXPECTED|HPE_INVALID_HEADER_TOKEN|HPE_INVALID_CONSTANT|HPE_INVALID_STATUS|HPE_STRICT/.test(
          theirs.why ?? '',
        ),
    },
    {
      // RFC 9112 §6.1: a coding we do not implement is refused rather than handed on still encoded
      name: 'a transfer coding other than chunked: refused by us, read to close by llhttp',
      applies: (_bytes, mine) => !mine.ok && /unsupported transfer coding/.test(mine.why ?? ''),
    },
    {
      // RFC 9112 §7: a sender MUST NOT apply chunked more than once
      name: 'chunked applied twice: refused by us, taken as chunked by llhttp',
      applies: (_bytes, mine) => !mine.ok && /chunked applied more than once/.test(mine.why ?? ''),
    },
    {
      // RFC 9110 §8.6: a list of identical Content-Length values MAY be taken as that one value
      name: 'Content-Length repeated with equal values (a list, or several fields): accepted by us, refused by llhttp',
      applies: (_bytes, mine, theirs) =>
        mine.ok &&
        /HPE_(INVALID|UNEXPECTED)_CONTENT_LENGTH/.test(theirs.why ?? '') &&
        (mine.headers?.['content-length'] ?? '').includes(','),
    },
    {
      // RFC 9112 §5.2: a user agent that receives obs-fold MAY replace it with SP (rather than reject)
      name: 'a header line folded onto the next (obs-fold): joined with a space by us, refused by llhttp',
      applies: (bytes, mine, theirs) => mine.ok && !theirs.ok && /\n[ \t]+\S/.test(bytes),
    },
    {
      // RFC 9112 §4: the status line's version is HTTP/1.x (HTTP/2 is not spoken on this connection)
      name: 'a status line with another HTTP version: refused by us, accepted by llhttp',
      applies: (_bytes, mine, theirs) =>
        !mine.ok && /malformed status line "HTTP\/(?!1\.[01] )/.test(mine.why ?? '') && theirs.ok,
    },
    {
      // RFC 9112 §4: a response starts with its status line; llhttp skips empty lines before it
      name: 'an empty line before a status line: refused by us, skipped by llhttp',
      applies: (bytes, mine, theirs) =>
        !mine.ok && theirs.ok && (/^[\r\n]/.test(bytes) || mine.why === 'malformed status line ""'),
    },
    {
      // RFC 9110 §15.2: 1xx responses are interim, whatever their version; llhttp takes an
      // HTTP/1.0 interim response as closing the connection after the final one
      name: 'an HTTP/1.0 interim (1xx) response: skipped by us, the end of the connection for llhttp',
      applies: (bytes, mine, theirs) =>
        mine.ok && theirs.why === 'HPE_CLOSED_CONNECTION' && /(^|\n)HTTP\/1\.0 1\d\d/.test(bytes),
    },
    {
      // RFC 9110 §5.5: OWS (SP, HTAB) around a field value is not part of it, Content-Length's too
      name: 'HTAB around a Content-Length value: accepted by us, refused by llhttp',
      applies: (bytes, mine, theirs) =>
        mine.ok && theirs.why === 'HPE_INVALID_CONTENT_LENGTH' && /content-length:[^\r\n]*\t/i.test(bytes),
    },
    {
      // RFC 9110 §15.3.5, §15.4.5: a 204 or 304 has no body whatever its framing fields say
      name: 'a 204 or 304 with framing fields that do not parse: no body, by its status, for us; refused by llhttp',
      applies: (_bytes, mine, theirs) =>
        mine.ok &&
        (mine.status === 204 || mine.status === 304) &&
        /HPE_(INVALID|UNEXPECTED)_(CONTENT_LENGTH|TRANSFER_ENCODING)/.test(theirs.why ?? ''),
    },
    {
      // RFC 9112 §7.1.1: a chunk extension's name is a token
      name: 'a chunk extension without a name: refused by us, accepted by llhttp',
      applies: (_bytes, mine, theirs) => !mine.ok && mine.why === 'malformed chunk extension' && theirs.ok,
    },
    {
      // RFC 9112 §7.1.1: chunk-ext allows whitespace (BWS) around ";" and "="
      name: 'whitespace inside chunk extensions: accepted by us, refused by llhttp (strict)',
      applies: (bytes, mine, theirs) =>
        mine.ok &&
        /HPE_STRICT|HPE_INVALID_CHUNK_SIZE/.test(theirs.why ?? '') &&
        /\n[0-9a-fA-F]+[ \t]*;[^\n]*[ \t]|\n[0-9a-fA-F]+[ \t]+;/.test(bytes),
    },
  ];

beforeAll(async () => {
  server = createServer((socket) => {
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      const id = /x-case: (\S+)/i.exec(head)?.[1] ?? '';
      socket.end(served.get(id) ?? Buffer.alloc(0));
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe(`the response parser against llhttp (${CASES} cases, seed ${SEED})`, () => {
  it('accepts and refuses what llhttp does, with the same status, headers and body, but for the documented differences', async () => {
    console.log(`differential: ${CASES} cases, seed ${SEED} (DOCKWIRE_FUZZ_SEED=${SEED} replays it)`);
    const next = random(SEED);
    const cases = Array.from({ length: CASES }, () => mutate(next));
    const disagreements: string[] = [];
    const counts = new Map<string, number>();
    let agreed = 0;
    const width = 32; // cases in flight at once
    for (let start = 0; start < cases.length; start += width) {
      await Promise.all(
        cases.slice(start, start + width).map(async (bytes, i) => {
          const mine = ours(bytes);
          const theirs = await llhttp(String(start + i), bytes);
          const same =
            mine.ok === theirs.ok &&
            (!mine.ok ||
              (mine.status === theirs.status &&
                mine.body === theirs.body &&
                JSON.stringify(mine.headers) === JSON.stringify(theirs.headers)));
          if (same) return void agreed++;
          const text = bytes.toString('latin1');
          const row = deliberate.find((d) => d.applies(text, mine, theirs));
          if (row) counts.set(row.name, (counts.get(row.name) ?? 0) + 1);
          else if (disagreements.length < 10)
            disagreements.push(
              `case ${start + i}: ${JSON.stringify(text.slice(0, 300))}\n  ours: ${JSON.stringify(mine).slice(0, 300)}\n  llhttp: ${JSON.stringify(theirs).slice(0, 300)}`,
            );
          else disagreements.push('');
        }),
      );
    }
    console.log(
      `differential: ${agreed} agreed; documented differences: ${JSON.stringify(Object.fromEntries(counts))}; undocumented: ${disagreements.length}`,
    );
    expect(disagreements.filter(Boolean)).toEqual([]);
    expect(disagreements.length).toBe(0);
  }, 120_000);
});
