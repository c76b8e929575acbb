// A stream openImageArchive is given, spooled: the same bytes whatever the chunks, written behind
// the reading; and what a stream gives is read and refused as the same bytes are from memory.
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ArchiveError } from '../../../src/errors.js';
import { openImageArchive } from '../../../src/image-archive/archive.js';
import { spool } from '../../../src/image-archive/spool.js';
import { dir, dockerArchive, file, hardlink, ociLayout, symlink } from '../../support/image-archives.js';
import { chunked, fixChecksum, packed } from '../../support/tar.js';

const spools = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('dockwire-archive-'));

const layer = [dir('etc'), file('etc/a', 'A'.repeat(3000)), symlink('etc/b', 'a'), hardlink('etc/c', 'etc/a')];

async function contents(archive: Awaited<ReturnType<typeof openImageArchive>>): Promise<string[]> {
  const out: string[] = [];
  for await (const f of archive.files()) {
    const parts: Buffer[] = [];
    for await (const piece of f.content()) parts.push(Buffer.from(piece));
    out.push(`${f.path} ${f.type} ${f.linkname ?? ''} ${Buffer.concat(parts).toString()}`);
  }
  return out;
}

describe('spool: a stream read once, written behind the reading', () => {
  const bytes = randomBytes(20 * 1024 * 1024 + 12345);
  /** The bytes in chunks of `sizes`, over and over. */
  async function* chunks(sizes: number[]): AsyncIterable<Uint8Array> {
    for (let at = 0, i = 0; at < bytes.length; i++) {
      const size = sizes[i % sizes.length]!;
      yield bytes.subarray(at, at + size);
      at += size;
    }
  }
  it.each([
    ['in memory', 64 * 1024 * 1024, [65536]],
    ['in a temporary folder, small odd chunks', 0, [1, 511, 70_001, 4096]],
    ['in a temporary folder, chunks larger than a block', 1000, [3 * 1024 * 1024 + 7]],
  ])('%s: the same bytes', async (_what, limit, sizes) => {
    const before = spools();
    const access = await spool(chunks(sizes), limit);
    expect(spools()).toHaveLength(before.length + (limit > bytes.length ? 0 : 1));
    try {
      expect(access.size).toBe(bytes.length);
      expect(Buffer.from(await access.read(0, bytes.length)).equals(bytes)).toBe(true);
    } finally {
      await access.close();
    }
    expect(spools()).toEqual(before);
  });

  it("a source that reuses one chunk's memory for the next: the bytes it gave, not what the memory later held", async () => {
    async function* reusing(): AsyncIterable<Uint8Array> {
      const chunk = Buffer.alloc(65536);
      for (let at = 0; at < bytes.length; at += chunk.length) {
        const n = bytes.copy(chunk, 0, at, at + chunk.length);
        yield chunk.subarray(0, n);
      }
    }
    const access = await spool(reusing(), 0);
    try {
      expect(Buffer.from(await access.read(0, bytes.length)).equals(bytes)).toBe(true);
    } finally {
      await access.close();
    }
  });

  it('a gzip layer: the same files and contents as from bytes', async () => {
    const bytes = await ociLayout([{ layers: [layer] }]);
    const fromStream = await openImageArchive(chunked(bytes, [100]), { memoryLimit: 0 });
    const fromBytes = await openImageArchive(bytes);
    expect(await contents(fromStream)).toEqual(await contents(fromBytes));
    await fromStream.close();
  });

  it('files() from a spooled stream: the same paths and contents as from bytes, and the folder removed', async () => {
    const bytes = await dockerArchive([layer, [file('etc/a', 'replaced'), file('z', 'Z'.repeat(70_000))]]);
    const before = spools();
    const archive = await openImageArchive(chunked(bytes, [3000, 65536]), { memoryLimit: 4096 });
    expect(spools()).toHaveLength(before.length + 1);
    expect(await contents(archive)).toEqual(await contents(await openImageArchive(bytes)));
    await archive.close();
    expect(spools()).toEqual(before);
  });

  it('a stream that fails midway: its error, and no folder left behind', async () => {
    const bytes = await dockerArchive([layer]);
    const before = spools();
    async function* failing(): AsyncIterable<Uint8Array> {
      yield bytes.subarray(0, 2048);
      throw new Error('the source broke');
    }
    await expect(openImageArchive(failing(), { memoryLimit: 0 })).rejects.toThrow('the source broke');
    expect(spools()).toEqual(before);
  });
});

describe('spool: hostile archives from a stream are refused as from bytes', () => {
  /** A plain layer whose bytes begin with gzip's magic number and are still a valid tar. */
  async function gzipLookingTar(): Promise<Buffer> {
    const tar = await packed([file('x', 'x')]);
    tar[0] = 0x1f;
    tar[1] = 0x8b;
    fixChecksum(tar.subarray(0, 512));
    return tar;
  }
  const cases: Array<[string, () => Promise<Uint8Array>]> = [
    ['a corrupt layer tar', () => dockerArchive([], { rawLayers: [Buffer.alloc(1024, 1)] })],
    ['a layer that is a tar and looks gzipped', async () => dockerArchive([], { rawLayers: [await gzipLookingTar()] })],
    [
      'a layer tar that ends early',
      async () => dockerArchive([], { rawLayers: [(await packed(layer)).subarray(0, 1536)] }),
    ],
    [
      'a layer tar with bytes after its end',
      async () => dockerArchive([], { rawLayers: [Buffer.concat([await packed(layer), Buffer.alloc(512, 7)])] }),
    ],
    ['an entry outside the image', () => dockerArchive([[file('../escape', 'x')]])],
    ['a hard link to nothing', () => dockerArchive([[hardlink('h', 'nowhere')]])],
  ];
  const failure = async (open: () => Promise<Awaited<ReturnType<typeof openImageArchive>>>): Promise<unknown> => {
    try {
      const archive = await open();
      try {
        // the paths alone: a listing must not get past what reading the layer would refuse
        const paths: string[] = [];
        for await (const f of archive.files()) paths.push(f.path);
        return paths;
      } finally {
        await archive.close();
      }
    } catch (error) {
      return error;
    }
  };
  it.each(cases)('%s: the same ArchiveError in memory, spooled to a file, and from bytes', async (_what, make) => {
    const bytes = await make();
    const expected = await failure(() => openImageArchive(bytes));
    expect(expected).toBeInstanceOf(ArchiveError);
    for (const limit of [undefined, 0]) {
      const error = await failure(() =>
        openImageArchive(chunked(bytes, [512, 1000]), limit === undefined ? {} : { memoryLimit: limit }),
      );
      expect(error).toBeInstanceOf(ArchiveError);
      expect((error as Error).message).toBe((expected as Error).message);
    }
  });

  it.each([
    ['cut inside the layer', (b: Uint8Array) => b.subarray(0, 2048)],
    ['cut inside a header', (b: Uint8Array) => b.subarray(0, b.length - 2000)],
    ['with bytes after its end', (b: Uint8Array) => Buffer.concat([b, Buffer.alloc(512, 9)])],
  ])('an archive %s: the same ArchiveError as from bytes', async (_what, spoil) => {
    const bytes = spoil(await dockerArchive([layer]));
    const expected = await failure(() => openImageArchive(bytes));
    expect(expected).toBeInstanceOf(ArchiveError);
    const error = await failure(() => openImageArchive(chunked(bytes, [700]), { memoryLimit: 0 }));
    expect((error as Error).message).toBe((expected as Error).message);
  });
});
