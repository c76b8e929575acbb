// ssh:// engines: the system ssh runs `docker system dial-stdio` on the remote host (here an
// sshd of the tests' own on a loopback port, key authentication), and the image operations run
// over its pipes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, Docker } from '../../src/api.js';
import { makeTree, removeTrees } from '../support/contexts.js';
import { facts } from '../support/capabilities.js';
import { engine, uniqueName } from '../support/engine.js';
import { buildKitBase } from '../support/buildkitd.js';
import { removeQuietly } from '../support/images.js';
import { startSshd, type Sshd } from '../support/sshd.js';

let sshd: Sshd;
let docker: Docker;
const made: string[] = [];

beforeAll(async () => {
  sshd = await startSshd();
  docker = new Docker({
    host: `ssh://root@127.0.0.1:${sshd.port}`,
    // the remote's docker CLI talks to the test engine's socket
    ssh: { args: sshd.clientArgs, command: ['docker', '-H', engine.host, 'system', 'dial-stdio'] },
  });
}, 60_000);

afterAll(async () => {
  await docker?.close();
  sshd?.stop();
  removeQuietly(...made);
  removeTrees();
});

describe('ssh://', () => {
  const base = buildKitBase();
  it('pings and negotiates the version over ssh', async () => {
    expect(await docker.ping()).toBe(true);
    expect(await docker.api.apiVersion()).toMatch(/^1\.\d+$/);
  });

  it('runs the image operations: get, list, tag, save and load, push and pull, build', async () => {
    const base = await docker.images.get(engine.baseImage);
    expect((await docker.images.list()).map((i) => i.id)).toContain(base.id);
    const repo = `${engine.registry}/dockwire/ssh-${uniqueName('s')}`;
    await base.tag(repo, 'v1');
    made.push(`${repo}:v1`);
    const parts: Uint8Array[] = [];
    for await (const chunk of (await docker.images.get(`${repo}:v1`)).save({ named: `${repo}:v1` })) parts.push(chunk);
    await docker.images.remove(`${repo}:v1`);
    expect((await docker.images.load(Buffer.concat(parts))).map((i) => i.id)).toEqual([base.id]);
    await docker.images.push(repo, { tag: 'v1' });
    await docker.images.remove(`${repo}:v1`);
    expect((await docker.images.pull(`${repo}:v1`)).id).toBe(base.id);
    const ctx = makeTree({ Dockerfile: `FROM ${engine.baseImage}\nLABEL over=ssh\n` });
    const { image } = await docker.images.build({ path: ctx });
    expect(image.labels['over']).toBe('ssh');
  });

  // (an engine without BuildKit sessions, as Podman's compat API, cannot take secrets)
  it.runIf(facts.sessions)('a BuildKit build with a secret: its session goes over ssh too', async () => {
    const ctx = makeTree({ Dockerfile: `FROM ${base.name}\nRUN --mount=type=secret,id=s cat /run/secrets/s\n` });
    const job = docker.images.build({
      path: ctx,
      builder: 'buildkit',
      networkMode: 'none',
      noCache: true,
      secrets: { s: { value: 'over-ssh' } },
    });
    let out = '';
    for await (const event of job) if (event.type === 'log') out += event.text;
    await job;
    expect(out).toContain('over-ssh');
  });

  // (each connection is an ssh process of its own, slow to start on a loaded machine)
  it('many requests share a few ssh connections', async () => {
    await Promise.all(Array.from({ length: 50 }, () => docker.images.get(engine.baseImage)));
    expect(await docker.ping()).toBe(true);
  }, 180_000);

  it("an unreachable host is a ConnectionError with ssh's own message", async () => {
    const bad = new Docker({ host: 'ssh://root@127.0.0.1:1', ssh: { args: ['-o', 'ConnectTimeout=5'] } });
    const error = await bad.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/ssh to ssh:\/\/root@127\.0\.0\.1:1 ended .*Connection refused/);
    await bad.close();
  });

  it('a key the server does not accept is a ConnectionError saying so', async () => {
    const bad = new Docker({
      host: `ssh://nobody-${uniqueName('u')}@127.0.0.1:${sshd.port}`,
      ssh: { args: sshd.clientArgs },
    });
    const error = await bad.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/Permission denied/);
    await bad.close();
  });
});
