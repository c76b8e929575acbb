// registry.copy (#28): whole indexes and single platforms across registries (open → token), and
// within one registry by mounts (the open registry's access log shows them); crane reads back
// what was copied.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { AbortError, Registry, type ImageManifest, type ProgressEvent } from '../../../src/index.js';
import { uniqueName } from '../../support/engine.js';
import { crane, imagesFor, testRegistries } from '../../support/registry-peers.js';
import { removeTempDirs } from '../../support/temp.js';

afterAll(removeTempDirs);

/** One line of registry 2.8's access log (combined log format): its request and status. */
function accessLine(line: string): { method: string; path: string; status: number } {
  const m = /"([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3}) /.exec(line);
  if (!m) throw new Error(`not an access log line: ${line}`);
  return { method: m[1]!, path: decodeURIComponent(m[2]!), status: Number(m[3]) };
}

/**
 * The open registry's access log lines (scripts/engine.sh) written while `work` ran: between two marker requests of
 * this test's own, the second awaited in the log (the registry writes a line once it has answered).
 */
async function loggedDuring(host: string, work: () => Promise<void>): Promise<string[]> {
  const log = process.env['DOCKWIRE_REGISTRY_LOG'];
  if (!log)
    throw new Error('DOCKWIRE_REGISTRY_LOG is not set: run the integration tests through vitest (global setup)');
  const mark = uniqueName('mark');
  const marker = async (at: string): Promise<void> =>
    void (await fetch(`http://${host}/v2/?dockwire-mark=${mark}-${at}`)).arrayBuffer();
  await marker('start');
  await work();
  await marker('end');
  for (let tries = 0; tries < 200; tries++) {
    const lines = readFileSync(log, 'utf8').split('\n');
    const start = lines.findIndex((l) => l.includes(`${mark}-start`));
    const end = lines.findIndex((l) => l.includes(`${mark}-end`));
    // (the registry's own error lines, a HEAD's 404 among them, go to the same file)
    if (start !== -1 && end !== -1)
      return lines.slice(start + 1, end).filter((l) => /^\S+ \S+ \S+ \[[^\]]+\] "/.test(l));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the registry's log at ${log} has no line for the marker requests`);
}

describe('registry.copy', () => {
  const [open, , token] = testRegistries() as [
    ReturnType<typeof testRegistries>[0],
    unknown,
    ReturnType<typeof testRegistries>[0],
  ];
  // one client for both ends: the token registry's credentials go only to it
  const registry = new Registry({
    configDir: '/nonexistent',
    env: {
      DOCKER_AUTH_CONFIG: JSON.stringify({
        auths: {
          [token.host]: { auth: Buffer.from(`${token.auth!.username}:${token.auth!.password}`).toString('base64') },
        },
      }),
    },
  });
  const made = imagesFor(open);
  afterAll(() => registry.close());

  it('copies a multi-platform index into the token registry: the same digest, read back by crane', async () => {
    const dst = `${token.host}/dw/${uniqueName('copy')}:multi`;
    const job = registry.copy(made.index, dst);
    const events: ProgressEvent[] = [];
    for await (const event of job) events.push(event);
    const descriptor = await job;
    expect(descriptor.digest).toBe((await crane('digest', made.index)).trim());
    expect((await crane('digest', dst)).trim()).toBe(descriptor.digest);
    expect(await crane('manifest', dst)).toBe(await crane('manifest', made.index));
    expect(JSON.parse(await crane('config', '--platform', 'linux/arm64', dst))).toEqual(
      JSON.parse(await crane('config', '--platform', 'linux/arm64', made.index)),
    );
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
    expect(await registry.platforms(both)).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ]);
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

  it('within the open registry, its log shows a mount per blob and no blob read or upload', async () => {
    const dst = `${open.host}/dw/${uniqueName('dst')}:v1`;
    const { manifest } = await registry.manifest(made.single);
    const blobs = [(manifest as ImageManifest).config, ...(manifest as ImageManifest).layers].map((d) => d.digest);
    const lines = await loggedDuring(open.host, async () => {
      await registry.copy(made.single, dst);
    });
    const [source, target] = [made.repo, dst.slice(0, dst.lastIndexOf(':'))].map(
      (r) => `/v2/${r.slice(open.host.length + 1)}/`,
    );
    const requests = lines.map(accessLine).filter((r) => r.path.startsWith(source!) || r.path.startsWith(target!));
    const mounts = requests.filter((r) => r.method === 'POST' && r.path.includes('mount='));
    expect(mounts.map((r) => new URLSearchParams(r.path.split('?')[1]).get('mount')).sort()).toEqual([...blobs].sort());
    expect(mounts.every((r) => r.path.startsWith(`${target}blobs/uploads/`) && r.status === 201)).toBe(true);
    // the source is read (its manifest), but none of its blobs
    expect(requests.some((r) => r.method === 'GET' && r.path.startsWith(`${source}manifests/`))).toBe(true);
    expect(requests.filter((r) => r.method === 'GET' && r.path.includes('/blobs/'))).toEqual([]);
    expect(requests.filter((r) => r.method === 'PATCH' || (r.method === 'PUT' && r.path.includes('/blobs/')))).toEqual(
      [],
    );
    expect(requests.some((r) => r.method === 'PUT' && r.path === `${target}manifests/v1` && r.status === 201)).toBe(
      true,
    );
  }, 120_000);

  it('a cancelled copy is AbortError; options are checked', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      registry.copy(made.index, `${token.host}/dw/${uniqueName('x')}:v1`, { signal: controller.signal }),
    ).rejects.toBeInstanceOf(AbortError);
    await expect(registry.copy(made.index, `${token.host}/dw/x:v1`, { platfroms: [] } as never)).rejects.toThrow(
      /did you mean "platforms"/,
    );
  });
});
