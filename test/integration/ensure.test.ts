// images.ensure against the real engine and registries: pull only when needed, once for many
// callers (counted by a proxy in front of the engine), through a registry's rate limit (a proxy
// in front of the registry that answers 429).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, Docker, ImageNotFound, InvalidArgument, type ProgressEvent } from '../../src/api.js';
import { engine, podman, uniqueName } from '../support/engine.js';
import { loadImageFor, removeQuietly, tagBase } from '../support/images.js';
import { engineProxy, rateLimitedRegistry, type EngineProxy } from '../support/proxies.js';
import { engineSuite } from '../support/suite.js';

const { docker, made } = engineSuite();
let proxy: EngineProxy;
let d: Docker;
let baseId: string;

/** The pulls (POST /images/create?fromImage=) that reached the engine through the proxy so far. */
const pulls = (): string[] => proxy.requests.filter((r) => /^POST \/v[\d.]+\/images\/create\?fromImage=/.test(r));

/** `repository:v1` in the open registry, holding the base image, and absent here. */
async function inRegistryOnly(prefix: string): Promise<string> {
  const name = `${engine.registry}/dockwire/${prefix}-${uniqueName('e')}:v1`;
  tagBase(name);
  made.push(name);
  await docker.images.push(name);
  removeQuietly(name);
  return name;
}

beforeAll(async () => {
  proxy = await engineProxy(engine.host);
  d = new Docker({ host: proxy.host });
  baseId = (await docker.images.get(engine.baseImage)).id;
});

afterAll(async () => {
  await d.close();
  await proxy.close();
});

describe('images.ensure', () => {
  it('20 concurrent calls for a missing image: one inspect and one pull reach the engine, each caller gets its own Image', async () => {
    const name = await inRegistryOnly('ensure-many');
    const inspects = (): string[] => proxy.requests.filter((r) => r.includes(`/images/${name}/json `));
    const before = { pulls: pulls().length, requests: proxy.requests.length };
    const images = await Promise.all(Array.from({ length: 20 }, () => d.images.ensure(name)));
    expect(pulls().length - before.pulls).toBe(1);
    expect(new Set(images).size).toBe(20);
    for (const image of images) expect(image.id).toBe(baseId);
    expect(images[0]!.attrs).not.toBe(images[1]!.attrs);
    // one inspect before the pull, one after it, whatever the number of callers
    expect(inspects().length).toBe(2);
    // present now: 20 more callers, no pull
    const again = await Promise.all(Array.from({ length: 20 }, () => d.images.ensure(name)));
    expect(pulls().length - before.pulls).toBe(1);
    expect(again.every((i) => i.id === baseId)).toBe(true);
    expect(proxy.requests.length - before.requests).toBeLessThan(10);
  });

  it("'always' pulls although present; 'never' on a missing image is ImageNotFound with no pull", async () => {
    const name = await inRegistryOnly('ensure-policy');
    await d.images.ensure(name);
    const before = pulls().length;
    const job = d.images.ensure(name, { pull: 'always' });
    const events: ProgressEvent[] = [];
    for await (const event of job) events.push(event);
    expect((await job).id).toBe(baseId);
    expect(events.length).toBeGreaterThan(0);
    // the totals count the layers the events name, every one of them done once the pull is
    const layers = new Set(events.filter((e) => e.status && /^[0-9a-f]{12,64}$/.test(e.id ?? '')).map((e) => e.id));
    expect(job.totals.layersTotal).toBe(layers.size);
    expect(job.totals.layersDone).toBe(layers.size);
    expect(job.tries).toBe(1);
    expect(pulls().length - before).toBe(1);
    removeQuietly(name);
    await expect(d.images.ensure(name, { pull: 'never' })).rejects.toBeInstanceOf(ImageNotFound);
    expect(pulls().length - before).toBe(1);
  });

  it('two different names at once: two pulls', async () => {
    const [a, b] = await Promise.all([inRegistryOnly('ensure-a'), inRegistryOnly('ensure-b')]);
    const before = pulls().length;
    const [ia, ib] = await Promise.all([d.images.ensure(a!), d.images.ensure(b!)]);
    expect(pulls().length - before).toBe(2);
    expect(ia.tags).toContain(a);
    expect(ib.tags).toContain(b);
  });

  it('maxAge pulls an old image again, and not a young one', async () => {
    const name = await inRegistryOnly('ensure-age');
    await d.images.ensure(name);
    const created = Date.parse((await d.images.get(name)).attrs.Created!);
    const age = Date.now() - created;
    const before = pulls().length;
    await d.images.ensure(name, { pull: { maxAge: age + 3_600_000 } });
    expect(pulls().length - before).toBe(0);
    await d.images.ensure(name, { pull: { maxAge: Math.max(0, age - 1000) } });
    expect(pulls().length - before).toBe(1);
  });

  it('a present image of another platform counts as missing', async () => {
    const name = `${engine.registry}/dockwire/ensure-arm-${uniqueName('p')}:v1`;
    made.push(name);
    await loadImageFor('linux/arm64', name);
    await docker.images.push(name);
    removeQuietly(name);
    tagBase(name); // here: the amd64 base image under the same name
    const before = pulls().length;
    expect((await d.images.ensure(name)).attrs.Architecture).toBe('amd64');
    expect(pulls().length - before).toBe(0);
    const arm = await d.images.ensure(name, { platform: 'linux/arm64' });
    expect(arm.attrs.Architecture).toBe('arm64');
    expect(pulls().length - before).toBe(1);
    // and now it fits: no pull
    await d.images.ensure(name, { platform: { os: 'linux', architecture: 'aarch64' } });
    expect(pulls().length - before).toBe(1);
  });

  it('a failing pull rejects every waiter with the same error code, and is not remembered', async () => {
    const name = `${engine.registry}/dockwire/ensure-absent-${uniqueName('x')}:v1`;
    const before = pulls().length;
    const errors = await Promise.all(
      Array.from({ length: 5 }, () =>
        d.images.ensure(name, { retries: 0 }).then(
          () => undefined,
          (e: unknown) => e,
        ),
      ),
    );
    expect(pulls().length - before).toBe(1);
    const codes = new Set(errors.map((e) => (e as { code?: string }).code));
    expect(codes.size).toBe(1);
    expect([...codes][0]).toMatch(/^ERR_DOCKER_(IMAGE_NOT_FOUND|NOT_FOUND|STREAM|API)$/);
    await d.images.ensure(name, { retries: 0 }).catch(() => undefined);
    expect(pulls().length - before).toBe(2);
  });

  it('one of two waiters aborting rejects with AbortError; the other still gets the image', async () => {
    const name = await inRegistryOnly('ensure-abort');
    const controller = new AbortController();
    const leaving = d.images.ensure(name, { signal: controller.signal });
    const staying = d.images.ensure(name);
    const left = (async () => {
      for await (const _ of leaving) controller.abort();
    })();
    await expect(left).rejects.toBeInstanceOf(AbortError);
    await expect(leaving).rejects.toBeInstanceOf(AbortError);
    expect((await staying).id).toBe(baseId);
  });

  it('refuses bad options before any request, by rejecting', async () => {
    await expect(d.images.ensure('Bad Name')).rejects.toThrow(InvalidArgument);
    await expect(d.images.ensure('a/b:1', { pull: 'sometimes' as 'always' })).rejects.toThrow(/pull must be/);
    await expect(d.images.ensure('a/b:1', { retries: -1 })).rejects.toThrow(/retries/);
    await expect(d.images.ensure('a/b:1', { platform: 'a/b/c/d' })).rejects.toThrow(InvalidArgument);
  });
});

// (Podman speaks plain HTTP only to the registries its registries.conf lists: not to this proxy's port)
describe.skipIf(podman)('a registry that rate-limits', () => {
  it('ensure retries a 429: the first two pulls are refused, the third succeeds; with retries: 0 it fails naming the rate limit', async () => {
    const name = await inRegistryOnly('ensure-429');
    const path = name.slice(engine.registry.length);
    const before = pulls().length;
    const limited = await rateLimitedRegistry(engine.registry, () => pulls().length - before <= 2);
    try {
      const job = d.images.ensure(`${limited.address}${path}`);
      const image = await job;
      made.push(`${limited.address}${path}`);
      expect(image.id).toBe(baseId);
      expect(pulls().length - before).toBe(3);
      expect(job.tries).toBe(3);
      expect(limited.limited).toBeGreaterThanOrEqual(2);
    } finally {
      await limited.close();
    }
    const strict = await rateLimitedRegistry(engine.registry, () => true);
    try {
      const start = pulls().length;
      const error = await d.images.ensure(`${strict.address}${path}`, { retries: 0 }).catch((e: unknown) => e);
      expect((error as { code?: string }).code).toMatch(/^ERR_DOCKER_(STREAM|API)$/);
      expect((error as Error).message).toMatch(/toomanyrequests|too many requests|rate limit/i);
      expect(pulls().length - start).toBe(1);
    } finally {
      await strict.close();
    }
  });

  it("images.pull takes the same retries (default 0), rejects with the last try's error, and its job counts the tries", async () => {
    const name = await inRegistryOnly('pull-429');
    const path = name.slice(engine.registry.length);
    const limited = await rateLimitedRegistry(engine.registry, () => true);
    try {
      const before = pulls().length;
      const first = d.images.pull(`${limited.address}${path}`);
      const once = await first.catch((e: unknown) => e);
      expect((once as Error).message).toMatch(/rate limit|too many requests|toomanyrequests/i);
      expect(first.tries).toBe(1);
      expect(pulls().length - before).toBe(1);
      const retried = d.images.pull(`${limited.address}${path}`, { retries: 1 });
      const error = await retried.catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/rate limit|too many requests|toomanyrequests/i);
      expect((error as Error).message).not.toMatch(/tries/);
      expect(retried.tries).toBe(2);
      expect(pulls().length - before).toBe(3);
    } finally {
      await limited.close();
    }
  });
});
