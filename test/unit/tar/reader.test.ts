// The streaming tar reader: every format it reads, at every split of the bytes and by random
// access; every hostile archive a typed ArchiveError; content streamed as it is asked for.
import { describe, expect, it } from 'vitest';
import { ArchiveError, InvalidArgument } from '../../../src/errors.js';
import { BLOCK, encodeHeader, encodePaxData, padding } from '../../../src/tar/header.js';
import { readTar, type RandomAccess } from '../../../src/tar/reader.js';
import { chunked, fixChecksum, inMemory, packed, readBack } from '../../support/tar.js';

const T = 1_700_000_000;
const file = (name: string, content: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'file' as const,
  mode: 0o644,
  size: Buffer.byteLength(content),
  mtime: T,
  content: () => [Buffer.from(content)],
  ...extra,
});

/** A GNU long-name ('L') or long-link ('K') header and its data. */
function gnuLong(flag: 'L' | 'K', value: string): Buffer {
  const data = Buffer.from(`${value}\0`);
  const header = encodeHeader(
    { name: '././@LongLink', type: 'file', mode: 0, size: data.length, mtime: 0 },
    flag.charCodeAt(0),
  );
  header.set(Buffer.from('ustar  \0'), 257); // GNU's magic
  return Buffer.concat([fixChecksum(header), data, padding(data.length)]);
}

function pax(records: Record<string, string>, flag = 0x78): Buffer {
  const data = encodePaxData(records);
  return Buffer.concat([
    encodeHeader({ name: 'PaxHeaders/x', type: 'file', mode: 0o644, size: data.length, mtime: 0 }, flag),
    data,
    padding(data.length),
  ]);
}

const END = Buffer.alloc(2 * BLOCK);
const longName = `${'dir/'.repeat(40)}${'n'.repeat(120)}`;
const longLink = `${'../'.repeat(50)}target`;

/** An archive with every header form the reader takes, and what it must read from it. */
async function fixture(): Promise<{ bytes: Buffer; expected: Array<Record<string, unknown>> }> {
  const plain = await packed([
    { name: 'dir', type: 'directory', mode: 0o755, size: 0, mtime: T },
    file('dir/a.txt', 'hello'),
    { name: 'dir/link', type: 'symlink', mode: 0o777, size: 0, mtime: T, linkname: 'a.txt' },
    { name: 'dir/hard', type: 'hardlink', mode: 0o644, size: 0, mtime: T, linkname: 'dir/a.txt' },
    file(`${'p'.repeat(90)}/ünï-${'x'.repeat(120)}`, 'pax path'),
    file('big-ids', 'ids', { uid: 3_000_000, gid: 4_000_000 }),
  ]);
  // base-256 numbers, as GNU tar writes what octal cannot hold (no pax header in front)
  const base256 = encodeHeader({ name: 'b256', type: 'file', mode: 0o600, size: 1, mtime: T, uid: 2 ** 40 }, 0x30);
  const gnu = Buffer.concat([
    gnuLong('L', longName),
    gnuLong('K', longLink),
    encodeHeader({ name: 'short', type: 'symlink', mode: 0o777, size: 0, mtime: T, linkname: 'x' }),
  ]);
  const paxed = Buffer.concat([
    pax({ comment: 'ignored', mtime: '1700000000.5' }, 0x67),
    pax({ path: 'from-pax', linkpath: 'pax-target', uid: '70000000', gid: '80000000', uname: 'u', gname: 'g' }),
    encodeHeader({ name: 'from-header', type: 'symlink', mode: 0o777, size: 0, mtime: 1, linkname: 'header-target' }),
    pax({ size: '3' }),
    encodeHeader({ name: 'sized', type: 'file', mode: 0o644, size: 0, mtime: 1 }),
    Buffer.from('abc'),
    padding(3),
  ]);
  const bytes = Buffer.concat([
    plain.subarray(0, plain.length - 2 * BLOCK),
    base256,
    Buffer.from('z'),
    padding(1),
    gnu,
    paxed,
    END,
    Buffer.alloc(BLOCK * 2),
  ]);
  const expected = [
    { name: 'dir', type: 'directory', mode: 0o755, size: 0, content: '' },
    { name: 'dir/a.txt', type: 'file', size: 5, content: 'hello' },
    { name: 'dir/link', type: 'symlink', linkname: 'a.txt' },
    { name: 'dir/hard', type: 'hardlink', linkname: 'dir/a.txt' },
    { name: `${'p'.repeat(90)}/ünï-${'x'.repeat(120)}`, content: 'pax path' },
    { name: 'big-ids', uid: 3_000_000, gid: 4_000_000 },
    { name: 'b256', uid: 2 ** 40, mode: 0o600, content: 'z' },
    { name: longName, type: 'symlink', linkname: longLink },
    { name: 'from-pax', linkname: 'pax-target', uid: 70_000_000, gid: 80_000_000, mtime: 1_700_000_000.5 },
    { name: 'sized', type: 'file', size: 3, content: 'abc', mtime: 1_700_000_000.5 },
  ];
  return { bytes, expected };
}

function check(read: Awaited<ReturnType<typeof readBack>>, expected: Array<Record<string, unknown>>): void {
  expect(read.map((r) => r.name)).toEqual(expected.map((e) => e['name']));
  read.forEach((r, i) => {
    const { content, ...want } = expected[i]!;
    expect(r).toMatchObject(want);
    if (content !== undefined) expect(r.content.toString()).toBe(content);
  });
}

describe('readTar: formats', () => {
  it('ustar, pax (path, linkpath, size, mtime, uid/gid, global defaults), GNU L/K, base-256', async () => {
    const { bytes, expected } = await fixture();
    check(await readBack(chunked(bytes)), expected);
  });

  it('gives the same entries at every split of the bytes, one byte at a time, and by random access', async () => {
    const { bytes, expected } = await fixture();
    for (let cut = 0; cut <= bytes.length; cut += 1) check(await readBack(chunked(bytes, [cut])), expected);
    check(
      await readBack(
        chunked(
          bytes,
          Array.from({ length: bytes.length }, (_, i) => i),
        ),
      ),
      expected,
    );
    check(await readBack(inMemory(bytes)), expected);
  }, 180_000); // about 10 s here when the machine is quiet; several times that on a busy one

  it('a size in base-256 past 8 GiB, read by seeking (the content is never read)', async () => {
    const size = 2 ** 34 + 5;
    const header = encodeHeader({ name: 'huge', type: 'file', mode: 0o644, size, mtime: T });
    const tail = Buffer.concat([encodeHeader({ name: 'after', type: 'file', mode: 0o644, size: 0, mtime: T }), END]);
    const dataEnd = BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    const reads: number[] = [];
    const access: RandomAccess = {
      size: dataEnd + tail.length,
      read: async (offset, length) => {
        reads.push(length);
        const out = Buffer.alloc(Math.min(length, dataEnd + tail.length - offset));
        if (offset === 0) header.forEach((b, i) => (out[i] = b));
        for (let i = 0; i < out.length; i++) if (offset + i >= dataEnd) out[i] = tail[offset + i - dataEnd]!;
        return out;
      },
    };
    const names: Array<[string, number]> = [];
    for await (const entry of readTar(access)) names.push([entry.name, entry.size]);
    expect(names).toEqual([
      ['huge', size],
      ['after', 0],
    ]);
    expect(reads.reduce((a, b) => a + b, 0)).toBeLessThan(1024 * 1024);
  });

  it('a V7 name ending in "/" is a directory; a lone zero block then the end of the bytes ends the archive', async () => {
    const v7 = encodeHeader({ name: 'olddir/', type: 'file', mode: 0o755, size: 0, mtime: T }, 0);
    const entries = await readBack(chunked(Buffer.concat([v7, Buffer.alloc(BLOCK)])));
    expect(entries.map((e) => [e.name, e.type])).toEqual([['olddir', 'directory']]);
  });
});

describe('readTar: content is streamed, with backpressure', () => {
  it('pulls the source only as the body is read, and skips what is not read', async () => {
    const big = Buffer.alloc(10 * 64 * 1024, 7);
    const bytes = await packed([
      { name: 'big', type: 'file', mode: 0o644, size: big.length, mtime: T, content: () => [big] },
      file('small', 'x'),
    ]);
    let pulled = 0;
    async function* source(): AsyncIterable<Uint8Array> {
      for (let at = 0; at < bytes.length; at += 64 * 1024) {
        pulled++;
        yield bytes.subarray(at, at + 64 * 1024);
      }
    }
    const it = readTar(source())[Symbol.asyncIterator]();
    const first = (await it.next()).value!;
    expect(first.name).toBe('big');
    expect(pulled).toBe(1);
    const body = first.body[Symbol.asyncIterator]();
    await body.next();
    await body.next();
    expect(pulled).toBe(2);
    const second = (await it.next()).value!;
    expect(second.name).toBe('small');
    await expect(body.next()).rejects.toBeInstanceOf(InvalidArgument);
    await expect(first.body[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(InvalidArgument);
    expect((await it.next()).done).toBe(true);
  });
});

/** The fixture's first header block, changed by `change` (checksum rewritten unless `keepSum`). */
async function withHeader(change: (h: Buffer) => void, keepSum = false): Promise<Buffer> {
  const bytes = Buffer.from(await packed([file('a', 'hello'), file('b', 'bye')]));
  change(bytes.subarray(0, BLOCK));
  if (!keepSum) fixChecksum(bytes.subarray(0, BLOCK));
  return bytes;
}

describe('readTar: hostile archives are ArchiveErrors', () => {
  const rows: Array<[string, () => Promise<Uint8Array>, RegExp]> = [
    ['a bad checksum', () => withHeader((h) => (h[0] = 0x41), true), /bad checksum/],
    [
      'a size that is not a number',
      () => withHeader((h) => h.set(Buffer.from('12x45678901\0'), 124)),
      /size field .* not an octal number/,
    ],
    [
      'a base-256 size too large to be one',
      () => withHeader((h) => h.set([0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 124)),
      /too large/,
    ],
    ['a negative base-256 size', () => withHeader((h) => h.fill(0xff, 124, 136)), /says it has -1 bytes/],
    [
      'a size larger than the archive (random access)',
      () => withHeader((h) => h.set(Buffer.from('77777777777\0'), 124)),
      /the archive has \d+ left|ends at byte/,
    ],
    ['a directory with content', () => withHeader((h) => (h[156] = 0x35)), /directory entry .* says it has 5 bytes/],
    ['an unknown entry type', () => withHeader((h) => (h[156] = 0x53)), /type "S"/],
    [
      'a pax record longer than its header',
      async () =>
        Buffer.concat([
          paxRaw('99 path=abc\n'),
          encodeHeader({ name: 'x', type: 'file', mode: 0, size: 0, mtime: 0 }),
          END,
        ]),
      /says it is 99 bytes, longer than/,
    ],
    [
      'a pax record without a length',
      async () =>
        Buffer.concat([
          paxRaw('path=abc\n'),
          encodeHeader({ name: 'x', type: 'file', mode: 0, size: 0, mtime: 0 }),
          END,
        ]),
      /does not start with its length/,
    ],
    [
      'a pax record not ending in a newline',
      async () =>
        Buffer.concat([
          paxRaw('12 path=abcd'),
          encodeHeader({ name: 'x', type: 'file', mode: 0, size: 0, mtime: 0 }),
          END,
        ]),
      /does not end where its length says/,
    ],
    [
      'a pax size that is not a number',
      async () =>
        Buffer.concat([
          pax({ size: '1e9' }),
          encodeHeader({ name: 'x', type: 'file', mode: 0, size: 0, mtime: 0 }),
          END,
        ]),
      /pax size .* not a number/,
    ],
    [
      'a pax header larger than the reader takes',
      async () =>
        Buffer.concat([encodeHeader({ name: 'p', type: 'file', mode: 0, size: 2 ** 30, mtime: 0 }, 0x78), END]),
      /more than 1048576/,
    ],
    [
      'sparse files',
      async () =>
        Buffer.concat([
          pax({ 'GNU.sparse.major': '1' }),
          encodeHeader({ name: 'x', type: 'file', mode: 0, size: 0, mtime: 0 }),
          END,
        ]),
      /sparse/,
    ],
    ['an extended header with no entry', async () => Buffer.concat([pax({ path: 'x' }), END]), /with no entry for it/],
    ['an entry without a name', () => withHeader((h) => h.fill(0, 0, 100)), /has no name/],
    [
      'truncated inside content',
      async () => (await packed([file('a', 'hello'.repeat(200))])).subarray(0, 700),
      /ends at byte 700, inside the content of "a"|"a" at byte 0 says it has 1000 bytes; the archive has 188 left/,
    ],
    [
      'truncated inside a header',
      async () => (await packed([file('a', 'x')])).subarray(0, 1100),
      /inside the header at byte 1024/,
    ],
    [
      'truncated at a header (no end-of-archive marker)',
      async () => (await packed([file('a', 'x')])).subarray(0, 1024),
      /without its end-of-archive marker/,
    ],
    [
      'a header past the end (after a lone zero block)',
      async () =>
        Buffer.concat([
          Buffer.alloc(BLOCK),
          encodeHeader({ name: 'hidden', type: 'file', mode: 0, size: 0, mtime: 0 }),
          END,
        ]),
      /past the end of the archive/,
    ],
    [
      'bytes after the end-of-archive marker',
      async () =>
        Buffer.concat([
          await packed([file('a', 'x')]),
          encodeHeader({ name: 'hidden', type: 'file', mode: 0, size: 0, mtime: 0 }),
        ]),
      /follow the end-of-archive marker/,
    ],
  ];

  it.each(rows)('%s', async (_what, make, message) => {
    const bytes = await make();
    for (const source of [chunked(bytes, [BLOCK + 3]), inMemory(bytes)]) {
      const error = await readBack(source).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ArchiveError);
      expect((error as Error).message).toMatch(message);
    }
  });
});

function paxRaw(text: string): Buffer {
  const data = Buffer.from(text);
  return Buffer.concat([
    encodeHeader({ name: 'PaxHeaders/x', type: 'file', mode: 0o644, size: data.length, mtime: 0 }, 0x78),
    data,
    padding(data.length),
  ]);
}
