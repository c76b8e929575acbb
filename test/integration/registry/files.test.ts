// registry.files (#29): an image built by the engine (files deleted, replaced and made opaque in
// later layers), pushed to the open registry, read back from the registry layer blob by layer
// blob: its merged listing equals the engine's saved archive's path by path, and `crane export`
// of the same reference holds the same paths.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileNotFound, InvalidArgument, ManifestNotFound, type Image } from '../../../src/api.js';
import { readTar } from '../../../src/tar/reader.js';
import { makeTree } from '../../support/contexts.js';
import { engine, uniqueName } from '../../support/engine.js';
import { layeredDockerfile, listing, normalise, relativePath } from '../../support/layered-image.js';
import { engineSuite } from '../../support/suite.js';
import { tempDir } from '../../support/temp.js';

const run = promisify(execFile);
const { docker, made } = engineSuite();
const ref = `${engine.registry}/dw/${uniqueName('files')}:v1`;
made.push(ref);
let image: Image;
let pushed = '';

beforeAll(async () => {
  const { image: built } = await docker.images.build({
    path: makeTree({ Dockerfile: layeredDockerfile(engine.baseImage) }),
    tag: ref,
    networkMode: 'none',
    rm: true,
  });
  image = built;
  const [repository, tag] = [ref.slice(0, ref.lastIndexOf(':')), ref.slice(ref.lastIndexOf(':') + 1)];
  pushed = (await docker.images.push(repository, { tag })).digest ?? '';
}, 240_000);

/** The paths of a tar's entries, named as docker export names them. */
async function tarPaths(path: string): Promise<string[]> {
  const paths: string[] = [];
  for await (const entry of readTar(
    (async function* () {
      yield new Uint8Array(readFileSync(path));
    })(),
  ))
    paths.push(relativePath(entry.name));
  return paths.filter((p) => p !== '' && p !== '.');
}

describe('registry.files: an image read from the registry', () => {
  it('gives the listing the engine\u2019s saved archive gives, path by path: type, mode, size, link target', async () => {
    expect(pushed).toMatch(/^sha256:[0-9a-f]{64}$/);
    const fromRegistry = await listing(
      docker.registry.files(ref, { platform: `${image.attrs.Os}/${image.attrs.Architecture}` }),
    );
    const fromEngine = await listing(image.files());
    const a = normalise(fromRegistry);
    const b = normalise(fromEngine);
    expect(Object.keys(b.rows).length).toBeGreaterThan(250); // busybox's applets, and the layers' files
    expect(Object.keys(a.rows).sort()).toEqual(Object.keys(b.rows).sort());
    for (const path of Object.keys(b.rows)) expect([path, a.rows[path]]).toEqual([path, b.rows[path]]);
    expect(a.groups).toEqual(b.groups);
    // the same layers, bottom first, each path from the same one
    expect(fromRegistry.map((f) => [f.path, f.layer.index])).toEqual(fromEngine.map((f) => [f.path, f.layer.index]));
    const byPath = new Map(fromRegistry.map((f) => [f.path, f]));
    expect(byPath.has('/data/gone')).toBe(false);
    expect(byPath.has('/data/opaque/x')).toBe(false);
    expect(byPath.get('/data/opaque/z')?.layer.index).toBe(2);
    // the registry's layer digests are the manifest's (compressed blobs), not the engine's tars
    const manifest = (
      await docker.registry.manifest(ref, { platform: `${image.attrs.Os}/${image.attrs.Architecture}` })
    ).manifest as { layers: Array<{ digest: string }> };
    expect(byPath.get('/data/opaque/z')?.layer.digest).toBe(manifest.layers[2]!.digest);
  }, 180_000);

  it('crane export of the same reference holds the same paths (but for what an opaque directory hides)', async () => {
    const dir = tempDir('dockwire-registry-files-');
    const out = join(dir, 'crane.tar');
    await run(process.env['DOCKWIRE_CRANE']!, ['export', ref, out, '--insecure'], { timeout: 120_000 });
    const ours = (await listing(docker.registry.files(ref))).map((f) => relativePath(f.path));
    // where the top layer empties data/opaque with an opaque whiteout, crane export does not apply
    // it: what the layer below put there stays in its tar (docker export and the OCI layer rules drop it)
    const { manifest } = await docker.registry.manifest(ref, {
      platform: `${image.attrs.Os}/${image.attrs.Architecture}`,
    });
    const top = (manifest as { layers: Array<{ digest: string }> }).layers.at(-1)!.digest;
    const chunks: Uint8Array[] = [];
    for await (const chunk of docker.registry.blob(ref, top)) chunks.push(chunk);
    const topPaths: string[] = [];
    for await (const entry of readTar(
      (async function* () {
        yield new Uint8Array(gunzipSync(Buffer.concat(chunks)));
      })(),
    ))
      topPaths.push(relativePath(entry.name));
    // (a graph driver's differ writes the emptied folder as opaque; containerd's whiteouts each path)
    const opaque = topPaths.includes('data/opaque/.wh..wh..opq');
    if (!opaque) expect(topPaths).toEqual(expect.arrayContaining(['data/opaque/.wh.x', 'data/opaque/.wh.sub']));
    const kept = opaque ? ['data/opaque/sub', 'data/opaque/sub/y', 'data/opaque/x'] : [];
    expect((await tarPaths(out)).sort()).toEqual([...ours, ...kept].sort());
  }, 180_000);

  it('readFile, export and extract read the same image; bad input rejects', async () => {
    expect(Buffer.from(await docker.registry.readFile(ref, '/data/replace')).toString()).toBe('new-content\n');
    expect(Buffer.from(await docker.registry.readFile(ref, '/data/abs-sym')).toString()).toBe('a\n');
    await expect(docker.registry.readFile(ref, '/data/gone')).rejects.toBeInstanceOf(FileNotFound);
    const dir = tempDir('dockwire-registry-export-');
    const parts: Uint8Array[] = [];
    for await (const chunk of docker.registry.export(ref)) parts.push(chunk);
    const tar = join(dir, 'fs.tar');
    writeFileSync(tar, Buffer.concat(parts));
    expect(await tarPaths(tar)).toEqual((await listing(docker.registry.files(ref))).map((f) => relativePath(f.path)));
    const result = await docker.registry.extract(ref, join(dir, 'rootfs'));
    expect(result.skipped).toEqual(['/data/fifo']);
    expect(readFileSync(join(dir, 'rootfs', 'data', 'keep', 'hard'), 'utf8')).toBe('a\n');
    await expect(listing(docker.registry.files(ref, { platfrom: 'linux/amd64' } as never))).rejects.toThrow(
      /did you mean "platform"/,
    );
    await expect(docker.registry.extract(ref, join(dir, 'x'), { device: true } as never)).rejects.toBeInstanceOf(
      InvalidArgument,
    );
    await expect(listing(docker.registry.files(ref, { platform: 'linux/s390x' }))).rejects.toBeInstanceOf(
      ManifestNotFound,
    );
  }, 180_000);
});
