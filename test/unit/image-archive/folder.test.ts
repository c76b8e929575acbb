// openImageArchive over a folder (an OCI image layout, an unpacked docker-archive), against the
// same archive as a tar, and hostile folders: names and symlinks that lead out, missing blobs,
// blobs of the wrong size or content, what is no file, what is neither layout; no file left open.
import {
  appendFileSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArchiveError, ClientClosed, DigestMismatch } from '../../../src/errors.js';
import { openImageArchive, type ImageArchive } from '../../../src/image-archive/archive.js';
import type { PackEntry } from '../../../src/tar/packer.js';
import { dir, dockerArchive, file, hardlink, ociLayout, symlink, whiteout } from '../../support/image-archives.js';
import { openFilesUnder, tarOf, unpackTo } from '../../support/layout-folders.js';
import { hex, Layout, tagged } from '../../support/oci-layouts.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

afterAll(removeTempDirs);

const layers: PackEntry[][] = [
  [dir('etc'), file('etc/passwd', 'root:x:0:0\n'), symlink('etc/alias', 'passwd'), file('gone', 'x')],
  [file('etc/passwd', 'root:x:0:0\nuser:x:1:1\n'), hardlink('etc/twin', 'etc/passwd'), whiteout('gone')],
];

const forms: Array<[string, () => Promise<Buffer>]> = [
  ['docker-archive', () => dockerArchive(layers, { tag: 'dockwire-test/x:1' })],
  ['OCI layout, gzip layers', () => ociLayout([{ layers }])],
  ['OCI layout, plain layers', () => ociLayout([{ layers, options: { compression: 'none' } }])],
];

/** Everything an archive gives of its one image: images, every entry with its content, a file, the export. */
async function everything(archive: ImageArchive) {
  const entries: unknown[] = [];
  for await (const { content, ...entry } of archive.files()) {
    const parts: Buffer[] = [];
    for await (const piece of content()) parts.push(Buffer.from(piece));
    entries.push({ ...entry, content: Buffer.concat(parts).toString() });
  }
  const exported: Buffer[] = [];
  for await (const chunk of archive.export()) exported.push(Buffer.from(chunk));
  return {
    format: archive.format,
    images: archive.images,
    entries,
    passwd: Buffer.from(await archive.readFile('/etc/alias')).toString(),
    exported: Buffer.concat(exported),
  };
}

/** The folder of `tar`, unpacked. */
const folderOf = (tar: Uint8Array): string => unpackTo(tar, tempDir('dockwire-folder-'));

/** An OCI layout folder of one image with one plain layer, and the paths of its blobs. */
async function ociFolder() {
  const folder = folderOf(await ociLayout([{ layers: [[file('a', 'A')]], options: { compression: 'none' } }]));
  const index = JSON.parse(readFileSync(join(folder, 'index.json'), 'utf8'));
  const blob = (digest: string): string => join(folder, 'blobs/sha256', hex(digest));
  const imageIndex = JSON.parse(readFileSync(blob(index.manifests[0].digest), 'utf8'));
  const manifest = JSON.parse(readFileSync(blob(imageIndex.manifests[0].digest), 'utf8'));
  return {
    folder,
    config: { path: blob(manifest.config.digest), name: `blobs/sha256/${hex(manifest.config.digest)}` },
    layer: { path: blob(manifest.layers[0].digest), name: `blobs/sha256/${hex(manifest.layers[0].digest)}` },
  };
}

async function refusal(promise: Promise<unknown>): Promise<ArchiveError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ArchiveError);
  return error as ArchiveError;
}

async function listAll(archive: ImageArchive): Promise<void> {
  for await (const entry of archive.files()) for await (const _ of entry.content());
}

describe('openImageArchive over a folder: what its tar gives', () => {
  it.each(forms)('%s: images, files with their content, readFile and export', async (_what, make) => {
    const tar = await make();
    const folder = folderOf(tar);
    await using fromTar = await openImageArchive(tar);
    await using fromFolder = await openImageArchive(folder);
    const ours = await everything(fromFolder);
    expect(ours).toEqual(await everything(fromTar));
    expect(ours.images[0]!.names).toEqual(['dockwire-test/x:1']);
    expect(ours.passwd).toBe('root:x:0:0\nuser:x:1:1\n');
    expect((ours.entries as Array<{ path: string }>).map((e) => e.path).sort()).toEqual([
      '/etc',
      '/etc/alias',
      '/etc/passwd',
      '/etc/twin',
    ]);
    // extract writes the same files
    const [a, b] = [tempDir(), tempDir()];
    expect(await fromFolder.extract(a)).toEqual(await fromTar.extract(b));
    expect(readFileSync(join(a, 'etc/twin'), 'utf8')).toBe(readFileSync(join(b, 'etc/twin'), 'utf8'));
  });

  it('referrers and attestations: those of its tar', async () => {
    const layout = new Layout();
    const image = layout.image('amd64');
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'x', digest: { sha256: hex(image.digest) } }],
      predicateType: 'https://dockwire.test/custom/v1',
      predicate: { marker: 'folder' },
    };
    const attached = layout.artifact(image, 'application/vnd.in-toto+json', {}, undefined, {
      mediaType: 'application/vnd.in-toto+json',
      bytes: Buffer.from(JSON.stringify(statement)),
    });
    const sig = layout.artifact(image, 'application/vnd.test.sig');
    layout.top.push(tagged(image, 'latest'), attached, sig);
    const tar = await layout.tar();
    await using fromTar = await openImageArchive(tar);
    await using fromFolder = await openImageArchive(folderOf(tar));
    const referrers = await fromFolder.referrers();
    expect(referrers.map((d) => d.digest).sort()).toEqual([attached.digest, sig.digest].sort());
    expect(referrers).toEqual(await fromTar.referrers());
    const attestations = await fromFolder.attestations();
    expect(attestations.map((a) => [a.subject, a.manifest])).toEqual([[image.digest, attached.digest]]);
    expect(attestations).toEqual(await fromTar.attestations());
  });

  it('a symlink that stays inside the folder is followed (a docker-archive layer saved twice)', async () => {
    const folder = folderOf(await dockerArchive(layers));
    const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
    const [first, second] = manifest[0].Layers as string[];
    // the second layer's file moves elsewhere in the folder; a relative link leads to it
    mkdirSync(join(folder, 'kept'));
    renameSync(join(folder, second!), join(folder, 'kept/layer.tar'));
    symlinkSync('../kept/layer.tar', join(folder, second!));
    // and the first is reached through a symlinked folder inside
    renameSync(join(folder, first!.split('/')[0]!), join(folder, 'first'));
    symlinkSync('first', join(folder, first!.split('/')[0]!));
    await using archive = await openImageArchive(folder);
    expect(Buffer.from(await archive.readFile('/etc/twin')).toString()).toBe('root:x:0:0\nuser:x:1:1\n');
  });
});

describe('openImageArchive over a folder: what it refuses', () => {
  it('a blob that is a symlink out of the folder, even to the right bytes: ArchiveError naming it', async () => {
    const { folder, config } = await ociFolder();
    const outside = join(tempDir(), 'config.json');
    renameSync(config.path, outside);
    symlinkSync(outside, config.path);
    const error = await refusal(openImageArchive(folder));
    expect(error.message).toMatch(/leads out of the folder/);
    expect(error.entry).toBe(config.name);
  });

  it('a layer blob linked out by a relative symlink: its read is refused, the files() listing fails', async () => {
    const { folder, layer } = await ociFolder();
    const outside = join(tempDir(), 'layer');
    renameSync(layer.path, outside);
    symlinkSync(relative(dirname(layer.path), outside), layer.path);
    await using archive = await openImageArchive(folder);
    const error = await refusal(listAll(archive));
    expect(error.message).toMatch(/leads out of the folder/);
    expect(error.entry).toBe(layer.name);
  });

  it('a blobs folder that is a symlink out: refused', async () => {
    const { folder } = await ociFolder();
    const elsewhere = join(tempDir(), 'blobs');
    renameSync(join(folder, 'blobs'), elsewhere);
    symlinkSync(elsewhere, join(folder, 'blobs'));
    expect((await refusal(openImageArchive(folder))).message).toMatch(/leads out of the folder/);
  });

  it('a missing blob: a config at open, a layer when it is read', async () => {
    const missingLayer = await ociFolder();
    rmSync(missingLayer.layer.path);
    await using archive = await openImageArchive(missingLayer.folder);
    expect((await refusal(listAll(archive))).message).toMatch(`the archive lacks ${missingLayer.layer.name}, layer 0`);
    const missingConfig = await ociFolder();
    rmSync(missingConfig.config.path);
    expect((await refusal(openImageArchive(missingConfig.folder))).message).toMatch(
      `the archive lacks ${missingConfig.config.name}`,
    );
  });

  it('a blob whose size is not its descriptor’s, before it is read; one whose bytes differ: DigestMismatch', async () => {
    const longLayer = await ociFolder();
    appendFileSync(longLayer.layer.path, 'x');
    await using archive = await openImageArchive(longLayer.folder);
    const error = await refusal(listAll(archive));
    expect(error.message).toMatch(/is \d+ bytes, not the \d+ its manifest gives \(layer 0/);
    expect(error.entry).toBe(longLayer.layer.name);
    // a config one byte longer: the size is refused (the digest would be too, after a read)
    const longConfig = await ociFolder();
    appendFileSync(longConfig.config.path, ' ');
    expect((await refusal(openImageArchive(longConfig.folder))).message).toMatch(/not the \d+ its descriptor gives/);
    const changed = await ociFolder();
    const bytes = readFileSync(changed.config.path);
    writeFileSync(changed.config.path, bytes.toString().replace('"amd64"', '"AMD64"'));
    await expect(openImageArchive(changed.folder)).rejects.toBeInstanceOf(DigestMismatch);
  });

  it('the same size checks hold for a tar', async () => {
    const { folder, layer, config } = await ociFolder();
    appendFileSync(layer.path, 'x');
    await using archive = await openImageArchive(await tarOf(folder));
    expect((await refusal(listAll(archive))).message).toMatch(/not the \d+ its manifest gives/);
    appendFileSync(config.path, ' ');
    expect((await refusal(openImageArchive(await tarOf(folder)))).message).toMatch(/not the \d+ its descriptor gives/);
  });

  it('a member name that climbs out or is absolute (a docker-archive manifest.json): refused', async () => {
    for (const config of ['../outside.json', '/etc/passwd', 'a/../../outside.json']) {
      const folder = folderOf(await dockerArchive(layers));
      const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
      manifest[0].Config = config;
      writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifest));
      const error = await refusal(openImageArchive(folder));
      expect(error.message).toMatch(/would leave the folder: refused/);
      expect(error.entry).toBe(config);
    }
  });

  it('a blob that is no regular file: refused (a FIFO too: test/integration/engine-free/layout-folder.test.ts)', async () => {
    const withFolder = await ociFolder();
    rmSync(withFolder.config.path);
    mkdirSync(withFolder.config.path);
    const error = await refusal(openImageArchive(withFolder.folder));
    expect(error.message).toMatch(/not a regular file/);
    expect(error.entry).toBe(withFolder.config.name);
  });

  it('a folder that is neither layout, or whose oci-layout names no version: refused', async () => {
    const plain = tempDir();
    writeFileSync(join(plain, 'hello'), 'x');
    expect((await refusal(openImageArchive(plain))).message).toMatch(/neither an OCI layout/);
    expect((await refusal(openImageArchive(tempDir()))).message).toMatch(/neither an OCI layout/);
    const { folder } = await ociFolder();
    writeFileSync(join(folder, 'oci-layout'), '{"version":1}');
    expect((await refusal(openImageArchive(folder))).message).toMatch(/imageLayoutVersion/);
    // index.json without oci-layout is no layout either
    rmSync(join(folder, 'oci-layout'));
    rmSync(join(folder, 'manifest.json'));
    expect((await refusal(openImageArchive(folder))).message).toMatch(/neither an OCI layout/);
  });
});

describe.runIf(process.platform === 'linux')('openImageArchive over a folder: no file left open', () => {
  it('files are held while the archive is open, and close() closes every one', async () => {
    const folder = folderOf(await ociLayout([{ layers }]));
    const archive = await openImageArchive(folder);
    expect(openFilesUnder(folder)).toBe(0); // manifests and configs are read and closed
    await listAll(archive);
    expect(openFilesUnder(folder)).toBe(2); // the two layers, kept for random access
    await archive.readFile('/etc/passwd');
    expect(openFilesUnder(folder)).toBe(2);
    await archive.close();
    expect(openFilesUnder(folder)).toBe(0);
    await expect(archive.readFile('/etc/passwd')).rejects.toBeInstanceOf(ClientClosed);
  });

  it('a docker-archive folder: its layers opened at open, closed by close()', async () => {
    const folder = folderOf(await dockerArchive(layers));
    const archive = await openImageArchive(folder);
    expect(openFilesUnder(folder)).toBe(2);
    await archive.close();
    expect(openFilesUnder(folder)).toBe(0);
  });

  it('every refused open, and a failed read then close(), leaves none open', async () => {
    const opened = async (folder: string, fail: (archive: ImageArchive) => Promise<unknown>) => {
      await refusal(openImageArchive(folder).then(fail));
      return openFilesUnder(folder);
    };
    // a docker-archive whose second layer is there and whose config is refused after the first was opened
    const late = folderOf(await dockerArchive(layers));
    const manifest = JSON.parse(readFileSync(join(late, 'manifest.json'), 'utf8'));
    manifest.push({ ...manifest[0], Config: '../out.json' });
    writeFileSync(join(late, 'manifest.json'), JSON.stringify(manifest));
    expect(await opened(late, async () => {})).toBe(0);
    const longLayer = await ociFolder();
    appendFileSync(longLayer.layer.path, 'x');
    const archive = await openImageArchive(longLayer.folder);
    await refusal(listAll(archive));
    await archive.close();
    expect(openFilesUnder(longLayer.folder)).toBe(0);
    const withFolder = await ociFolder();
    rmSync(withFolder.layer.path);
    mkdirSync(withFolder.layer.path);
    expect(await opened(withFolder.folder, listAll)).toBe(0);
    const longConfig = await ociFolder();
    appendFileSync(longConfig.config.path, ' ');
    expect(await opened(longConfig.folder, async () => {})).toBe(0);
    expect(readdirSync(longConfig.folder).sort()).toEqual(['blobs', 'index.json', 'manifest.json', 'oci-layout']);
  });
});
