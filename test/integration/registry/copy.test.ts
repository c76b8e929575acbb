// registry.copy (#28): whole indexes and single platforms across registries (open → token), and
// within one registry by mounts; crane reads back what was copied.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, Registry, type ProgressEvent } from '../../../src/index.js';
import { uniqueName } from '../../support/engine.js';
import { crane, makeImages, testRegistries, type Made } from '../../support/registry-peers.js';
import { removeTempDirs } from '../../support/temp.js';

afterAll(removeTempDirs);

describe('registry.copy', () => {
  const [open, , token] = testRegistries() as [ReturnType<typeof testRegistries>[0], unknown, ReturnType<typeof testRegistries>[0]];
  // one client for both ends: the token registry's credentials go only to it
  const registry = new Registry({ configDir: '/nonexistent', env: { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [token.host]: { auth: Buffer.from(`${token.auth!.username}:${token.auth!.password}`).toString('base64') } } }) } });
  let made: Made;
  beforeAll(async () => {
    made = await makeImages(open);
  }, 240_000);
  afterAll(() => registry.close());

  it('copies a multi-platform index into the token registry: the same digest, read back by crane', async () => {
    const dst = `${token.host}/dw/${uniqueName('copy')}:multi`;
    const job = registry.copy(made.index, dst);
    const events: ProgressEvent[] = [];
    for await (const event of job) events.push(event);
    const descriptor = await job;
    expect(descriptor.digest).toBe((await crane('digest', made.index)).trim());
    expect((await crane('digest', dst)).trim()).toBe(descriptor.digest);
    expect((await crane('manifest', dst))).toBe(await crane('manifest', made.index));
    expect(JSON.parse(await crane('config', '--platform', 'linux/arm64', dst))).toEqual(JSON.parse(await crane('config', '--platform', 'linux/arm64', made.index)));
    expect(events.some((e) => e.status === 'Pushed')).toBe(true);
    expect(job.totals.layersDone).toBe(job.totals.layersTotal);
    expect(job.totals.bytesDone).toBeGreaterThan(0);
  }, 120_000);

  it('copies one platform as that platform\u2019s manifest, and several as an index of them', async () => {
    const one = `${token.host}/dw/${uniqueName('copy')}:arm64`;
    const d = await registry.copy(made.index, one, { platforms: ['linux/arm64'] });
    expect(d.digest).toBe((await crane('digest', '--platform', 'linux/arm64', made.index)).trim());
    expect((await crane('digest', one)).trim()).toBe(d.digest);
    const both = `${token.host}/dw/${uniqueName('copy')}:both`;
    await registry.copy(made.index, both, { platforms: ['linux/arm64', 'linux/amd64'] });
    expect(await registry.platforms(both)).toEqual([{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }]);
  }, 120_000);

  it('within one registry, blobs are mounted, not sent', async () => {
    const src = `${token.host}/dw/${uniqueName('src')}:v1`;
    await registry.copy(made.single, src);
    const dst = `${token.host}/dw/${uniqueName('dst')}:v1`;
    const job = registry.copy(src, dst);
    const events: ProgressEvent[] = [];
    for await (const event of job) events.push(event);
    await job;
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.status?.startsWith('Mounted from'))).toBe(true);
    expect((await crane('digest', dst)).trim()).toBe((await crane('digest', made.single)).trim());
  }, 120_000);

  it('a cancelled copy is AbortError; options are checked', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(registry.copy(made.index, `${token.host}/dw/${uniqueName('x')}:v1`, { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    await expect(registry.copy(made.index, `${token.host}/dw/x:v1`, { platfroms: [] } as never)).rejects.toThrow(/did you mean "platforms"/);
  });
});
