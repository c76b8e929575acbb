// openImageArchive over OCI image layout folders the real tools write, read in place: umoci 0.6's
// (init, new, repack: a whiteout in the second layer), oras 1.3.3's `cp -r --to-oci-layout` of a
// two-platform image with referrers, and crane 0.20.7's `pull --format oci`. Each is read as the
// same layout tarred (what the tests did before folders were read), and as the tool reads it:
// umoci's unpacked rootfs, oras discover and manifest fetch. No file is left open under a folder;
// a FIFO planted as a blob is refused without waiting for a writer.
import { execFile } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError, openImageArchive, Registry, type Descriptor, type ImageArchive } from '../../../src/index.js';
import { uniqueName } from '../../support/engine.js';
import { openFilesUnder } from '../../support/layout-folders.js';
import { crane, makeImages, orasAsGiven, tarFolder, testRegistries, type Made } from '../../support/registry-peers.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

const run = promisify(execFile);

function umoci(...args: string[]): Promise<{ stdout: string }> {
  const bin = process.env['DOCKWIRE_UMOCI'];
  if (!bin) throw new Error('DOCKWIRE_UMOCI is not set: run through vitest (global setup)');
  return run(bin, args, { maxBuffer: 64 * 1024 * 1024 });
}

/** One path of a filesystem: its type, mode, owner, and its content (a file's text, a symlink's target). */
type Seen = [type: string, mode: number, uid: number, gid: number, content: string];

/** The merged filesystem of `image` (a digest) as `archive` gives it; a hard link as the file it is. */
async function merged(archive: ImageArchive, image: string): Promise<Map<string, Seen>> {
  const seen = new Map<string, Seen>();
  for await (const f of archive.files({ image })) {
    let content = f.linkname ?? '';
    if (f.type === 'file' || f.type === 'hardlink')
      content = Buffer.from(await archive.readFile(f.path, { image })).toString();
    seen.set(f.path, [f.type === 'hardlink' ? 'file' : f.type, f.mode & 0o7777, f.uid, f.gid, content]);
  }
  return seen;
}

/** The filesystem under `root` (umoci's unpacked rootfs) as `merged` gives an archive's. */
function onDisk(root: string, at = ''): Map<string, Seen> {
  const seen = new Map<string, Seen>();
  for (const name of readdirSync(join(root, at)).sort()) {
    const path = `${at}/${name}`;
    const stats = lstatSync(join(root, path));
    const type = stats.isDirectory() ? 'directory' : stats.isSymbolicLink() ? 'symlink' : 'file';
    const content =
      type === 'file'
        ? readFileSync(join(root, path), 'utf8')
        : type === 'symlink'
          ? readlinkSync(join(root, path))
          : '';
    seen.set(path, [type, stats.mode & 0o7777, stats.uid, stats.gid, content]);
    if (type === 'directory') for (const [p, s] of onDisk(root, path)) seen.set(p, s);
  }
  return seen;
}

/** Everything `archive` gives: its images, each one's merged filesystem, the referrers of each, the attestations. */
async function everything(archive: ImageArchive) {
  const files: Record<string, unknown> = {};
  for (const image of archive.images) files[image.digest] = [...(await merged(archive, image.digest))];
  const referrers: Record<string, Descriptor[]> = {};
  for (const image of archive.images) referrers[image.digest] = await archive.referrers(image.digest);
  return {
    format: archive.format,
    images: archive.images,
    files,
    referrers,
    attestations: await archive.attestations(),
  };
}

/** What the folder gives equals what its tar gives; and no file is left open under it. */
async function sameAsTar(folder: string): Promise<Awaited<ReturnType<typeof everything>>> {
  const fromFolder = await openImageArchive(folder);
  const ours = await everything(fromFolder);
  expect(openFilesUnder(folder)).toBeGreaterThan(0); // layers held while it is open
  await fromFolder.close();
  expect(openFilesUnder(folder)).toBe(0);
  await using fromTar = await openImageArchive(await tarFolder(folder));
  expect(ours).toEqual(await everything(fromTar));
  return ours;
}

const registry = new Registry();
let work: string;
afterAll(() => {
  registry.close();
  removeTempDirs();
});

describe('openImageArchive over an umoci layout folder', () => {
  let layout: string;
  const digests: Record<string, string> = {};
  beforeAll(async () => {
    work = tempDir('dockwire-layout-folder-');
    layout = join(work, 'umoci');
    const bundle = join(work, 'bundle');
    await umoci('init', '--layout', layout);
    await umoci('new', '--image', `${layout}:base`);
    await umoci('unpack', '--image', `${layout}:base`, bundle);
    const rootfs = join(bundle, 'rootfs');
    mkdirSync(join(rootfs, 'etc'));
    mkdirSync(join(rootfs, 'data/sub'), { recursive: true });
    writeFileSync(join(rootfs, 'etc/hello'), 'hello from umoci\n', { mode: 0o640 });
    symlinkSync('hello', join(rootfs, 'etc/link'));
    linkSync(join(rootfs, 'etc/hello'), join(rootfs, 'etc/hard'));
    writeFileSync(join(rootfs, 'data/gone'), 'gone');
    writeFileSync(join(rootfs, 'data/sub/deep'), 'deep');
    await umoci('repack', '--image', `${layout}:v1`, bundle);
    // v1 unpacked again: what repack then writes is a layer over v1's (a repack diffs against the unpacked image)
    const next = join(work, 'bundle-v1');
    await umoci('unpack', '--image', `${layout}:v1`, next);
    rmSync(join(next, 'rootfs/data/gone'));
    appendFileSync(join(next, 'rootfs/data/sub/deep'), ' and more');
    await umoci('repack', '--image', `${layout}:v2`, next);
    for (const tag of ['v1', 'v2']) {
      const stat = JSON.parse((await umoci('stat', '--image', `${layout}:${tag}`, '--json')).stdout);
      digests[tag] = stat.manifest.descriptor.digest;
    }
  }, 120_000);

  it('lists the images umoci ls lists, and each one’s files as umoci unpack lays them out', async () => {
    const tags = (await umoci('ls', '--layout', layout)).stdout.trim().split('\n').sort();
    expect(tags).toEqual(['base', 'v1', 'v2']);
    const ours = await sameAsTar(layout);
    expect(ours.format).toBe('oci');
    expect(ours.images).toHaveLength(3);
    for (const tag of ['v1', 'v2']) {
      const image = ours.images.find((i) => i.digest === digests[tag])!;
      expect(image.layers).toHaveLength(tag === 'v1' ? 1 : 2);
      const unpacked = join(work, `unpacked-${tag}`);
      await umoci('unpack', '--image', `${layout}:${tag}`, unpacked);
      const theirs = onDisk(join(unpacked, 'rootfs'));
      expect(new Map(ours.files[digests[tag]!] as Array<[string, Seen]>)).toEqual(theirs);
      expect(theirs.has('/data/gone')).toBe(tag === 'v1'); // v2's whiteout applied by both
    }
    expect((ours.files[digests['v2']!] as Array<[string, Seen]>).find(([p]) => p === '/data/sub/deep')?.[1][4]).toBe(
      'deep and more',
    );
  });
});

describe('openImageArchive over an oras layout folder (cp -r --to-oci-layout)', () => {
  let made: Made;
  let folder: string;
  beforeAll(async () => {
    made = await makeImages(testRegistries()[0]!); // two platforms; an SBOM and a signature on amd64
    folder = join(tempDir('dockwire-layout-folder-'), 'oras');
    await orasAsGiven('cp', '-r', '--from-plain-http', '--to-oci-layout', made.index, `${folder}:multi`);
  }, 240_000);

  it('gives the manifests oras fetches, the referrers oras discovers, and what its tar gives', async () => {
    const ours = await sameAsTar(folder);
    const index = JSON.parse(await orasAsGiven('manifest', 'fetch', '--oci-layout', `${folder}:multi`)) as {
      manifests: Descriptor[];
    };
    expect(ours.images.map((i) => [i.digest, i.platform?.architecture]).sort()).toEqual(
      index.manifests.map((d) => [d.digest, d.platform?.architecture]).sort(),
    );
    let total = 0;
    for (const image of ours.images) {
      const tree = JSON.parse(
        await orasAsGiven('discover', '--oci-layout', '--format', 'json', `${folder}@${image.digest}`),
      ) as { referrers?: Array<Descriptor & { reference?: string; referrers?: unknown }> };
      const discovered = (tree.referrers ?? []).map(({ reference: _r, referrers: _n, ...d }) => d);
      const sorted = (list: Descriptor[]) => [...list].sort((a, b) => a.digest.localeCompare(b.digest));
      expect(sorted(ours.referrers[image.digest]!)).toEqual(sorted(discovered));
      total += discovered.length;
    }
    expect(total).toBe(2);
    for (const image of ours.images)
      expect(new Map(ours.files[image.digest] as Array<[string, Seen]>).get('/hello.txt')?.[4]).toBe(
        `hello from ${made.repo}\n`,
      );
  });

  it('a FIFO planted as a blob: refused at once, as no regular file, and nothing left open', async () => {
    const copy = join(tempDir('dockwire-layout-folder-'), 'fifo');
    cpSync(folder, copy, { recursive: true });
    const { digest } = JSON.parse(
      await orasAsGiven('manifest', 'fetch', '--oci-layout', '--descriptor', `${copy}:multi`),
    );
    const blob = join(copy, 'blobs/sha256', (digest as string).slice('sha256:'.length));
    rmSync(blob);
    await run('mkfifo', [blob]);
    const error = await openImageArchive(copy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as ArchiveError).message).toMatch(/not a regular file/);
    expect((error as ArchiveError).entry).toBe(`blobs/sha256/${(digest as string).slice('sha256:'.length)}`);
    expect(openFilesUnder(copy)).toBe(0);
  });
});

describe('openImageArchive over a crane layout folder (pull --format oci)', () => {
  it('gives the image crane pulled: its manifest digest, its config, its files; as its tar', async () => {
    const made = await makeImages(testRegistries()[0]!);
    const folder = join(tempDir('dockwire-layout-folder-'), uniqueName('crane'));
    await crane('pull', '--format', 'oci', made.single, folder);
    const ours = await sameAsTar(folder);
    expect(ours.images.map((i) => i.digest)).toEqual([(await crane('digest', made.single)).trim()]);
    expect(ours.images[0]!.config).toEqual(JSON.parse(await crane('config', made.single)));
    expect(new Map(ours.files[ours.images[0]!.digest] as Array<[string, Seen]>).get('/hello.txt')?.[4]).toBe(
      `hello from ${made.repo}\n`,
    );
  }, 240_000);
});
