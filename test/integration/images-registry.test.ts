// Push, pull, registry data and search against the real registries the harness started.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GenericContainer, Wait } from 'testcontainers';
import { describe, expect, it } from 'vitest';
import {
  APIError,
  Docker,
  DockerError,
  Image,
  InvalidArgument,
  NotFound,
  StreamError,
  pullImage,
  type ProgressEvent,
} from '../../src/api.js';
import { client, engine, podman, uniqueName } from '../support/engine.js';
import { tagBase } from '../support/images.js';
import { startSearchRegistry } from '../support/search-registry.js';
import { engineSuite } from '../support/suite.js';
import { tempDir } from '../support/temp.js';

const { docker, made } = engineSuite();

/** Runs `image` with testcontainers (no network) and returns what `echo` printed. */
async function runEcho(image: string, text: string): Promise<string> {
  const container = await new GenericContainer(image)
    .withNetworkMode('none')
    .withCommand(['sh', '-c', `echo ${text}; sleep 60`])
    .withWaitStrategy(Wait.forLogMessage(text))
    .start();
  try {
    const { output } = await container.exec(['cat', '/etc/passwd']);
    expect(output).toContain('root:x:0:0');
    const logs = await container.logs();
    let out = '';
    for await (const line of logs) {
      out += String(line);
      if (out.includes(text)) break;
    }
    return out;
  } finally {
    await container.stop({ timeout: 1 });
  }
}

describe('push and pull through the open registry', () => {
  const repo = `${engine.registry}/dockwire/e2e-${uniqueName('r')}`;
  let pushedDigest = '';
  let baseId = '';

  it('pushes a tag, with live events and a running total', async () => {
    tagBase(`${repo}:v1`);
    made.push(`${repo}:v1`);
    baseId = (await docker.images.get(`${repo}:v1`)).id;
    const job = docker.images.push(repo, { tag: 'v1' });
    const events: ProgressEvent[] = [];
    for await (const event of job) events.push(event);
    const result = await job;
    expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.pushed).toEqual([expect.objectContaining({ tag: 'v1', digest: result.digest })]);
    expect(events.some((e) => e.status === `v1: digest: ${result.digest} size: ${result.pushed[0]!.size}`)).toBe(true);
    if (podman) {
      // Podman streams no per-layer progress for a push: only the first line and the digest line
      expect(job.totals.layersTotal).toBe(0);
    } else {
      // a layer the registry holds under another repository is mounted rather than uploaded
      expect(events.some((e) => /^(Pushed|Layer already exists|Mounted from)/.test(e.status ?? ''))).toBe(true);
      expect(job.totals.layersTotal).toBeGreaterThan(0);
    }
    expect(job.totals.layersDone).toBe(job.totals.layersTotal);
    pushedDigest = result.digest!;
  });

  it('removes it locally, pulls it back by tag, and the pulled image runs', async () => {
    await docker.images.remove(`${repo}:v1`, { force: true });
    await expect(docker.images.get(`${repo}:v1`)).rejects.toBeInstanceOf(NotFound);
    const job = docker.images.pull(`${repo}:v1`);
    const events: ProgressEvent[] = [];
    for await (const event of job) events.push(event);
    const image = await job;
    expect(image).toBeInstanceOf(Image);
    expect(image.id).toBe(baseId);
    expect(image.tags).toContain(`${repo}:v1`);
    expect(events.some((e) => /Pull complete|Already exists|Downloaded newer image/.test(e.status ?? ''))).toBe(true);
    expect(job.totals.layersDone).toBe(job.totals.layersTotal);
    expect(await runEcho(`${repo}:v1`, 'hello-from-pulled')).toContain('hello-from-pulled');
  });

  it('pulls by digest, inside the name and as the tag option', async () => {
    await docker.images.remove(`${repo}:v1`, { force: true });
    const byDigest = await docker.images.pull(`${repo}@${pushedDigest}`);
    expect(byDigest.id).toBe(baseId);
    expect(byDigest.attrs.RepoDigests).toContain(`${repo}@${pushedDigest}`);
    const again = await docker.images.pull(repo, { tag: pushedDigest });
    expect(again.id).toBe(baseId);
  });

  it('with no tag pulls latest', async () => {
    tagBase(`${repo}:latest`);
    made.push(`${repo}:latest`);
    await docker.images.push(repo, { tag: 'latest' });
    await docker.images.remove(`${repo}:latest`, { force: true });
    const image = await docker.images.pull(repo);
    expect(image.tags).toContain(`${repo}:latest`);
  });

  it('allTags pulls every tag and resolves to the images', async () => {
    tagBase(`${repo}:v2`);
    made.push(`${repo}:v2`);
    await docker.images.push(repo, { tag: 'v2' });
    for (const t of ['v1', 'v2', 'latest'])
      await docker.images.remove(`${repo}:${t}`, { force: true }).catch(() => undefined);
    const images = await docker.images.pull(repo, { allTags: true });
    expect(Array.isArray(images)).toBe(true);
    const tags = images.flatMap((i) => i.tags);
    if (podman) {
      // Podman's compat pull without a tag pulls latest only (README, Podman)
      expect(tags).toContain(`${repo}:latest`);
      expect(tags).not.toContain(`${repo}:v2`);
    } else {
      expect(tags).toEqual(expect.arrayContaining([`${repo}:v1`, `${repo}:v2`, `${repo}:latest`]));
    }
  });

  it('the low-level pull gives the raw events', async () => {
    const log = await pullImage(docker, `${repo}:v1`);
    expect(log.some((e) => typeof e.status === 'string')).toBe(true);
  });

  it('pulling a tag the registry does not have is a typed error', async () => {
    const error = await docker.images.pull(`${repo}:absent`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerError);
    expect(error instanceof APIError || error instanceof StreamError).toBe(true);
    expect((error as Error).message).toMatch(/not found|unknown/i);
  });

  it('getRegistryData gives the digest and platforms', async () => {
    if (podman) {
      // Podman 4.3 has no GET /distribution/{name}/json: a plain-text 404, a NotFound (README, Podman)
      await expect(docker.images.getRegistryData(`${repo}:v1`)).rejects.toBeInstanceOf(NotFound);
      return;
    }
    const data = await docker.images.getRegistryData(`${repo}:v1`);
    expect(data.id).toBe(pushedDigest);
    expect(data.shortId).toBe(pushedDigest.slice(0, 17));
    expect(data.attrs.Descriptor.digest).toBe(pushedDigest);
    // The engine's Platforms, or, where it sends none (Docker 28's and 29's containerd store, for
    // the single OCI image it pushed), what the registry itself says: the truth on every engine
    expect(data.platforms).toEqual([expect.objectContaining({ os: 'linux', architecture: 'amd64' })]);
    expect(data.platforms).toEqual([
      expect.objectContaining(await docker.registry.platforms(`${repo}@${pushedDigest}`).then((p) => p[0])),
    ]);
    expect(data.hasPlatform('linux/amd64')).toBe(true);
    expect(data.hasPlatform({ os: 'linux', architecture: 'x86_64' })).toBe(true);
    expect(data.hasPlatform('linux')).toBe(true);
    expect(data.hasPlatform('linux/s390x')).toBe(false);
    expect(data.hasPlatform('windows/amd64')).toBe(false);
    for (const bad of ['', 'a/b/c/d', 'linux//v7', 'linux/ amd64'])
      expect(() => data.hasPlatform(bad), bad).toThrow(InvalidArgument);
    expect(() => data.hasPlatform(42 as unknown as string)).toThrow(InvalidArgument);
    await data.reload();
    expect(data.id).toBe(pushedDigest);
  });

  // (Podman 4.3 has no GET /distribution/{name}/json, so no RegistryData: see the test above)
  it.skipIf(podman)('registryData.pull pulls exactly that digest', async () => {
    const data = await docker.images.getRegistryData(`${repo}:v1`);
    await docker.images.remove(`${repo}:v1`, { force: true }).catch(() => undefined);
    const image = await data.pull();
    expect(image.id).toBe(baseId);
    expect(image.attrs.RepoDigests).toContain(`${repo}@${pushedDigest}`);
  });
});

describe('the htpasswd registry', () => {
  const reg = engine.authRegistry;
  const repo = `${reg}/dockwire/private-${uniqueName('p')}`;
  const good = { username: engine.authUser, password: engine.authPassword };

  it('refuses a push without credentials, inside the 200 stream, as a StreamError', async () => {
    tagBase(`${repo}:anon`);
    made.push(`${repo}:anon`);
    const anonymous = client({ configDir: tempDir() });
    const error = await anonymous.images.push(repo, { tag: 'anon' }).catch((e: unknown) => e);
    await anonymous.close();
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).message).toMatch(/auth/i);
    expect((error as StreamError).log.length).toBeGreaterThan(0);
  });

  it('pushes and pulls with an explicit authConfig', async () => {
    tagBase(`${repo}:explicit`);
    made.push(`${repo}:explicit`);
    const d = client({ configDir: tempDir() });
    const pushed = await d.images.push(repo, { tag: 'explicit', authConfig: good });
    expect(pushed.digest).toMatch(/^sha256:/);
    await d.images.remove(`${repo}:explicit`);
    const image = await d.images.pull(`${repo}:explicit`, { authConfig: good });
    expect(image.tags).toContain(`${repo}:explicit`);
    await d.close();
  });

  /** Tags the base image as `repo:tag`, pushes it with `d`, removes it, pulls it back with `d`. */
  async function roundTrip(d: Docker, tag: string): Promise<void> {
    tagBase(`${repo}:${tag}`);
    made.push(`${repo}:${tag}`);
    await d.images.push(repo, { tag });
    await d.images.remove(`${repo}:${tag}`);
    expect((await d.images.pull(`${repo}:${tag}`)).tags).toContain(`${repo}:${tag}`);
  }

  it('pushes and pulls after login(), which remembers the credentials', async () => {
    const d = client({ configDir: tempDir() });
    const result = await d.login({ ...good, registry: reg });
    expect(result.Status).toMatch(/Login Succeeded/);
    await roundTrip(d, 'login');
    await d.close();
  });

  it('uses config.json auths from DOCKER_CONFIG', async () => {
    const dir = tempDir();
    const auth = Buffer.from(`${good.username}:${good.password}`).toString('base64');
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [`http://${reg}`]: { auth } } }));
    const d = client({ configDir: dir });
    await roundTrip(d, 'config');
    await d.close();
  });

  it('uses a credential helper on PATH; a broken helper for another registry changes nothing', async () => {
    const bin = tempDir();
    const helper = join(bin, 'docker-credential-dwtest');
    writeFileSync(
      helper,
      `#!/bin/sh\nread server\n[ "$1" = get ] || exit 1\n[ "$server" = "${reg}" ] || { echo "credentials not found" >&2; exit 1; }\nprintf '{"ServerURL":"%s","Username":"${good.username}","Secret":"${good.password}"}' "$server"\n`,
    );
    chmodSync(helper, 0o755);
    const broken = join(bin, 'docker-credential-broken');
    writeFileSync(broken, '#!/bin/sh\necho "it is broken" >&2\nexit 3\n');
    chmodSync(broken, 0o755);
    const dir = tempDir();
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ credHelpers: { [reg]: 'dwtest', [engine.registry]: 'broken', 'other.example:1': 'missing' } }),
    );
    const savedPath = process.env['PATH'];
    process.env['PATH'] = `${bin}:${savedPath}`;
    try {
      const d = client({ configDir: dir });
      await roundTrip(d, 'helper');
      // the open registry's helper is broken: its pulls go on anonymously
      const openRepo = `${engine.registry}/dockwire/helper-${uniqueName('h')}`;
      tagBase(`${openRepo}:x`);
      made.push(`${openRepo}:x`);
      await d.images.push(openRepo, { tag: 'x' });
      await d.close();
    } finally {
      process.env['PATH'] = savedPath;
    }
  });

  it('wrong credentials are a typed error that never shows the password', async () => {
    const marker = `MARKER-${uniqueName('pw')}`;
    const wrong = { username: engine.authUser, password: marker };
    const d = client({ configDir: tempDir() });
    const errors: unknown[] = [];
    errors.push(await d.login({ ...wrong, registry: reg }).catch((e: unknown) => e));
    errors.push(await d.images.push(repo, { tag: 'explicit', authConfig: wrong }).catch((e: unknown) => e));
    errors.push(await d.images.pull(`${repo}:explicit`, { authConfig: wrong }).catch((e: unknown) => e));
    errors.push(await d.images.getRegistryData(`${repo}:explicit`, { authConfig: wrong }).catch((e: unknown) => e));
    await d.close();
    for (const error of errors) {
      expect(error).toBeInstanceOf(DockerError);
      const everything =
        JSON.stringify(error, Object.getOwnPropertyNames(error)) + String(error) + (error as Error).stack;
      expect(everything).not.toContain(marker);
      expect(everything).not.toContain(Buffer.from(marker).toString('base64').slice(0, 12));
    }
    expect(errors[0]).toBeInstanceOf(APIError);
  });
});

describe('images.search', () => {
  it('searches a loopback registry: Docker through its v1 search endpoint, Podman through its catalog', async () => {
    if (podman) await searchCatalog();
    else await searchV1();
  });

  async function searchCatalog(): Promise<void> {
    // Podman lists a registry's /v2/_catalog and filters it; its results get Docker's field names
    const repo = `${engine.registry}/dockwire/searchable-${uniqueName('s')}`;
    tagBase(`${repo}:v1`);
    made.push(`${repo}:v1`);
    await docker.images.push(repo, { tag: 'v1' });
    const results = await docker.images.search(`${engine.registry}/searchable-`, { limit: 100 });
    expect(results.map((r) => r.name)).toContain(repo);
    expect(results.find((r) => r.name === repo)).toMatchObject({
      description: '',
      star_count: 0,
      is_official: false,
      is_automated: false,
    });
  }

  async function searchV1(): Promise<void> {
    const registry = await startSearchRegistry([
      { name: 'team/wire', description: 'the wire', star_count: 7 },
      { name: 'team/other', description: 'not it', star_count: 1 },
      { name: 'team/wire-tools', description: 'more wire', star_count: 2 },
    ]);
    try {
      const results = await docker.images.search(`${registry.address}/wire`, { limit: 5 });
      expect(results.map((r) => r.name).sort()).toEqual(['team/wire', 'team/wire-tools']);
      expect(results.find((r) => r.name === 'team/wire')).toMatchObject({
        description: 'the wire',
        star_count: 7,
        is_official: false,
      });
      expect(registry.requests.some((r) => r.url === '/v1/search?q=wire&n=5')).toBe(true);
      const one = await docker.images.search(`${registry.address}/wire`, { limit: 1 });
      expect(one).toHaveLength(1);
    } finally {
      await registry.close();
    }
  }

  it('refuses an empty term and a bad limit before asking the engine', async () => {
    await expect(docker.images.search('')).rejects.toBeInstanceOf(InvalidArgument);
    await expect(docker.images.search(`${engine.registry}/x`, { limit: 0 })).rejects.toBeInstanceOf(InvalidArgument);
  });
});
