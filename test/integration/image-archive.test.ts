// An image's files without running it, against the engine: an image built here (files deleted,
// replaced, made opaque, hard-linked and chmodded in a later layer) is saved, and its merged
// listing must equal what `docker create` + `docker export` give for the same image, path by path
// (type, mode, size, link target). The archive's format is what the engine's store writes: a
// docker-archive from a graph-driver engine before API 1.44, an OCI layout after, and with
// compressed layers from the containerd store.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openImageArchive, type Image } from '../../src/api.js';
import { readTar } from '../../src/tar/reader.js';
import { makeTree } from '../support/contexts.js';
import { root } from '../support/engine-env.js';
import { engine, ns, uniqueName } from '../support/engine.js';
import { dockerCli } from '../support/images.js';
import { layeredDockerfile, listing, normalise, type Listed } from '../support/layered-image.js';
import { engineSuite } from '../support/suite.js';
import { tempDir } from '../support/temp.js';

const { docker, made } = engineSuite();
const tag = `${ns}/files:${uniqueName('t')}`;
made.push(tag);
let image: Image;
let containerdStore = false;
let apiVersion = '1.41';

const dockerfile = layeredDockerfile(engine.baseImage);

/** `docker create` + `docker export` of the image, read entry by entry. */
async function dockerExport(): Promise<Listed[]> {
  const container = dockerCli(['create', '--network', 'none', tag, 'true']);
  try {
    const tar = execFileSync('/usr/local/bin/docker', ['export', container], {
      env: { ...process.env, DOCKER_HOST: engine.host },
      maxBuffer: 1 << 28,
    });
    const out = [];
    for await (const e of readTar(
      (async function* () {
        yield new Uint8Array(tar);
      })(),
    ))
      out.push({
        path: e.name,
        type: e.type,
        mode: e.mode,
        size: e.size,
        ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
      });
    return out;
  } finally {
    dockerCli(['rm', '-f', container]);
  }
}

beforeAll(async () => {
  const info = await docker.api.json<{ Driver?: string; DriverStatus?: Array<[string, string]> | null }>(
    'GET',
    '/info',
  );
  containerdStore = (info.DriverStatus ?? []).some(([, v]) => v.includes('io.containerd.snapshotter'));
  apiVersion = await docker.api.apiVersion();
  const { image: built } = await docker.images.build({
    path: makeTree({ Dockerfile: dockerfile }),
    tag,
    networkMode: 'none',
    rm: true,
  });
  image = built;
}, 180_000);

const newer = (v: string, than: string): boolean => {
  const [a, b] = v.split('.').map(Number) as [number, number];
  const [c, d] = than.split('.').map(Number) as [number, number];
  return a > c || (a === c && b >= d);
};

describe('image files, against docker create + docker export', () => {
  it('image.files() (through save) equals docker export path by path: type, mode, size, link target', async () => {
    const ours = await listing(image.files());
    const theirs = await dockerExport();
    const a = normalise(ours);
    const b = normalise(theirs);
    expect(Object.keys(b.rows).length).toBeGreaterThan(250); // busybox's applets, and the layers' files
    expect(Object.keys(a.rows).sort()).toEqual(Object.keys(b.rows).sort());
    for (const path of Object.keys(b.rows)) expect([path, a.rows[path]]).toEqual([path, b.rows[path]]);
    expect(a.groups).toEqual(b.groups);
    // what the layers did, seen in the merged view
    const byPath = new Map(ours.map((f) => [f.path, f]));
    expect(byPath.has('/data/gone')).toBe(false);
    expect(byPath.has('/data/gone-dir/g')).toBe(false);
    expect(byPath.has('/data/opaque/x')).toBe(false);
    expect(byPath.has('/data/opaque/sub')).toBe(false);
    expect(byPath.get('/data/opaque/z')?.layer.index).toBe(2);
    expect(byPath.get('/data/keep')).toMatchObject({ type: 'directory', mode: 0o700, layer: { index: 2 } });
    expect(byPath.get('/data/keep/hard')).toMatchObject({ type: 'file', mode: 0o4755, size: 2, layer: { index: 1 } });
    expect(byPath.get('/data/fifo')?.type).toBe('fifo');
    expect(byPath.get('/bin/busybox')?.layer.index).toBe(0);
  }, 120_000);

  it('the saved archive is the layout the engine writes (compressed layers from the containerd store); readFile, export and extract', async () => {
    const dir = tempDir('dockwire-files-');
    const saved = join(dir, 'image.tar');
    const chunks: Uint8Array[] = [];
    for await (const chunk of image.save({ named: tag })) chunks.push(chunk);
    writeFileSync(saved, Buffer.concat(chunks));
    const archive = await openImageArchive(saved);
    try {
      expect(archive.format).toBe(containerdStore || newer(apiVersion, '1.44') ? 'oci' : 'docker-archive');
      expect(archive.images).toHaveLength(1);
      const [only] = archive.images;
      expect(only!.names.some((n) => n === tag || n.endsWith(`/${tag}`))).toBe(true);
      expect(only!.layers).toHaveLength(3);
      expect(only!.platform?.os).toBe('linux');
      if (containerdStore) for (const layer of only!.layers) expect(layer.mediaType).toMatch(/gzip|zstd/);
      // every layer the engine saved is what its digest (or, in a docker-archive, its diff_id) says
      expect(await archive.validate()).toMatchObject({ images: 1, layers: 3 });
      expect(Buffer.from(await archive.readFile('/data/replace')).toString()).toBe('new-content\n');
      expect(Buffer.from(await archive.readFile('/data/abs-sym')).toString()).toBe('a\n');
      // export: GNU tar lists the same paths as files()
      const exported = join(dir, 'fs.tar');
      const parts: Uint8Array[] = [];
      for await (const chunk of archive.export()) parts.push(chunk);
      writeFileSync(exported, Buffer.concat(parts));
      const listed = execFileSync('tar', ['--quoting-style=literal', '-tf', exported], { encoding: 'utf8' })
        .split('\n')
        .slice(0, -1)
        .map((n) => n.replace(/\/$/, ''));
      expect(listed).toEqual((await listing(archive.files())).map((f) => f.path.slice(1)));
      // extract: the files, fifos skipped
      const out = join(dir, 'rootfs');
      const result = await archive.extract(out);
      expect(result.skipped).toEqual(['/data/fifo']);
      expect(readFileSync(join(out, 'data', 'keep', 'hard'), 'utf8')).toBe('a\n');
      expect(lstatSync(join(out, 'bin', 'sh')).isSymbolicLink()).toBe(true);
      expect(existsSync(join(out, 'data', 'gone'))).toBe(false);
      expect(lstatSync(join(out, 'data', 'keep')).mode & 0o777).toBe(0o700);
    } finally {
      await archive.close();
    }
  }, 120_000);

  it('the CLI: files, files --layers, cat and export, from a reference and from an archive', () => {
    const dir = tempDir('dockwire-files-cli-');
    const bin = join(root, 'dist', 'cli.js');
    const cli = (args: string[]) =>
      spawnSync(process.execPath, [bin, ...args], {
        env: { ...process.env, DOCKER_HOST: engine.host },
        encoding: 'utf8',
        maxBuffer: 1 << 26,
        timeout: 60_000,
      });
    const files = cli(['files', tag]);
    expect(files.status, files.stderr).toBe(0);
    expect(files.stdout).toMatch(/^-0644 0\/0 +12 \/data\/replace$/m);
    expect(files.stdout).toMatch(/^l0777 0\/0 +0 \/data\/sym -> keep\/a$/m);
    expect(cli(['files', '--layers', tag]).stdout).toMatch(/^ {2}2 [0-9a-f]{12} -0644 .* \/data\/replace$/m);
    const cat = cli(['cat', tag, '/data/replace']);
    expect([cat.status, cat.stdout]).toEqual([0, 'new-content\n']);
    const archivePath = join(dir, 'image.tar');
    expect(cli(['export', tag, '-o', join(dir, 'fs.tar')]).status).toBe(0);
    dockerCli(['save', '-o', archivePath, tag]);
    expect(cli(['cat', archivePath, '/data/keep/hard']).stdout).toBe('a\n');
    const fromArchive = cli(['files', archivePath]);
    expect(fromArchive.stdout).toBe(files.stdout);
    const listed = execFileSync('tar', ['-tf', join(dir, 'fs.tar')], { encoding: 'utf8' })
      .split('\n')
      .slice(0, -1)
      .map((n) => `/${n.replace(/\/$/, '')}`);
    expect(listed).toEqual(
      files.stdout
        .split('\n')
        .slice(0, -1)
        .map((l) => l.split(' ').find((w) => w.startsWith('/'))),
    );
    const missing = cli(['cat', tag, '/no/such/file']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('/no/such/file: no such file in the image');
  }, 120_000);
});
