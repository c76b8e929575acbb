// The registry client against the three real loopback registries (open, htpasswd, token auth),
// and against crane and oras on the same images: digests, manifest bytes, configs, tag lists and
// referrers must be the same. Images are made by crane (append, mutate --set-platform, index
// append); referrers are attached by oras (registry 2.8 has no referrers API: the tag fallback).
import { createHash, randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgument, ManifestNotFound, Registry, RegistryError, type ImageIndex } from '../../../src/index.js';
import { uniqueName } from '../../support/engine.js';
import {
  SBOM,
  SIG,
  crane,
  craneBytes,
  imagesFor,
  oras,
  testRegistries,
  tokenCounts,
  tokenRealm,
} from '../../support/registry-peers.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

afterAll(removeTempDirs);

describe.each(testRegistries())('Registry against the $kind registry', (target) => {
  const made = imagesFor(target);
  const registry = new Registry(target.auth ? { authConfig: target.auth } : {});
  afterAll(() => registry.close());

  it('resolve gives crane digest\u2019s digest, by tag, by digest and per platform', async () => {
    for (const ref of [made.single, made.index]) {
      const descriptor = await registry.resolve(ref);
      expect(descriptor.digest).toBe((await crane('digest', ref)).trim());
      expect(descriptor.size).toBeGreaterThan(0);
      expect((await registry.resolve(`${made.repo}@${descriptor.digest}`)).digest).toBe(descriptor.digest);
    }
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      expect((await registry.resolve(made.index, { platform })).digest).toBe(
        (await crane('digest', '--platform', platform, made.index)).trim(),
      );
    }
  });

  it('borrowChunks: reads run ahead of a consumer that keeps up, the connection not paused per chunk', async () => {
    const bytes = randomBytes(24 * 1024 * 1024);
    const { digest } = await registry.pushBlob(made.repo, bytes);
    const pause = Socket.prototype.pause;
    let pauses = 0;
    Socket.prototype.pause = function (this: Socket) {
      pauses++;
      return pause.call(this);
    };
    const hash = createHash('sha256');
    let chunks = 0;
    try {
      for await (const chunk of registry.blob(made.repo, digest, { borrowChunks: true })) {
        hash.update(chunk); // the consumer's own work, done before it asks for the next chunk
        chunks++;
      }
    } finally {
      Socket.prototype.pause = pause;
    }
    expect(`sha256:${hash.digest('hex')}`).toBe(digest);
    // lent chunks are bounded by the read ring, not by the 256 KiB an owned backlog may reach
    // (before, every read of more than that paused the connection until the consumer took it)
    expect(pauses).toBeLessThan(Math.max(2, chunks / 4));
  });

  it('manifest gives crane manifest\u2019s exact bytes, which hash to its descriptor', async () => {
    for (const ref of [made.single, made.index]) {
      const { descriptor, bytes, manifest } = await registry.manifest(ref);
      expect(Buffer.from(bytes).equals(await craneBytes('manifest', ref))).toBe(true);
      expect(descriptor.digest).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
      expect(descriptor.size).toBe(bytes.length);
      expect(manifest.schemaVersion).toBe(2);
    }
    const arm = await registry.manifest(made.index, { platform: 'linux/arm64' });
    expect(Buffer.from(arm.bytes).equals(await craneBytes('manifest', '--platform', 'linux/arm64', made.index))).toBe(
      true,
    );
    expect(arm.descriptor.platform).toMatchObject({ os: 'linux', architecture: 'arm64' });
  });

  it('config is crane config\u2019s, of a single image and of an index\u2019s platform', async () => {
    expect(await registry.config(made.single)).toEqual(JSON.parse(await crane('config', made.single)));
    const arm = await registry.config(made.index, { platform: 'linux/arm64' });
    expect(arm).toEqual(JSON.parse(await crane('config', '--platform', 'linux/arm64', made.index)));
    expect(arm).toMatchObject({ os: 'linux', architecture: 'arm64' });
  });

  it('platforms come from the index, or from a single image\u2019s config', async () => {
    expect(await registry.platforms(made.index)).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ]);
    expect(await registry.platforms(made.single)).toEqual([{ os: 'linux', architecture: 'amd64' }]);
  });

  it('blob streams crane blob\u2019s bytes, verified', async () => {
    const { manifest } = await registry.manifest(made.single);
    const layer = (manifest as { layers: Array<{ digest: string; size: number }> }).layers[0]!;
    const parts: Uint8Array[] = [];
    for await (const chunk of registry.blob(made.repo, layer.digest)) parts.push(chunk.slice());
    const bytes = Buffer.concat(parts);
    expect(bytes.length).toBe(layer.size);
    expect(bytes.equals(await craneBytes('blob', `${made.repo}@${layer.digest}`))).toBe(true);
  });

  it('tags, paged two at a time, are crane ls\u2019s', async () => {
    const tags = await registry.tags(made.repo, { pageSize: 2 });
    expect(tags.filter((t) => !t.startsWith('sha256-')).sort()).toEqual(made.tags);
    expect(tags.sort()).toEqual((await crane('ls', made.repo)).trim().split('\n').sort());
  });

  it('referrers, through the sha256-<hex> tag fallback, are oras discover\u2019s', async () => {
    const found = await registry.referrers(made.single);
    const discovered = JSON.parse(await oras('discover', '--format', 'json', made.single)) as {
      referrers: Array<{ digest: string; artifactType: string }>;
    };
    expect(found.map((d) => d.digest).sort()).toEqual(discovered.referrers.map((d) => d.digest).sort());
    expect(found.map((d) => d.artifactType).sort()).toEqual([SBOM, SIG].sort());
    const sboms = await registry.referrers(made.single, { artifactType: SBOM });
    expect(sboms.map((d) => d.digest)).toEqual(
      discovered.referrers.filter((d) => d.artifactType === SBOM).map((d) => d.digest),
    );
    expect(await registry.referrers(made.index)).toEqual([]);
  });

  it('a missing manifest is ManifestNotFound (a RegistryError, 404); a missing blob is a RegistryError with the registry\u2019s code', async () => {
    await expect(registry.manifest(`${made.repo}:absent`)).rejects.toBeInstanceOf(ManifestNotFound);
    await expect(registry.resolve(`${made.repo}:absent`)).rejects.toBeInstanceOf(ManifestNotFound);
    await expect(registry.manifest(`${made.repo}:absent`)).rejects.toMatchObject({
      code: 'ERR_DOCKER_MANIFEST_NOT_FOUND',
      statusCode: 404,
    });
    const missing = `sha256:${'0'.repeat(64)}`;
    const error = await (async () => {
      for await (const _ of registry.blob(made.repo, missing));
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ statusCode: 404, registryCode: 'BLOB_UNKNOWN' });
  });

  it.runIf(target.auth !== undefined)(
    'without credentials, a refusal with the registry\u2019s UNAUTHORIZED',
    async () => {
      const anonymous = new Registry({ configDir: tempDir('dockwire-empty-config-'), env: {} });
      const error = await anonymous.resolve(made.single).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryError);
      expect(error).toMatchObject({ statusCode: 401, registryCode: 'UNAUTHORIZED' });
      await anonymous.close();
    },
  );

  it.runIf(target.auth !== undefined)(
    'credentials from config.json (configDir), and from DOCKER_AUTH_CONFIG',
    async () => {
      const dir = tempDir('dockwire-config-');
      const auth = Buffer.from(`${target.auth!.username}:${target.auth!.password}`).toString('base64');
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [target.host]: { auth } } }));
      const fromFile = new Registry({ configDir: dir, env: {} });
      expect((await fromFile.resolve(made.single)).digest).toBe((await crane('digest', made.single)).trim());
      await fromFile.close();
      const fromEnv = new Registry({
        configDir: tempDir('dockwire-empty-config-'),
        env: { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [`http://${target.host}`]: { auth } } }) },
      });
      expect(await fromEnv.platforms(made.single)).toEqual([{ os: 'linux', architecture: 'amd64' }]);
      await fromEnv.close();
    },
  );

  it('checks every call\u2019s options, by rejecting', async () => {
    await expect(registry.resolve(made.single, { platfrom: 'linux/amd64' } as never)).rejects.toThrow(
      /did you mean "platform"/,
    );
    await expect(registry.tags(made.single)).rejects.toBeInstanceOf(InvalidArgument);
    await expect(registry.tags(made.repo, { pageSize: 0 })).rejects.toBeInstanceOf(InvalidArgument);
    await expect(registry.blob(made.repo, 'md5:00')[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(
      InvalidArgument,
    );
    await expect(
      registry
        .blob(made.repo, `sha256:${'0'.repeat(64)}`, { sigal: undefined } as never)
        [Symbol.asyncIterator]()
        .next(),
    ).rejects.toThrow(/did you mean "signal"/);
    expect(() => new Registry({ insecur: [] } as never)).toThrow(/did you mean "insecure"/);
  });
});

describe('the token registry', () => {
  const target = testRegistries().find((r) => r.kind === 'token')!;
  const made = imagesFor(target);

  it('is asked for one token per scope while it is valid', async () => {
    const scope = `repository:${made.repo.slice(target.host.length + 1)}:pull`;
    const before = (await tokenCounts())[scope] ?? 0;
    const registry = new Registry({ authConfig: target.auth! });
    await Promise.all([registry.resolve(made.single), registry.resolve(made.index), registry.platforms(made.index)]);
    for (let i = 0; i < 5; i++) {
      await registry.manifest(made.index, { platform: 'linux/arm64' });
      await registry.config(made.single);
      await registry.tags(made.repo, { pageSize: 3 });
    }
    await registry.referrers(made.single);
    expect((await tokenCounts())[scope]! - before).toBe(1);
    await registry.close();
  }, 240_000);

  it('exchanges an identity token with the refresh_token grant', async () => {
    const form = new URLSearchParams({
      grant_type: 'password',
      username: target.auth!.username!,
      password: target.auth!.password!,
      service: 'dockwire-token',
      access_type: 'offline',
      client_id: 'test',
    });
    const answer = (await (await fetch(tokenRealm(), { method: 'POST', body: form })).json()) as {
      refresh_token: string;
    };
    expect(answer.refresh_token).toMatch(/^[0-9a-f]{64}$/);
    const registry = new Registry({ authConfig: { identitytoken: answer.refresh_token } });
    expect((await registry.resolve(made.single)).digest).toBe((await crane('digest', made.single)).trim());
    await registry.close();
    const wrong = new Registry({ authConfig: { identitytoken: 'not-it' } });
    await expect(wrong.resolve(made.single)).rejects.toMatchObject({ code: 'ERR_DOCKER_REGISTRY', statusCode: 401 });
    await wrong.close();
  }, 240_000);

  it('gives anonymous callers what the token server allows them (public/ repositories)', async () => {
    const repo = `${target.host}/public/${uniqueName('anon')}`;
    await crane('copy', made.single, `${repo}:v1`);
    const anonymous = new Registry({ configDir: tempDir('dockwire-empty-config-'), env: {} });
    expect(await anonymous.platforms(`${repo}:v1`)).toEqual([{ os: 'linux', architecture: 'amd64' }]);
    await anonymous.close();
  }, 240_000);

  it('index.json of a crane index names the platforms crane set', async () => {
    const registry = new Registry({ authConfig: target.auth! });
    const { manifest } = await registry.manifest(made.index);
    expect((manifest as ImageIndex).manifests.map((m) => m.platform)).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ]);
    await registry.close();
  }, 240_000);
});
