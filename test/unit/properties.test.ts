// Property tests: any bytes either parse or raise the module's typed error; never another
// exception, never a hang, never unbounded memory. And round trips for what we encode.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArchiveError, ProtocolError, StreamError } from '../../src/errors.js';
import { encodeChunk, LAST_CHUNK } from '../../src/http/request.js';
import { ResponseParser } from '../../src/http/response.js';
import { JsonLinesDecoder } from '../../src/progress/json-lines.js';
import { decodeTrace } from '../../src/buildkit/status.js';
import { pack, type PackEntry } from '../../src/tar/packer.js';
import { segment, tarName } from '../support/arbitraries.js';
import { readTar as streamTar } from '../../src/tar/reader.js';
import { chunked, fixChecksum, inMemory, packed, readBack, readTar } from '../support/tar.js';

// Each property test says its own timeout: 10,000 runs take several seconds on a busy 2-core
// machine (vitest's default of 5 s is not enough room).
const PROPERTY_TIMEOUT = 300_000;
export const RUNS = {
  response: 10_000,
  chunked: 10_000,
  jsonLines: 10_000,
  tar: 10_000,
  trace: 10_000,
  tarReader: 10_000,
  tarFuzz: 10_000,
};

/** Splits `bytes` at the given cut points. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of points) {
    out.push(bytes.subarray(at, p));
    at = p;
  }
  out.push(bytes.subarray(at));
  return out;
}

const validResponses = [
  'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: 1\r\n\r\n',
  'HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n{"message":"no"}',
];

/** Bytes that look like a response: a valid one with random mutations, or random bytes. */
const responseBytes = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc
    .tuple(
      fc.constantFrom(...validResponses),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 3 }),
    )
    .map(([text, flips, cutsAt]) => {
      const bytes = Buffer.from(text, 'latin1');
      for (const [at, value] of flips) bytes[at % bytes.length] = value;
      // sometimes cut the response short
      return cutsAt.length > 0 ? bytes.subarray(0, cutsAt[0]! % (bytes.length + 1)) : bytes;
    }),
);

describe('ResponseParser: any bytes parse or raise ProtocolError', () => {
  it(
    'never throws anything else, at any split, with or without EOF',
    () => {
      fc.assert(
        fc.property(responseBytes, fc.array(fc.nat(), { maxLength: 5 }), fc.boolean(), (bytes, cuts, eof) => {
          let bodyBytes = 0;
          const parser = new ResponseParser(
            { onHead() {}, onBody: (b) => (bodyBytes += b.length), onEnd() {} },
            { maxHeaderSize: 1024, maxChunkLineSize: 64 },
          );
          parser.expect('GET');
          try {
            for (const chunk of split(bytes, cuts)) parser.execute(chunk);
            if (eof) parser.connectionClosed();
          } catch (error) {
            expect(error).toBeInstanceOf(ProtocolError);
          }
          expect(bodyBytes).toBeLessThanOrEqual(bytes.length);
        }),
        { numRuns: RUNS.response },
      );
    },
    PROPERTY_TIMEOUT,
  );

  it('an endless header section stops at the limit', () => {
    const parser = new ResponseParser({ onHead() {}, onBody() {}, onEnd() {} }, { maxHeaderSize: 4096 });
    parser.expect('GET');
    parser.execute(Buffer.from('HTTP/1.1 200 OK\r\n'));
    expect(() => {
      for (let i = 0; i < 10_000; i++) parser.execute(Buffer.from(`X-${i}: ${'v'.repeat(50)}\r\n`));
    }).toThrow(/exceeds 4096 bytes/);
  });
});

describe('chunked bodies round-trip through our encoder and parser', () => {
  it(
    'any chunks, any splits',
    () => {
      fc.assert(
        fc.property(
          fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 10 }),
          fc.array(fc.nat(), { maxLength: 6 }),
          (chunks, cuts) => {
            const wire = Buffer.concat([
              Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'),
              ...chunks.flatMap((c) => encodeChunk(c)),
              LAST_CHUNK,
            ]);
            const got: Uint8Array[] = [];
            let ended = false;
            const parser = new ResponseParser({
              onHead() {},
              onBody: (b) => got.push(b.slice()),
              onEnd: () => (ended = true),
            });
            parser.expect('GET');
            for (const part of split(wire, cuts)) parser.execute(part);
            expect(ended).toBe(true);
            expect(Buffer.concat(got)).toEqual(Buffer.concat(chunks));
          },
        ),
        { numRuns: RUNS.chunked },
      );
    },
    PROPERTY_TIMEOUT,
  );
});

describe('JsonLinesDecoder: any bytes decode or raise StreamError', () => {
  it(
    'never throws anything else, and a value never exceeds the limit',
    () => {
      const bytes = fc.oneof(
        fc.uint8Array({ maxLength: 200 }),
        fc.string({ maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
        fc
          .array(fc.constantFrom('{', '}', '[', ']', '"', '\\', '\n', 'a', ':', ',', '1'), { maxLength: 100 })
          .map((a) => new TextEncoder().encode(a.join(''))),
      );
      fc.assert(
        fc.property(bytes, fc.array(fc.nat(), { maxLength: 5 }), (input, cuts) => {
          const decoder = new JsonLinesDecoder({ maxLineSize: 64 });
          try {
            for (const chunk of split(input, cuts)) decoder.push(chunk);
            decoder.end();
          } catch (error) {
            expect(error).toBeInstanceOf(StreamError);
          }
        }),
        { numRuns: RUNS.jsonLines },
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'any JSON objects, newline-separated or concatenated, any splits, come back equal',
    () => {
      fc.assert(
        fc.property(
          fc.array(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 })), { maxLength: 8 }),
          fc.constantFrom('\n', '\r\n', '', ' \n\n'),
          fc.array(fc.nat(), { maxLength: 6 }),
          (objects, separator, cuts) => {
            const wire = new TextEncoder().encode(objects.map((o) => JSON.stringify(o)).join(separator) + separator);
            const decoder = new JsonLinesDecoder();
            const got: unknown[] = [];
            for (const chunk of split(wire, cuts)) got.push(...decoder.push(chunk));
            decoder.end();
            expect(got).toEqual(JSON.parse(JSON.stringify(objects)));
          },
        ),
        { numRuns: RUNS.jsonLines },
      );
    },
    PROPERTY_TIMEOUT,
  );
});

describe('BuildKit trace decoding: any aux raises StreamError or decodes', () => {
  it(
    'never throws anything else',
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
          try {
            decodeTrace(Buffer.from(bytes).toString('base64'));
          } catch (error) {
            expect(error).toBeInstanceOf(StreamError);
          }
        }),
        { numRuns: RUNS.trace },
      );
    },
    PROPERTY_TIMEOUT,
  );
});

describe('tar packer: pack → read gives back every entry', () => {
  const name = tarName;
  const entry = fc.record({
    name,
    kind: fc.constantFrom('file', 'directory', 'symlink'),
    mode: fc.constantFrom(0o644, 0o755, 0o600, 0o777),
    content: fc.uint8Array({ maxLength: 1500 }),
    link: fc.oneof(
      segment,
      fc.string({ minLength: 1, maxLength: 200 }).filter((s) => !s.includes('\0')),
    ),
  });

  it(
    'names (long and non-ASCII), modes, link targets and bytes',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.uniqueArray(entry, { maxLength: 12, selector: (e) => e.name }), async (specs) => {
          const entries: PackEntry[] = specs.map((s) =>
            s.kind === 'file'
              ? {
                  name: s.name,
                  type: 'file',
                  mode: s.mode,
                  size: s.content.length,
                  mtime: 1_700_000_000,
                  content: () => [s.content],
                }
              : s.kind === 'directory'
                ? { name: s.name, type: 'directory', mode: s.mode, size: 0, mtime: 1_700_000_000 }
                : { name: s.name, type: 'symlink', mode: 0o777, size: 0, mtime: 1_700_000_000, linkname: s.link },
          );
          const parts: Uint8Array[] = [];
          for await (const p of pack(entries)) parts.push(p);
          const read = readTar(Buffer.concat(parts));
          expect(read.map((r) => r.name)).toEqual(entries.map((e) => (e.type === 'directory' ? `${e.name}/` : e.name)));
          for (let i = 0; i < entries.length; i++) {
            const e = entries[i]!;
            const r = read[i]!;
            expect(r.type).toBe(e.type);
            expect(r.mode).toBe(e.mode);
            if (e.type === 'symlink') expect(r.linkname).toBe(e.linkname);
            if (e.type === 'file') expect(Buffer.from(r.content)).toEqual(Buffer.from(specs[i]!.content));
          }
        }),
        { numRuns: RUNS.tar },
      );
    },
    PROPERTY_TIMEOUT,
  );
});

describe('tar reader: pack → readTar gives back every entry, at any split', () => {
  const entry = fc.record({
    name: tarName,
    kind: fc.constantFrom('file', 'directory', 'symlink', 'hardlink'),
    mode: fc.constantFrom(0o644, 0o755, 0o600, 0o777, 0o4755),
    content: fc.uint8Array({ maxLength: 1500 }),
    link: fc.oneof(
      segment,
      fc.string({ minLength: 1, maxLength: 200 }).filter((s) => !s.includes('\0')),
    ),
    uid: fc.oneof(fc.constant(0), fc.nat({ max: 2 ** 40 })),
    mtime: fc.oneof(fc.constant(1_700_000_000), fc.nat({ max: 2 ** 36 })),
  });

  it(
    'names (long and non-ASCII), types, modes, ids, times, link targets and bytes',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(entry, { maxLength: 10, selector: (e) => e.name }),
          fc.array(fc.nat(), { maxLength: 5 }),
          fc.boolean(),
          async (specs, cuts, random) => {
            const entries: PackEntry[] = specs.map((s) => {
              const base = { name: s.name, mode: s.mode, size: 0, mtime: s.mtime, uid: s.uid, gid: s.uid };
              if (s.kind === 'file')
                return { ...base, type: 'file', size: s.content.length, content: () => [s.content] };
              if (s.kind === 'directory') return { ...base, type: 'directory' };
              return { ...base, type: s.kind, linkname: s.link };
            });
            const bytes = await packed(entries);
            const read = await readBack(
              random
                ? inMemory(bytes)
                : chunked(
                    bytes,
                    [...cuts.map((c) => c % (bytes.length + 1))].sort((a, b) => a - b),
                  ),
            );
            expect(read.map((r) => r.name)).toEqual(entries.map((e) => e.name));
            read.forEach((r, i) => {
              const e = entries[i]!;
              expect([r.type, r.mode, r.uid, r.gid, r.mtime, r.size]).toEqual([
                e.type,
                e.mode,
                e.uid,
                e.gid,
                e.mtime,
                e.size,
              ]);
              if (e.linkname !== undefined) expect(r.linkname).toBe(e.linkname);
              if (e.type === 'file') expect(r.content).toEqual(Buffer.from(specs[i]!.content));
            });
          },
        ),
        { numRuns: RUNS.tarReader },
      );
    },
    PROPERTY_TIMEOUT,
  );
});

describe('tar reader fuzzing: any bytes read or raise ArchiveError', () => {
  /** Archives with random bytes changed, cut short, or random bytes alone. */
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 3000 }),
    fc
      .tuple(
        fc.uniqueArray(tarName, { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.option(fc.nat()),
        fc.boolean(),
      )
      .map(([names, flips, cut, fixSums]) => ({ names, flips, cut, fixSums })),
  );

  it(
    'never throws anything else, and never gives more content than there are bytes',
    async () => {
      await fc.assert(
        fc.asyncProperty(bytes, fc.array(fc.nat(), { maxLength: 4 }), async (input, cuts) => {
          let archive: Uint8Array;
          if (input instanceof Uint8Array) archive = input;
          else {
            const b = Buffer.from(
              await packed(
                input.names.map((n, i) => ({
                  name: n,
                  type: 'file' as const,
                  mode: 0o644,
                  size: i * 100,
                  mtime: 0,
                  content: () => [new Uint8Array(i * 100).fill(i)],
                })),
              ),
            );
            for (const [at, value] of input.flips) b[at % b.length] = value;
            if (input.fixSums)
              for (let at = 0; at + 512 <= b.length; at += 512)
                if (b.subarray(at + 257, at + 262).toString() === 'ustar') fixChecksum(b.subarray(at, at + 512));
            archive = input.cut === null ? b : b.subarray(0, input.cut % (b.length + 1));
          }
          for (const source of [
            chunked(
              archive,
              [...cuts.map((c) => c % (archive.length + 1))].sort((a, b) => a - b),
            ),
            inMemory(archive),
          ]) {
            let content = 0;
            try {
              for await (const entry of streamTar(source))
                for await (const piece of entry.body) content += piece.length;
            } catch (error) {
              expect(error).toBeInstanceOf(ArchiveError);
            }
            expect(content).toBeLessThanOrEqual(archive.length);
          }
        }),
        { numRuns: RUNS.tarFuzz },
      );
    },
    PROPERTY_TIMEOUT,
  );
});
