// The image API from 1.42 to 1.55: platforms of multi-platform images and the options that select
// them, on engines with the containerd image store (Docker 28, 29); and on engines whose API is
// older than an option (Docker 20.10, Podman: 1.41; Docker 28: 1.51), that option refused before
// any request, naming the version it needs.
import { describe, expect, it } from 'vitest';
import {
  APIError,
  ImageNotFound,
  InvalidArgument,
  type Docker,
  type Image,
  type ImageManifestSummary,
} from '../../src/api.js';
import { facts, speaks } from '../support/capabilities.js';
import { countingClient } from '../support/counting.js';
import { client, engine, uniqueName } from '../support/engine.js';
import { removeQuietly, tagBase } from '../support/images.js';
import { pushMultiPlatformImage, type MultiPlatformImage } from '../support/multi-platform.js';
import { engineSuite } from '../support/suite.js';
import { readTar } from '../support/tar.js';
import { bufferIo } from '../support/cli-io.js';

const { docker, made } = engineSuite();

async function bytesOf(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of source) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

/** The platforms (os/arch) of `manifests` that are here, and those that are not. */
function availability(manifests: ImageManifestSummary[] | null | undefined): { here: string[]; missing: string[] } {
  const images = (manifests ?? []).filter((m) => m.Kind === 'image');
  const name = (m: ImageManifestSummary): string => `${m.ImageData?.Platform.os}/${m.ImageData?.Platform.architecture}`;
  return {
    here: images
      .filter((m) => m.Available)
      .map(name)
      .sort(),
    missing: images
      .filter((m) => !m.Available)
      .map(name)
      .sort(),
  };
}

// (a graph-driver store keeps one platform of an image and no index: these need the containerd store)
describe.runIf(facts.containerdStore && speaks('1.50'))(
  'multi-platform images (the containerd image store, API 1.50)',
  () => {
    let multi: MultiPlatformImage;
    const amd64 = { os: 'linux', architecture: 'amd64' };
    const arm64 = 'linux/arm64';

    it('pulls one platform of a two-platform index: list with manifests says which is here', async () => {
      multi = await pushMultiPlatformImage();
      made.push(multi.reference);
      const image = await docker.images.pull(multi.reference, { platform: 'linux/amd64' });
      expect(image.id).toBe(multi.indexDigest);
      const [listed] = await docker.images.list({ name: multi.repository, manifests: true });
      expect(listed?.id).toBe(multi.indexDigest);
      expect(availability(listed?.attrs.Manifests)).toEqual({ here: ['linux/amd64'], missing: ['linux/arm64'] });
      const summaries = await docker.images.list({ name: multi.repository, sharedSize: true });
      expect(typeof summaries[0]?.attrs.Id).toBe('string');
    });

    it('registry data lists both platforms of the index', async () => {
      const data = await docker.images.getRegistryData(multi.reference);
      expect(data.id).toBe(multi.indexDigest);
      expect(data.hasPlatform('linux/amd64')).toBe(true);
      expect(data.hasPlatform({ os: 'linux', architecture: 'aarch64' })).toBe(true);
      expect(data.hasPlatform('linux/s390x')).toBe(false);
    });

    it('inspects by platform (a platform that is not here is ImageNotFound), or with manifests', async () => {
      const one = await docker.images.get(multi.reference, { platform: amd64 });
      expect(one.attrs.Architecture).toBe('amd64');
      // A platform whose content is not here: Docker 28.5 answers 404 (ImageNotFound); Docker 29.7
      // answers with what it has, the index's descriptor of that manifest and no config (Architecture
      // and Os empty), at every API version: either answer is asserted as it is.
      const absent = await docker.images.get(multi.reference, { platform: arm64 }).catch((e: unknown) => e);
      if (absent instanceof Error) expect(absent).toBeInstanceOf(ImageNotFound);
      else
        expect((absent as Image).attrs).toMatchObject({
          Architecture: '',
          Os: '',
          Descriptor: { digest: multi.manifests['linux/arm64'], platform: { os: 'linux', architecture: 'arm64' } },
        });
      const all = await docker.images.get(multi.reference, { manifests: true });
      expect(availability(all.attrs.Manifests).here).toEqual(['linux/amd64']);
      expect(all.attrs.Descriptor?.digest).toBe(multi.indexDigest);
    });

    it('pulls the second platform; history and save by platform', async () => {
      await docker.images.pull(multi.reference, { platform: { os: 'linux', architecture: 'arm64' } });
      const image = await docker.images.get(multi.reference, { manifests: true });
      expect(availability(image.attrs.Manifests)).toEqual({ here: ['linux/amd64', 'linux/arm64'], missing: [] });
      const history = await image.history({ platform: arm64 });
      expect(history.length).toBeGreaterThan(0);
      // saved with a platform, the OCI layout's index names that platform's manifest alone
      const saved = readTar(await bytesOf(image.save({ platform: arm64 })));
      const index = JSON.parse(Buffer.from(saved.find((e) => e.name === 'index.json')!.content).toString()) as {
        manifests: Array<{ digest: string }>;
      };
      const blobs = saved
        .filter((e) => e.name.startsWith('blobs/sha256/'))
        .map((e) => `sha256:${e.name.slice('blobs/sha256/'.length)}`);
      expect(blobs).toContain(multi.manifests['linux/arm64']);
      expect(blobs).not.toContain(multi.manifests['linux/amd64']);
      expect(index.manifests.length).toBe(1);
    });

    it.runIf(speaks('1.52'))(
      'saves several platforms (API 1.52): both manifests, and only what they name',
      async () => {
        const image = await docker.images.get(multi.reference);
        const saved = readTar(await bytesOf(image.save({ platforms: [arm64, amd64] })));
        const blobs = saved
          .filter((e) => e.name.startsWith('blobs/sha256/'))
          .map((e) => `sha256:${e.name.slice('blobs/sha256/'.length)}`);
        expect(blobs).toEqual(expect.arrayContaining([multi.manifests['linux/arm64'], multi.manifests['linux/amd64']]));
        // one platform of the two is what `platform` saves
        const one = readTar(await bytesOf(image.save({ platforms: [arm64] })));
        expect(one.map((e) => e.name)).not.toContain(`blobs/sha256/${multi.manifests['linux/amd64'].slice(7)}`);
      },
    );

    it('removes one platform (with force, as the engine asks), and loads one platform of a whole archive', async () => {
      const archive = await bytesOf((await docker.images.get(multi.reference)).save({ named: true }));
      const refused = await docker.images.remove(multi.reference, { platforms: [arm64] }).catch((e: unknown) => e);
      expect((refused as APIError).statusCode).toBe(400); // "Use --force to force delete"
      const removed = await docker.images.remove(multi.reference, { platforms: [arm64], force: true });
      expect(removed).toEqual([{ Deleted: multi.manifests['linux/arm64'] }]);
      const manifests = async (): Promise<ImageManifestSummary[]> =>
        (await docker.images.get(multi.reference, { manifests: true })).attrs.Manifests ?? [];
      expect(availability(await manifests())).toEqual({ here: ['linux/amd64'], missing: ['linux/arm64'] });
      // Loaded with a platform onto an engine without the image, only that platform is unpacked
      // (Docker 28.5 still takes every platform's content from the archive into its store).
      await docker.images.remove(multi.reference, { force: true });
      const loaded = await docker.images.load(archive, { platform: 'linux/amd64' });
      expect(loaded.map((i) => i.id)).toEqual([multi.indexDigest]);
      const unpacked = Object.fromEntries(
        (await manifests())
          .filter((m) => m.Kind === 'image')
          .map((m) => [m.ImageData?.Platform.architecture, m.ImageData?.Size.Unpacked]),
      );
      expect(unpacked['amd64']).toBeGreaterThan(0);
      expect(unpacked['arm64']).toBe(0);
      if (speaks('1.52')) {
        // several platforms (API 1.52): each one named is unpacked
        await docker.images.remove(multi.reference, { force: true });
        await docker.images.load(archive, { platforms: ['linux/amd64', arm64] });
        const both = Object.fromEntries(
          (await manifests())
            .filter((m) => m.Kind === 'image')
            .map((m) => [m.ImageData?.Platform.architecture, m.ImageData?.Size.Unpacked]),
        );
        expect(both['amd64']).toBeGreaterThan(0);
        expect(both['arm64']).toBeGreaterThan(0);
      }
    });

    it('pushes one platform of a multi-platform image', async () => {
      // (after the load of one platform above, Docker 28.5 may keep arm64's content without counting
      // it a platform the image provides, and answer 404 "does not provide any platform" here: then
      // there is nothing to remove; the push below is what this test is about)
      await docker.images.remove(multi.reference, { platforms: [arm64], force: true }).catch((error: unknown) => {
        if (!(error instanceof ImageNotFound)) throw error;
      });
      const single = `${multi.repository}-amd64`;
      await (await docker.images.get(multi.reference)).tag(single, 'only');
      made.push(`${single}:only`);
      // the push sends that platform's manifest alone (its digest), not the index
      const { digest } = await docker.images.push(single, { tag: 'only', platform: amd64 });
      expect(digest).toBe(multi.manifests['linux/amd64']);
    });

    it('ls --tree draws each image with its platforms', async () => {
      const { main } = await import('../../src/cli/main.js');
      const buffers = bufferIo({ env: { DOCKER_HOST: engine.host } });
      const code = await main(['ls', '--tree', multi.repository], buffers.io);
      expect(code).toBe(0);
      const lines = buffers.out().trimEnd().split('\n');
      expect(lines[0]).toMatch(/^IMAGE\s+ID\s+DISK USAGE\s+CONTENT SIZE$/);
      // (the image has a second name, the single-platform push's tag: each name gets its tree)
      const at = lines.findIndex((l) => l.startsWith(`${multi.reference} `));
      expect(lines[at]?.split(/\s+/).slice(0, 2)).toEqual([multi.reference, multi.indexDigest.slice(7, 19)]);
      expect(lines.slice(at + 1, at + 3).map((l) => l.replace(/\s+/g, ' '))).toEqual([
        expect.stringMatching(
          new RegExp(`^├─ linux/amd64 ${multi.manifests['linux/amd64'].slice(7, 19)} \\S+ \\S+ \\S+ \\S+$`),
        ),
        expect.stringMatching(
          new RegExp(`^└─ linux/arm64 ${multi.manifests['linux/arm64'].slice(7, 19)} .* not here$`),
        ),
      ]);
    });

    it('pruneBuilds takes reservedSpace, maxUsedSpace and minFreeSpace', async () => {
      const result = await docker.images.pruneBuilds({
        reservedSpace: 2 ** 30,
        maxUsedSpace: 2 ** 31,
        minFreeSpace: 2 ** 20,
      });
      expect(Array.isArray(result.cachesDeleted)).toBe(true);
      expect(await docker.images.pruneBuilds({ keepStorage: 2 ** 30 })).toMatchObject({
        spaceReclaimed: expect.any(Number),
      });
    });
  },
);

describe('options newer than the engine speaks are refused before any request', () => {
  const platform = 'linux/amd64';
  const cases: Array<[string, string, (d: Docker) => Promise<unknown>]> = [
    [
      'save: platforms',
      '1.52',
      async (d) => bytesOf((await d.images.get(engine.baseImage)).save({ platforms: [platform, 'linux/arm64'] })),
    ],
    [
      'load: platforms',
      '1.52',
      (d) => d.images.load(new Uint8Array(1024), { platforms: [platform, 'linux/arm64'] }).then((x) => x),
    ],
    ['list: identity', '1.54', (d) => d.images.list({ manifests: true, identity: true })],
    ['attestations', '1.55', async (d) => (await d.images.get(engine.baseImage)).attestations({ statement: true })],
    ['list: manifests', '1.47', (d) => d.images.list({ manifests: true })],
    ['list: sharedSize', '1.42', (d) => d.images.list({ sharedSize: true })],
    ['inspect: platform', '1.49', (d) => d.images.get(engine.baseImage, { platform })],
    ['inspect: manifests', '1.48', (d) => d.images.get(engine.baseImage, { manifests: true })],
    ['history: platform', '1.48', async (d) => (await d.images.get(engine.baseImage)).history({ platform })],
    ['save: platform', '1.48', async (d) => bytesOf((await d.images.get(engine.baseImage)).save({ platform }))],
    ['load: platform', '1.48', (d) => d.images.load(new Uint8Array(1024), { platform }).then((x) => x)],
    [
      'push: platform',
      '1.46',
      (d) =>
        d.images.push(`${engine.registry}/dockwire/never-${uniqueName('p')}`, { tag: 'x', platform }).then((x) => x),
    ],
    ['remove: platforms', '1.50', (d) => d.images.remove(engine.baseImage, { platforms: [platform] })],
    ['pruneBuilds: reservedSpace', '1.48', (d) => d.images.pruneBuilds({ reservedSpace: 1 })],
    ['pruneBuilds: maxUsedSpace', '1.48', (d) => d.images.pruneBuilds({ maxUsedSpace: 1 })],
    ['pruneBuilds: minFreeSpace', '1.48', (d) => d.images.pruneBuilds({ minFreeSpace: 1 })],
  ];

  // (each case where the engine's API is older than the option: on an engine that speaks it, the
  // option's own tests show it working)
  for (const [option, version, call] of cases) {
    it.skipIf(speaks(version))(`${option} needs API ${version}`, async () => {
      const { docker: d, sent } = countingClient();
      expect(await d.api.apiVersion()).toBe(facts.api);
      // (a call that first inspects the image sends that inspect, and nothing of the option's own)
      const before = sent.length;
      const error = await call(d).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgument);
      expect((error as Error).message).toBe(
        `${option} needs API ${version}; the engine and dockwire speak ${facts.api}`,
      );
      const after = sent.slice(before).map((r) => `${r.method} ${r.path.split('?')[0]}`);
      const inspect = new RegExp(`^GET /v${facts.api.replace('.', '\\.')}/images/.+/json$`);
      expect(after.filter((r) => !inspect.test(r))).toEqual([]);
      await d.close();
    });
  }

  it.skipIf(speaks('1.48'))('keepStorage is sent as keep-storage, its name before 1.48', async () => {
    const { docker: d, sent } = countingClient();
    await d.images.pruneBuilds({ keepStorage: 1 << 30 }).catch(() => undefined); // (Podman has no /build/prune)
    expect(sent.at(-1)?.path).toMatch(/\/build\/prune\?keep-storage=1073741824$/);
    await d.close();
  });
});

describe('platforms in one shape', () => {
  it('bad platforms are InvalidArgument before any request, on every option that takes one', async () => {
    const d = client();
    for (const bad of ['', 'a/b/c/d', 'linux/ amd64', { os: '' }, 42, ['linux']] as unknown[]) {
      await expect(
        d.images.pull(`${engine.registry}/x:1`, { platform: bad as string }),
        JSON.stringify(bad),
      ).rejects.toThrow(InvalidArgument);
      await expect(
        d.images.get(engine.baseImage, { platform: bad as string }),
        JSON.stringify(bad),
      ).rejects.toBeInstanceOf(InvalidArgument);
    }
    // the JSON form needs both an os and an architecture, as the engine does
    await expect(d.images.remove(engine.baseImage, { platforms: ['linux'] })).rejects.toThrow(
      /platforms\[0\] needs both an os and an architecture/,
    );
    await expect(d.images.remove(engine.baseImage, { platforms: [] })).rejects.toThrow(InvalidArgument);
    await d.close();
  });

  it('pull takes the object form too', async () => {
    const name = `${engine.registry}/dockwire/shape-${uniqueName('s')}`;
    tagBase(`${name}:v1`);
    made.push(`${name}:v1`);
    await docker.images.push(name, { tag: 'v1' });
    removeQuietly(`${name}:v1`);
    const image = await docker.images.pull(name, { tag: 'v1', platform: { os: 'linux', architecture: 'x86_64' } });
    expect(image.tags).toContain(`${name}:v1`);
  });
});
