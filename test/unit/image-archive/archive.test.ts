// openImageArchive on archives made here: both layouts, every compression, the merge (whiteouts,
// opaque directories, replacements, hard links whose first path is gone, symlinked parents), and
// what is refused.
import * as zlib from 'node:zlib';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  ArchiveError,
  ClientClosed,
  FileNotFound,
  InvalidArgument,
  UnsupportedMediaType,
} from '../../../src/errors.js';
import { openImageArchive } from '../../../src/image-archive/archive.js';
import type { FileEntry } from '../../../src/image-archive/files.js';
import type { PackEntry } from '../../../src/tar/packer.js';
import {
  dir,
  dockerArchive,
  file,
  hardlink,
  ociLayout,
  opaque,
  symlink,
  whiteout,
} from '../../support/image-archives.js';
import { chunked, readBack } from '../../support/tar.js';

const layers: PackEntry[][] = [
  [
    dir('etc'),
    file('etc/passwd', 'root:x:0:0\n'),
    dir('usr/lib'),
    file('usr/lib/os-release', 'ID=test\n'),
    symlink('etc/os-release', '../usr/lib/os-release'),
    dir('data'),
    file('data/gone', 'gone'),
    file('data/replaced', 'old'),
    file('data/target', 'shared content'),
    hardlink('data/link', 'data/target'),
    dir('data/opaque'),
    file('data/opaque/lower', 'lower'),
    dir('data/opaque/sub'),
    file('data/opaque/sub/deep', 'deep'),
    file('data/was-file', 'file'),
    dir('lib64'),
    file('lib64/real', 'real'),
    symlink('lib', 'lib64'),
    { name: 'dev/null', type: 'char', mode: 0o666, size: 0, mtime: 0, devmajor: 1, devminor: 3 },
  ],
  [
    whiteout('data/gone'),
    file('data/replaced', 'new content', { mode: 0o600 }),
    whiteout('data/target'),
    opaque('data/opaque'),
    file('data/opaque/upper', 'upper'),
    dir('data/was-file'),
    file('data/was-file/inside', 'x'),
    file('lib/through-symlink', 'lands in lib64'),
    file('/abs/path', 'absolute names stay inside'),
    // a whiteout only hides what lower layers made: this layer's own file stays
    whiteout('data/same-layer'),
    file('data/same-layer', 'kept'),
  ],
];

/** path → [type, mode, size, linkname, layer] */
const expected: Record<string, [string, number, number, string | undefined, number]> = {
  '/etc': ['directory', 0o755, 0, undefined, 0],
  '/etc/passwd': ['file', 0o644, 11, undefined, 0],
  '/usr': ['directory', 0o755, 0, undefined, 0],
  '/usr/lib': ['directory', 0o755, 0, undefined, 0],
  '/usr/lib/os-release': ['file', 0o644, 8, undefined, 0],
  '/etc/os-release': ['symlink', 0o777, 0, '../usr/lib/os-release', 0],
  '/data': ['directory', 0o755, 0, undefined, 0],
  '/data/replaced': ['file', 0o600, 11, undefined, 1],
  '/data/link': ['file', 0o644, 14, undefined, 0],
  '/data/opaque': ['directory', 0o755, 0, undefined, 0],
  '/data/opaque/upper': ['file', 0o644, 5, undefined, 1],
  '/data/was-file': ['directory', 0o755, 0, undefined, 1],
  '/data/was-file/inside': ['file', 0o644, 1, undefined, 1],
  '/lib64': ['directory', 0o755, 0, undefined, 0],
  '/lib64/real': ['file', 0o644, 4, undefined, 0],
  '/lib': ['symlink', 0o777, 0, 'lib64', 0],
  '/lib64/through-symlink': ['file', 0o644, 14, undefined, 1],
  '/dev': ['directory', 0o755, 0, undefined, 0],
  '/dev/null': ['char', 0o666, 0, undefined, 0],
  '/abs': ['directory', 0o755, 0, undefined, 1],
  '/abs/path': ['file', 0o644, 26, undefined, 1],
  '/data/same-layer': ['file', 0o644, 4, undefined, 1],
};

async function listing(
  files: AsyncIterable<FileEntry>,
): Promise<Record<string, [string, number, number, string | undefined, number]>> {
  const out: Record<string, [string, number, number, string | undefined, number]> = {};
  for await (const f of files) out[f.path] = [f.type, f.mode, f.size, f.linkname, f.layer.index];
  return out;
}

const formats: Array<[string, () => Promise<Buffer>]> = [
  ['docker-archive, plain layers', () => dockerArchive(layers, { tag: 'dockwire-test/x:1' })],
  ['OCI layout, gzip layers', () => ociLayout([{ layers }])],
  ['OCI layout, plain layers', () => ociLayout([{ layers, options: { compression: 'none' } }])],
];

describe('openImageArchive: the merged filesystem', () => {
  it.each(formats)(
    '%s: whiteouts, opaque directories, replacements, hard links, symlinked parents',
    async (_what, make) => {
      const archive = await openImageArchive(await make());
      expect(archive.images).toHaveLength(1);
      expect(archive.images[0]!.names).toEqual(['dockwire-test/x:1']);
      expect(archive.images[0]!.platform).toEqual({ os: 'linux', architecture: 'amd64' });
      expect(archive.images[0]!.layers).toHaveLength(2);
      expect(await listing(archive.files())).toEqual(expected);
      // content, read as the entries come
      const contents: Record<string, string> = {};
      for await (const f of archive.files()) {
        if (f.type !== 'file') continue;
        const parts: Buffer[] = [];
        for await (const piece of f.content()) parts.push(Buffer.from(piece));
        contents[f.path] = Buffer.concat(parts).toString();
      }
      expect(contents).toMatchObject({
        '/data/replaced': 'new content',
        '/data/link': 'shared content',
        '/lib64/through-symlink': 'lands in lib64',
        '/data/opaque/upper': 'upper',
        '/data/same-layer': 'kept',
      });
      expect(Buffer.from(await archive.readFile('/etc/os-release')).toString()).toBe('ID=test\n');
      expect(Buffer.from(await archive.readFile('lib/real')).toString()).toBe('real');
      await expect(archive.readFile('/data/gone')).rejects.toBeInstanceOf(FileNotFound);
      await expect(archive.readFile('/data/opaque/lower')).rejects.toBeInstanceOf(FileNotFound);
      await expect(archive.readFile('/etc')).rejects.toThrow(/a directory, not a file/);
      await archive.close();
      await expect(archive.readFile('/etc/passwd')).rejects.toBeInstanceOf(ClientClosed);
    },
  );

  it('export: one tar of the merged filesystem, the same paths, hard links kept as links', async () => {
    const archive = await openImageArchive(
      await ociLayout([{ layers: [[file('a', 'A'), hardlink('b', 'a'), hardlink('c', 'a')], [whiteout('a')]] }]),
    );
    const parts: Uint8Array[] = [];
    for await (const chunk of archive.export()) parts.push(chunk);
    const read = await readBack(chunked(Buffer.concat(parts)));
    expect(read.map((r) => [r.name, r.type, r.linkname, r.content.toString()])).toEqual([
      ['b', 'file', undefined, 'A'],
      ['c', 'hardlink', 'b', ''],
    ]);
  });

  it('a stream is read once; past memoryLimit it is spooled to a temporary folder that close() removes', async () => {
    const bytes = await dockerArchive(layers);
    const spools = () => readdirSync(tmpdir()).filter((n) => n.startsWith('dockwire-archive-'));
    const before = spools();
    const archive = await openImageArchive(chunked(bytes, [100, 5000]), { memoryLimit: 1024 });
    expect(spools().length).toBe(before.length + 1);
    expect(await listing(archive.files())).toEqual(expected);
    await archive.close();
    expect(spools()).toEqual(before);
    const small = await openImageArchive(chunked(bytes, [100]));
    expect(spools()).toEqual(before);
    expect(await listing(small.files())).toEqual(expected);
  });

  it('several platforms: chosen by platform; without a choice, InvalidArgument naming them', async () => {
    const bytes = await ociLayout([
      { layers: [[file('arch', 'amd64')]], options: { platform: { os: 'linux', architecture: 'amd64' } } },
      {
        layers: [[file('arch', 'arm64')]],
        options: { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      },
    ]);
    const archive = await openImageArchive(bytes);
    expect(archive.images.map((i) => i.platform?.architecture)).toEqual(['amd64', 'arm64']);
    expect(Buffer.from(await archive.readFile('/arch', { platform: 'linux/arm64' })).toString()).toBe('arm64');
    expect(
      Buffer.from(await archive.readFile('/arch', { platform: { os: 'linux', architecture: 'x86_64' } })).toString(),
    ).toBe('amd64');
    await expect(archive.readFile('/arch')).rejects.toThrow(/holds 2 images .*choose one/);
    await expect(archive.readFile('/arch', { platform: 'linux/s390x' })).rejects.toBeInstanceOf(InvalidArgument);
    await expect(archive.readFile('/arch', { platfrom: 'linux/arm64' } as never)).rejects.toThrow(
      /unknown option "platfrom"; did you mean "platform"/,
    );
    await expect(openImageArchive(bytes, { memorylimit: 1 } as never)).rejects.toThrow(/did you mean "memoryLimit"/);
  });

  it('zstd layers: read where node:zlib has zstd; elsewhere UnsupportedMediaType naming the runtime and media type', async () => {
    const archive = await openImageArchive(
      await ociLayout([{ layers: [[file('z', 'zstd!')]], options: { compression: 'zstd' } }]),
    );
    if (typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === 'function') {
      expect(Buffer.from(await archive.readFile('/z')).toString()).toBe('zstd!');
    } else {
      const error = await archive.readFile('/z').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnsupportedMediaType);
      expect((error as UnsupportedMediaType).mediaType).toBe('application/vnd.oci.image.layer.v1.tar+zstd');
      expect((error as Error).message).toContain(`node ${process.version}`);
    }
  });
});

describe('openImageArchive: what it refuses', () => {
  const refusals: Array<[string, () => Promise<Uint8Array>, RegExp]> = [
    [
      'an entry whose name leads outside the image',
      () => dockerArchive([[file('../escape', 'x')]]),
      /leads outside the image/,
    ],
    [
      'a hard link to a path the image does not have',
      () => dockerArchive([[hardlink('h', 'nowhere')]]),
      /not a file in the image/,
    ],
    ['a hard link to a directory', () => dockerArchive([[dir('d'), hardlink('h', 'd')]]), /not a file in the image/],
    [
      'a symlink loop under a path',
      () => dockerArchive([[symlink('a', 'b'), symlink('b', 'a'), file('a/x', 'x')]]),
      /too many symbolic links/,
    ],
    ['a corrupt layer tar', () => dockerArchive([], { rawLayers: [Buffer.alloc(1024, 1)] }), /checksum/],
    [
      'a layer that does not gunzip',
      () => dockerArchive([], { rawLayers: [Buffer.from([0x1f, 0x8b, 1, 2, 3, 4])] }),
      /does not decompress/,
    ],
  ];
  it.each(refusals)('%s: ArchiveError', async (_what, make, message) => {
    const archive = await openImageArchive(await make());
    const error = await listing(archive.files()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as Error).message).toMatch(message);
  });

  it('neither layout, a blob that does not hash to its digest, a path that is not there, a source that is not bytes', async () => {
    const { packed } = await import('../../support/tar.js');
    await expect(openImageArchive(await packed([file('hello', 'x')]))).rejects.toThrow(/neither an OCI layout/);
    const oci = Buffer.from(await ociLayout([{ layers: [[file('a', 'A')]] }]));
    const at = oci.indexOf('"architecture"');
    oci[at + 1] = 'A'.charCodeAt(0); // the config changes under its digest (checksums are over headers only)
    await expect(openImageArchive(oci)).rejects.toThrow(/hashes to sha256:/);
    await expect(openImageArchive('/nonexistent/archive.tar')).rejects.toBeInstanceOf(InvalidArgument);
    await expect(openImageArchive(42 as never)).rejects.toBeInstanceOf(InvalidArgument);
  });
});
