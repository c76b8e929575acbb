// A stream openImageArchive is given, spooled in one pass: the archive's members and the entries of
// each member that is a tar are read as the bytes pass, and whatever they do not read cleanly is
// read again from the spool and refused there as it is from bytes or a path.
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ArchiveError } from '../../../src/errors.js';
import { openImageArchive } from '../../../src/image-archive/archive.js';
import { spool } from '../../../src/image-archive/spool.js';
import { copyHeader, readTar } from '../../../src/tar/reader.js';
import { dir, dockerArchive, file, hardlink, ociLayout, symlink } from '../../support/image-archives.js';
import { chunked, fixChecksum, inMemory, packed } from '../../support/tar.js';

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

describe('spool: one pass over the stream', () => {
  it.each([
    ['in memory', undefined],
    ['in a temporary folder', 0],
  ])('%s: the same bytes, the members, and a plain layer listed as readTar lists it', async (_what, limit) => {
    const bytes = await dockerArchive([layer]);
    const { access, members } = await spool(chunked(bytes, [1, 513, 700, 2049]), limit);
    try {
      expect(access.size).toBe(bytes.length);
      expect(Buffer.from(await access.read(0, bytes.length)).equals(bytes)).toBe(true);
      const outer = [];
      for await (const e of readTar(inMemory(bytes))) outer.push({ name: e.name, type: e.type, offset: e.offset, size: e.size });
      expect(members?.map(({ name, type, offset, size }) => ({ name, type, offset, size }))).toEqual(outer);
      const tarMember = members!.find((m) => m.name.endsWith('layer.tar'))!;
      const expected = [];
      for await (const e of readTar(inMemory(bytes.subarray(tarMember.offset, tarMember.offset + tarMember.size))))
        expected.push({ ...copyHeader(e), offset: e.offset });
      expect(tarMember.entries?.map((e) => ({ ...e.header, offset: e.offset }))).toEqual(expected);
      expect(expected).toHaveLength(layer.length);
      // JSON members are not tars: no entries
      expect(members!.filter((m) => m.entries !== undefined)).toHaveLength(1);
    } finally {
      await access.close();
    }
  });

  it('a gzip layer is not listed; the archive still reads, as from bytes', async () => {
    const bytes = await ociLayout([{ layers: [layer] }]);
    const { access, members } = await spool(chunked(bytes, [100]), 0);
    expect(members!.some((m) => m.entries !== undefined)).toBe(false);
    await access.close();
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
    ['a layer tar that ends early', async () => dockerArchive([], { rawLayers: [(await packed(layer)).subarray(0, 1536)] })],
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
