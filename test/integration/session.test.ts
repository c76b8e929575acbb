// BuildKit sessions against the real engines: secrets, ssh agent forwarding, FROM an image in the
// htpasswd registry with credentials from each source, a long step, cancellation.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, BuildError, Docker, InvalidArgument, type BuildKitEvent } from '../../src/api.js';
import { copyProgram, makeTree } from '../support/contexts.js';
import { facts, speaks } from '../support/capabilities.js';
import { client, engine, ns, uniqueName } from '../support/engine.js';
import { buildKitBase } from '../support/buildkitd.js';
import { tagBase } from '../support/images.js';
import { engineSuite } from '../support/suite.js';
import { readTar } from '../support/tar.js';
import { tempDir } from '../support/temp.js';

const { docker, made } = engineSuite();
const marker = `dw-secret-${Math.random().toString(36).slice(2)}-marker`;
const tag = (name: string): string => {
  const t = `${ns}/session-${name}:${uniqueName('s')}`;
  made.push(t);
  return t;
};

async function imageFiles(name: string): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of (await docker.images.get(name)).save()) parts.push(chunk);
  return Buffer.concat(parts);
}

/** Everything inside a saved image, layers unpacked (gunzipped first: Docker 28's are), as one buffer to search. */
async function savedContents(name: string): Promise<Buffer> {
  const outer = readTar(await imageFiles(name));
  const inner = outer.flatMap((entry) => {
    const bytes = entry.content[0] === 0x1f && entry.content[1] === 0x8b ? gunzipSync(entry.content) : entry.content;
    try {
      return readTar(bytes).map((e) => Buffer.concat([Buffer.from(e.name), Buffer.from(e.content)]));
    } catch {
      return [Buffer.from(bytes)];
    }
  });
  return Buffer.concat([...outer.map((e) => Buffer.from(e.content)), ...inner]);
}

// (keyed on whether POST /session switches protocols: Podman's compat API has no such endpoint)
describe.runIf(facts.sessions)('BuildKit sessions', () => {
  const base = buildKitBase();
  it('secrets from a file, an environment variable and a value reach RUN --mount=type=secret, and stay out of the image', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'secret.txt'), `${marker}-file`);
    process.env['DOCKWIRE_TEST_SECRET'] = `${marker}-env`;
    const ctx = makeTree({
      Dockerfile: `FROM ${base.name}
RUN --mount=type=secret,id=fromfile --mount=type=secret,id=fromenv --mount=type=secret,id=fromvalue,target=/run/secrets/v \\
    cat /run/secrets/fromfile /run/secrets/fromenv /run/secrets/v | sha256sum > /digest
`,
    });
    const name = tag('secrets');
    const events: BuildKitEvent[] = [];
    const job = docker.images.build({
      path: ctx,
      tag: name,
      builder: 'buildkit',
      networkMode: 'none',
      noCache: true, // (a RUN with secret mounts is cached on its command alone)
      secrets: {
        fromfile: { file: join(dir, 'secret.txt') },
        fromenv: { env: 'DOCKWIRE_TEST_SECRET' },
        fromvalue: { value: `${marker}-value` },
      },
    });
    for await (const event of job) events.push(event);
    await job;
    const expected = createHash('sha256').update(`${marker}-file${marker}-env${marker}-value`).digest('hex');
    const contents = await savedContents(name);
    expect(contents.includes(Buffer.from(expected))).toBe(true);
    expect(contents.includes(Buffer.from(marker))).toBe(false);
    expect(JSON.stringify(events)).not.toContain(marker);
    delete process.env['DOCKWIRE_TEST_SECRET'];
  });

  it('a required secret that is not given fails as BuildError naming it, within seconds', async () => {
    const ctx = makeTree({
      Dockerfile: `FROM ${base.name}\nRUN --mount=type=secret,id=missing,required=true cat /run/secrets/missing\n`,
    });
    const started = Date.now();
    const error = await docker.images
      .build({ path: ctx, builder: 'buildkit', networkMode: 'none', secrets: { other: { value: marker } } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as Error).message).toMatch(/missing/);
    // the secret that was given is nowhere in the error: message, stack, log
    expect(`${(error as Error).stack} ${JSON.stringify(error)}`).not.toContain(marker);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('RUN --mount=type=ssh sees the forwarded agent: its key is listed inside the build', async () => {
    const dir = tempDir();
    const socket = join(dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 50 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 100));
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'dockwire-test-key', '-f', join(dir, 'key')]);
      execFileSync('ssh-add', [join(dir, 'key')], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
      const fingerprint = execFileSync('ssh-keygen', ['-lf', join(dir, 'key.pub')], { encoding: 'utf8' }).split(
        ' ',
      )[1]!;
      // ssh-add and the libraries it needs, at their paths, on top of busybox
      const ctx = makeTree({ Dockerfile: `FROM ${base.name}\nCOPY root/ /\nRUN --mount=type=ssh ssh-add -l\n` });
      copyProgram(ctx, '/usr/bin/ssh-add');
      const job = docker.images.build({
        path: ctx,
        builder: 'buildkit',
        networkMode: 'none',
        noCache: true,
        ssh: { default: socket },
      });
      let output = '';
      for await (const event of job) if (event.type === 'log') output += event.text;
      await job;
      expect(output).toContain(fingerprint);
      expect(output).toContain('dockwire-test-key');
    } finally {
      agent.kill();
    }
  });

  it('FROM an image in the htpasswd registry: credentials from login(), from config.json auths, from a credential helper', async () => {
    const good = { username: engine.authUser, password: engine.authPassword };
    const base = `${engine.authRegistry}/dockwire/session-base-${uniqueName('b')}:1`;
    tagBase(base);
    made.push(base);
    await docker.images.push(base, { authConfig: good });
    const ctx = makeTree({ Dockerfile: `FROM ${base}\nRUN echo built on the private base > /built\n` });
    const build = async (d: Docker): Promise<unknown> => {
      await docker.images.remove(base, { force: true }).catch(() => undefined);
      return d.images.build({ path: ctx, builder: 'buildkit', networkMode: 'none', noCache: true }).then(
        (r) => r.image.id,
        (e: unknown) => e,
      );
    };
    // without credentials the registry refuses
    const anonymous = client({ configDir: tempDir() });
    const refused = await build(anonymous);
    expect(refused).toBeInstanceOf(BuildError);
    expect((refused as Error).message).toMatch(/unauthori[sz]ed|authentication required|401/i);
    expect((refused as Error).message).not.toContain(engine.authPassword);
    // 1. login()
    await anonymous.login({ ...good, registry: engine.authRegistry });
    expect(await build(anonymous)).toMatch(/^sha256:/);
    await anonymous.close();
    // 2. config.json auths
    const config = tempDir();
    writeFileSync(
      join(config, 'config.json'),
      JSON.stringify({
        auths: { [engine.authRegistry]: { auth: Buffer.from(`${good.username}:${good.password}`).toString('base64') } },
      }),
    );
    const fromConfig = client({ configDir: config });
    expect(await build(fromConfig)).toMatch(/^sha256:/);
    await fromConfig.close();
    // 3. a credential helper on PATH
    const bin = tempDir();
    const helper = join(bin, 'docker-credential-dwsession');
    writeFileSync(
      helper,
      `#!/bin/sh\nread server\nprintf '{"ServerURL":"%s","Username":"${good.username}","Secret":"${good.password}"}' "$server"\n`,
    );
    chmodSync(helper, 0o755);
    const helperConfig = tempDir();
    writeFileSync(
      join(helperConfig, 'config.json'),
      JSON.stringify({ credHelpers: { [engine.authRegistry]: 'dwsession' } }),
    );
    const saved = process.env['PATH'];
    process.env['PATH'] = `${bin}:${saved}`;
    try {
      const fromHelper = client({ configDir: helperConfig });
      expect(await build(fromHelper)).toMatch(/^sha256:/);
      await fromHelper.close();
    } finally {
      process.env['PATH'] = saved;
    }
  });

  it('a build with a 25-second step, then a secret mount: the session lives on and serves it', async () => {
    const ctx = makeTree({
      Dockerfile: `FROM ${base.name}\nRUN sleep 25\nRUN --mount=type=secret,id=late cat /run/secrets/late | sha256sum > /late\n`,
    });
    const name = tag('late');
    await docker.images.build({
      path: ctx,
      tag: name,
      builder: 'buildkit',
      networkMode: 'none',
      noCache: true,
      secrets: { late: { value: marker } },
    });
    const expected = createHash('sha256').update(marker).digest('hex');
    expect((await savedContents(name)).includes(Buffer.from(expected))).toBe(true);
  }, 90_000);

  it('a cancelled session build ends within seconds and leaves no socket open', async () => {
    const sockets = (): number =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:');
        } catch {
          return false;
        }
      }).length;
    const before = sockets();
    const d = client();
    const ctx = makeTree({ Dockerfile: `FROM ${base.name}\nRUN --mount=type=secret,id=s sleep 30\n` });
    const job = d.images.build({
      path: ctx,
      builder: 'buildkit',
      networkMode: 'none',
      noCache: true,
      secrets: { s: { value: marker } },
    });
    const started = (async () => {
      for await (const event of job)
        if (event.type === 'vertex' && event.state === 'started' && event.name.includes('sleep 30')) job.cancel();
    })();
    const at = Date.now();
    await expect(started).rejects.toBeInstanceOf(AbortError);
    await expect(job).rejects.toBeInstanceOf(AbortError);
    expect(Date.now() - at).toBeLessThan(28_000);
    await d.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(sockets()).toBe(before);
  });

  it('secrets or ssh without BuildKit are refused (the job rejects) before anything is sent', async () => {
    await expect(docker.images.build({ path: '.', secrets: { a: { value: 'x' } } })).rejects.toThrow(InvalidArgument);
    await expect(
      docker.images.build({ path: '.', builder: 'buildkit', secrets: { a: { nope: 'x' } as never } }),
    ).rejects.toThrow(/secrets\.a must be one of/);
    await expect(docker.images.build({ path: '.', builder: 'buildkit', ssh: { default: '' } })).rejects.toThrow(
      /ssh\.default/,
    );
  });
});

// (keyed on API 1.53, from which POST /session is deprecated, and on the engine answering gRPC on
// h2c on its socket: there the session goes through Control.Session; elsewhere POST /session)
describe.runIf(speaks('1.53') && facts.grpcOnSocket)(
  'a session through the Control API on h2c (API 1.53 and later)',
  () => {
    it('a private FROM and a secret mount work, and the client sends no POST /session', async () => {
      const recorder = client({ configDir: tempDir() });
      const sent: string[] = [];
      const transport = recorder.api.transport;
      const request = transport.request.bind(transport);
      const upgrade = transport.upgrade!.bind(transport);
      transport.request = (r) => (sent.push(`${r.method} ${r.path}`), request(r));
      transport.upgrade = (r) => (sent.push(`${r.method} ${r.path}`), upgrade(r));
      try {
        const good = { username: engine.authUser, password: engine.authPassword };
        const base = `${engine.authRegistry}/dockwire/session-grpc-${uniqueName('b')}:1`;
        tagBase(base);
        made.push(base);
        await docker.images.push(base, { authConfig: good });
        await docker.images.remove(base, { force: true });
        const ctx = makeTree({
          Dockerfile: `FROM ${base}\nRUN --mount=type=secret,id=s cat /run/secrets/s | sha256sum > /digest\n`,
        });
        const name = tag('grpc');
        await recorder.images.build({
          path: ctx,
          tag: name,
          builder: 'buildkit',
          networkMode: 'none',
          noCache: true,
          authConfigs: { [engine.authRegistry]: good },
          secrets: { s: { value: `${marker}-grpc` } },
        });
        const expected = createHash('sha256').update(`${marker}-grpc`).digest('hex');
        expect((await savedContents(name)).includes(Buffer.from(expected))).toBe(true);
        expect(sent.some((line) => /^POST \/v[\d.]+\/build\?/.test(line))).toBe(true);
        expect(sent.filter((line) => line.includes('/session'))).toEqual([]);
      } finally {
        await recorder.close();
      }
    }, 180_000);
  },
);

describe.runIf(!facts.sessions)('an engine without BuildKit sessions (Podman)', () => {
  it('no /session: a BuildKit build without secrets builds without one; with secrets it is InvalidArgument', async () => {
    const ctx = makeTree({ Dockerfile: `FROM ${engine.baseImage}\nRUN echo ok\n` });
    const { image } = await docker.images.build({ path: ctx, builder: 'buildkit', networkMode: 'none' });
    expect(image.id).toMatch(/^sha256:/);
    const error = await docker.images
      .build({ path: ctx, builder: 'buildkit', networkMode: 'none', secrets: { a: { value: marker } } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgument);
    expect((error as Error).message).toMatch(/need a BuildKit session, and the engine has none/);
  });
});
