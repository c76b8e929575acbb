// The image operations that need no registry: get, list, tag, history, remove, prune, save, load.
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import {
  APIError,
  Image,
  ImageLoadError,
  ImageNotFound,
  InvalidArgument,
  NotFound,
  type SaveOptions,
} from '../../src/api.js';
import { facts } from '../support/capabilities.js';
import { answeredId, client, engine, ns, podman, uniqueName } from '../support/engine.js';
import { importImage, removeQuietly } from '../support/images.js';

const docker = client();
const made: string[] = [];
afterAll(async () => {
  removeQuietly(...made);
  await docker.close();
});

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts);
}

describe('images.get', () => {
  it('returns an Image with attrs, id, shortId, labels and tags', async () => {
    const name = `${ns}/get:${uniqueName('t')}`;
    const id = importImage({ tag: name, labels: { 'org.example.team': 'wire' } });
    made.push(name);
    const image = await docker.images.get(name);
    expect(image).toBeInstanceOf(Image);
    expect(image.id).toBe(id);
    expect(image.attrs.Id).toBe(id);
    expect(image.shortId).toBe(id.slice(0, 17));
    expect(image.shortId).toMatch(/^sha256:[0-9a-f]{10}$/);
    expect(image.labels).toEqual({ 'org.example.team': 'wire' });
    expect(image.tags).toEqual([name]);
    // Podman does not resolve a sha256:-prefixed short ID (500 "no 64-byte hexadecimal value"); the bare hex it does
    expect((await docker.images.get(podman ? image.shortId.slice(7) : image.shortId)).id).toBe(id);
  });

  it('a missing image is ImageNotFound (a NotFound, an APIError)', async () => {
    const error = await docker.images.get(`${ns}/absent:nope`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageNotFound);
    expect(error).toBeInstanceOf(NotFound);
    expect(error).toBeInstanceOf(APIError);
    expect((error as ImageNotFound).code).toBe('ERR_DOCKER_IMAGE_NOT_FOUND');
  });
});

describe('image.tag, reload, history', () => {
  it('tags, and the new tag shows after reload', async () => {
    const name = `${ns}/tag:${uniqueName('a')}`;
    importImage({ tag: name });
    const image = await docker.images.get(name);
    const second = `${ns}/tag2:${uniqueName('b')}`;
    const third = `${ns}/tag3`;
    made.push(name, second, `${third}:v3`);
    expect(await image.tag(second)).toBe(true);
    expect(await image.tag(third, 'v3')).toBe(true);
    expect(image.tags).toEqual([name]);
    await image.reload();
    expect(image.tags.sort()).toEqual([name, second, `${third}:v3`].sort());
  });

  it('history lists the layers with the engine field names', async () => {
    const image = await docker.images.get(engine.baseImage);
    const history = await image.history();
    expect(history.length).toBeGreaterThanOrEqual(1);
    expect(history[0]).toHaveProperty('CreatedBy');
    expect(history[0]).toHaveProperty('Created');
    expect(history[0]!.Id).toBe(answeredId(image.id));
  });
});

describe('images.list', () => {
  const labelKey = `dockwire.list.${uniqueName('l')}`;
  const label = `${labelKey}=tagged`;
  const repo = `${ns}/list-${uniqueName('r')}`;
  let taggedId = '';
  let danglingId = '';

  it('sets up: a labelled tagged image and a dangling one', () => {
    taggedId = importImage({ tag: `${repo}:one`, labels: { [labelKey]: 'tagged' } });
    danglingId = importImage({ labels: { [labelKey]: 'dangling' } });
    made.push(`${repo}:one`, danglingId);
  });

  it('lists every image as an Image with full attrs', async () => {
    const images = await docker.images.list();
    const ids = images.map((i) => i.id);
    expect(ids).toContain(taggedId);
    expect(ids).toContain(danglingId); // a dangling image is top-level: listed (as <none>) without `all`
    const one = images.find((i) => i.id === taggedId)!;
    expect(one.attrs.RootFS).toBeDefined(); // inspect data, not the summary
  });

  it('filters by name (repository)', async () => {
    const images = await docker.images.list({ name: repo });
    expect(images.map((i) => i.id)).toEqual([taggedId]);
  });

  it('filters by label key and key=value', async () => {
    const byValue = await docker.images.list({ filters: { label: label } });
    expect(byValue.map((i) => i.id)).toEqual([taggedId]);
    const byKey = await docker.images.list({ filters: { label: labelKey } });
    expect(byKey.map((i) => i.id).sort()).toEqual([taggedId, danglingId].sort());
  });

  it('filters by dangling, as a boolean', async () => {
    const dangling = await docker.images.list({ filters: { dangling: true, label: labelKey } });
    expect(dangling.map((i) => i.id)).toEqual([danglingId]);
    const notDangling = await docker.images.list({ filters: { dangling: false, label: labelKey } });
    expect(notDangling.map((i) => i.id)).toEqual([taggedId]);
  });

  it('filters by reference with a wildcard', async () => {
    const images = await docker.images.list({ filters: { reference: `${repo}:*` } });
    expect(images.map((i) => i.id)).toEqual([taggedId]);
  });
});

describe('images.remove and images.prune', () => {
  /** A new image with two tags, `${ns}/rm-NAME:…` each: its ID and the two names. */
  async function twoTags(first: string, second: string): Promise<{ id: string; a: string; b: string }> {
    const a = `${ns}/rm-${first}:${uniqueName('x')}`;
    const b = `${ns}/rm-${second}:${uniqueName('y')}`;
    const id = importImage({ tag: a });
    await (await docker.images.get(a)).tag(b);
    made.push(a, b);
    return { id, a, b };
  }

  it('remove without force refuses an image with two tags by ID; with force removes it', async () => {
    const { id, a, b } = await twoTags('a', 'b');
    const refused = await docker.images.remove(id).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(APIError);
    expect((refused as APIError).statusCode).toBe(podman ? 500 : 409); // Podman answers its conflicts with 500
    expect((refused as APIError).message).toMatch(/force/);
    const removed = await docker.images.remove(id, { force: true });
    expect(removed).toEqual(expect.arrayContaining([{ Untagged: a }, { Untagged: b }, { Deleted: answeredId(id) }]));
    await expect(docker.images.get(id)).rejects.toBeInstanceOf(ImageNotFound);
  });

  it('removing a tag of a multi-tagged image only untags it', async () => {
    const { id, a, b } = await twoTags('c', 'd');
    expect(await docker.images.remove(b)).toEqual([{ Untagged: b }]);
    expect((await docker.images.get(id)).tags).toEqual([a]);
  });

  it('remove of an unknown image is ImageNotFound', async () => {
    await expect(docker.images.remove(`${ns}/absent:nope`)).rejects.toBeInstanceOf(ImageNotFound);
  });

  it('prune with dangling: true removes dangling images and reports the space', async () => {
    const label = `dockwire.prune=${uniqueName('p')}`;
    const [k, v] = label.split('=') as [string, string];
    const dangling = importImage({ labels: { [k]: v } });
    const kept = `${ns}/prune-kept:${uniqueName('k')}`;
    const keptId = importImage({ tag: kept, labels: { [k]: v } });
    made.push(kept);
    const result = await docker.images.prune({ filters: { dangling: true, label } });
    expect(result.imagesDeleted).toContainEqual({ Deleted: answeredId(dangling) });
    expect(result.spaceReclaimed).toBeGreaterThan(0);
    await expect(docker.images.get(dangling)).rejects.toBeInstanceOf(ImageNotFound);
    expect((await docker.images.get(keptId)).id).toBe(keptId);
  });
});

describe('image.save and images.load', () => {
  it('round-trips one image by name, ids equal, in chunks of at most chunkSize', async () => {
    const name = `${ns}/save-one:${uniqueName('s')}`;
    const id = importImage({ tag: name });
    const image = await docker.images.get(name);
    const sizes: number[] = [];
    const parts: Uint8Array[] = [];
    for await (const chunk of image.save({ chunkSize: 4096, named: true })) {
      sizes.push(chunk.length);
      parts.push(chunk.slice());
    }
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4096);
    expect(sizes.slice(0, -1).every((s) => s === 4096)).toBe(true);
    const tarball = Buffer.concat(parts);
    expect(tarball.length % 512).toBe(0);
    await docker.images.remove(name, { force: true });
    const loaded = await docker.images.load(tarball);
    made.push(name);
    expect(loaded.map((i) => i.id)).toEqual([id]);
    expect(loaded[0]!.tags).toEqual([name]);
  });

  it('an image saved by ID loads back untagged, with the same id', async () => {
    const name = `${ns}/save-id:${uniqueName('s')}`;
    const id = importImage({ tag: name });
    made.push(name);
    const tarball = await collect((await docker.images.get(name)).save());
    const loaded = await docker.images.load(Readable.from([tarball]));
    expect(loaded.map((i) => i.id)).toEqual([id]);
  });

  it('round-trips two images in one archive, streamed from a file and as a web stream', async () => {
    const a = `${ns}/save-a:${uniqueName('s')}`;
    const b = `${ns}/save-b:${uniqueName('s')}`;
    const idA = importImage({ tag: a });
    const idB = importImage({ tag: b });
    made.push(a, b);
    const { saveImages } = await import('../../src/api.js');
    const dir = mkdtempSync(join(tmpdir(), 'dockwire-save-'));
    try {
      const file = join(dir, 'two.tar');
      writeFileSync(file, await collect(saveImages(docker, [a, b], { chunkSize: null })));
      await docker.images.remove(a, { force: true });
      await docker.images.remove(b, { force: true });
      const events: unknown[] = [];
      const job = docker.images.load(createReadStream(file, { highWaterMark: 1024 }));
      for await (const event of job) events.push(event);
      const loaded = await job;
      expect(loaded.map((i) => i.id).sort()).toEqual([idA, idB].sort());
      expect(events.length).toBeGreaterThanOrEqual(podman ? 1 : 2); // Podman names both in one line
      // and once more as a web ReadableStream: the archive restores both tags
      await docker.images.remove(a, { force: true });
      const web = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
      const again = await docker.images.load(web);
      expect(again.map((i) => i.tags[0]).sort()).toEqual([a, b].sort());
      // and from the file's path, read through one reused buffer
      await docker.images.remove(a, { force: true });
      await docker.images.remove(b, { force: true });
      const fromPath = await docker.images.load(file);
      expect(fromPath.map((i) => i.id).sort()).toEqual([idA, idB].sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('borrowed chunks (borrowChunks) hold the same bytes as owned ones, however slowly they are consumed', async () => {
    const { saveImages } = await import('../../src/api.js');
    const digest = async (options: SaveOptions, slow = false): Promise<{ sha: string; chunks: number }> => {
      const hash = createHash('sha256');
      let chunks = 0;
      for await (const chunk of saveImages(docker, engine.baseImage, options)) {
        // a borrowed chunk is valid until the next is asked for: the engine runs ahead meanwhile
        if (slow) await new Promise((r) => (chunks % 16 === 0 ? setTimeout(r, 1) : setImmediate(r)));
        hash.update(chunk);
        chunks++;
      }
      return { sha: hash.digest('hex'), chunks };
    };
    const owned = await digest({ chunkSize: null });
    expect(owned.chunks).toBeGreaterThan(16); // megabytes: many reads, each read buffer reused several times
    for (const options of [
      { chunkSize: null, borrowChunks: true },
      { chunkSize: 1000, borrowChunks: true },
      { chunkSize: 100_000, borrowChunks: true },
      { chunkSize: 100_000 },
    ]) {
      expect((await digest(options, true)).sha, JSON.stringify(options)).toBe(owned.sha);
    }
    // the whole body at once from a borrowed response is the caller's own copy
    const response = await docker.api.request('GET', `/images/${engine.baseImage}/get`, { borrowBody: true });
    expect(
      createHash('sha256')
        .update(await response.body.bytes())
        .digest('hex'),
    ).toBe(owned.sha);
  });

  it('saving an unknown image is ImageNotFound when iterated', async () => {
    const image = docker.images.get(`${ns}/absent:nope`).catch(() => undefined);
    expect(await image).toBeUndefined();
    const { saveImages } = await import('../../src/api.js');
    await expect(collect(saveImages(docker, `${ns}/absent:nope`))).rejects.toBeInstanceOf(ImageNotFound);
  });

  it('loading something that is not an image archive is ImageLoadError', async () => {
    const error = await docker.images.load(new TextEncoder().encode('this is not a tarball')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageLoadError);
    // Docker says so in an error line of a 200 answer; Podman with a 500, kept as the cause
    if (podman) expect((error as ImageLoadError).cause).toBeInstanceOf(APIError);
    // Docker 20.10's and Podman's loaders name the archive; the containerd image store's (Docker 28, 29) runs out of bytes
    expect((error as ImageLoadError).message).toMatch(
      facts.containerdStore ? /unexpected EOF/ : /tar|archive|image format|manifest/i,
    );
  });

  it('load refuses data that is not bytes, and a path that is not a readable file, before sending anything', async () => {
    await expect(docker.images.load(42 as unknown as Uint8Array)).rejects.toThrow(InvalidArgument);
    const dir = mkdtempSync(join(tmpdir(), 'dockwire-load-'));
    try {
      await expect(docker.images.load(join(dir, 'absent.tar'))).rejects.toThrow(/cannot read .*absent\.tar: ENOENT/);
      await expect(docker.images.load(dir)).rejects.toThrow(/is not a file/);
      await expect(docker.images.load(dir)).rejects.toBeInstanceOf(InvalidArgument);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
