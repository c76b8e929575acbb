// images.build against the real engine: every docker-py parameter that changes what is built.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  APIError,
  AbortError,
  BuildError,
  Docker,
  Image,
  InvalidArgument,
  SocketTransport,
  parseAddress,
  type ProgressEvent,
} from '../../src/api.js';
import { makeTree } from '../support/contexts.js';
import { client, engine, ns, podman, uniqueName } from '../support/engine.js';
import { engineSuite } from '../support/suite.js';
import { runInImage } from '../support/run.js';
import { collectJob } from '../support/jobs.js';

const { docker, made } = engineSuite();

function tagged(prefix: string): string {
  const name = `${ns}/${prefix}:${uniqueName('b')}`;
  made.push(name);
  return name;
}

const run = runInImage;

const stream = (events: ProgressEvent[]) => events.map((e) => e.stream ?? '').join('');

describe('images.build', () => {
  it('builds a multi-stage Dockerfile up to a target, with buildArgs and labels; the image runs', async () => {
    const ctx = makeTree({
      Dockerfile: [
        `FROM ${engine.baseImage} AS base`,
        'ARG GREETING=unset',
        'RUN echo "$GREETING from base" > /greeting',
        'FROM base AS app',
        'COPY hello.txt /hello.txt',
        'CMD ["cat", "/greeting"]',
        'FROM app AS extra',
        'RUN echo extra > /extra',
      ].join('\n'),
      'hello.txt': 'hello file\n',
    });
    const tag = tagged('multi');
    const {
      live,
      result: { image, log },
    } = await collectJob(
      docker.images.build({
        path: ctx,
        tag,
        target: 'app',
        buildArgs: { GREETING: 'hi' },
        labels: { 'org.dockwire.test': 'yes' },
      }),
    );
    expect(image).toBeInstanceOf(Image);
    expect(image.tags).toContain(tag);
    expect(image.labels['org.dockwire.test']).toBe('yes');
    expect(log).toEqual(live);
    expect(stream(log)).toMatch(podman ? /STEP 1\/\d+: FROM/ : /Step 1\/\d+ : FROM/);
    expect(stream(log)).not.toContain('echo extra'); // stopped at the target
    expect(await run(tag, 'cat /greeting /hello.txt; ls /extra 2>&1 || true')).toMatch(
      /hi from base\nhello file\n.*No such file/s,
    );
  });

  it('uses the cache, and noCache: true does not', async () => {
    const ctx = makeTree({ Dockerfile: `FROM ${engine.baseImage}\nRUN echo cached-step-${uniqueName('c')} > /x\n` });
    const first = await docker.images.build({ path: ctx, tag: tagged('cache') });
    const second = await docker.images.build({ path: ctx });
    expect(second.image.id).toBe(first.image.id);
    expect(stream(second.log)).toContain('Using cache');
    const third = await docker.images.build({ path: ctx, noCache: true });
    expect(stream(third.log)).not.toContain('Using cache');
    made.push(third.image.id);
  });

  it('cacheFrom names images whose layers may be reused', async () => {
    const ctx = makeTree({ Dockerfile: `FROM ${engine.baseImage}\nRUN echo from-cache-${uniqueName('c')} > /x\n` });
    const seed = await docker.images.build({ path: ctx, tag: tagged('seed') });
    const again = await docker.images.build({ path: ctx, cacheFrom: [seed.image.tags[0]!] });
    expect(again.image.id).toBe(seed.image.id);
    expect(stream(again.log)).toContain('Using cache');
  });

  it("networkMode 'none' and extraHosts reach the RUN steps", async () => {
    const ctx = makeTree({
      Dockerfile: `FROM ${engine.baseImage}\nRUN cat /etc/hosts > /hosts.txt && ls /sys/class/net > /nets.txt\n`,
    });
    const tag = tagged('net');
    const extraHosts = { 'wire.example': '127.0.0.9' };
    if (podman) {
      // Podman 4.3 reads extrahosts as a JSON list, not Docker's repeated parameter: a 400 with no message (README, Podman)
      const refused = await docker.images
        .build({ path: ctx, tag, networkMode: 'none', extraHosts })
        .catch((e: unknown) => e);
      expect((refused as APIError).statusCode).toBe(400);
    }
    await docker.images.build({
      path: ctx,
      tag,
      networkMode: 'none',
      ...(podman ? {} : { extraHosts }),
      noCache: true,
    });
    const out = await run(tag, 'cat /hosts.txt /nets.txt');
    expect(out.split('\n')).toContain('lo');
    if (podman) {
      // Podman 4.3's compat build runs RUN in the host's network namespace even so, and it was
      // given no extraHosts (docs/engines.md)
      expect(out).not.toMatch(/wire\.example/);
    } else {
      expect(out).toMatch(/127\.0\.0\.9\s+wire\.example/);
      expect(out).not.toMatch(/\beth0\b/);
    }
  });

  it('a Dockerfile outside the context is injected, never archived from outside, and not left in the image', async () => {
    const outside = makeTree({
      'Build.dockerfile': `FROM ${engine.baseImage}\nCOPY . /ctx\nCMD ["ls", "-a", "/ctx"]\n`,
    });
    const ctx = makeTree({ 'a.txt': 'a', 'sub/b.txt': 'b', '.dockerignore': '*.log\n', 'x.log': 'no' });
    const tag = tagged('outside');
    await docker.images.build({ path: ctx, dockerfile: join(outside, 'Build.dockerfile'), tag });
    const listing = (await run(tag, 'cd /ctx && find . | sort')).split('\n');
    expect(listing).toEqual(['.', './.dockerignore', './a.txt', './sub', './sub/b.txt']);
    // the same, relative with ..
    const relative = `../${outside.split('/').pop()}/Build.dockerfile`;
    const tag2 = tagged('outside-rel');
    await docker.images.build({ path: ctx, dockerfile: relative, tag: tag2 });
    expect((await run(tag2, 'cd /ctx && find . | sort')).split('\n')).toEqual(listing);
  });

  it('a Dockerfile under another name inside the context', async () => {
    const ctx = makeTree({ 'docker/App.dockerfile': `FROM ${engine.baseImage}\nLABEL which=inside\n` });
    const { image } = await docker.images.build({
      path: ctx,
      dockerfile: 'docker/App.dockerfile',
      tag: tagged('inside'),
    });
    expect(image.labels['which']).toBe('inside');
  });

  it('a gzip-compressed context', async () => {
    const ctx = makeTree({
      Dockerfile: `FROM ${engine.baseImage}\nCOPY big.txt /big.txt\n`,
      'big.txt': 'z'.repeat(200_000),
    });
    const tag = tagged('gzip');
    await docker.images.build({ path: ctx, tag, encoding: 'gzip' });
    expect(await run(tag, 'wc -c < /big.txt')).toBe('200000');
  });

  it('large files arrive intact though they are read through one reused buffer', async () => {
    // three files of several 256 KiB chunks and a ragged end, each different: a chunk overwritten
    // before the socket had sent it would change a file's hash
    const files = Object.fromEntries(
      [1, 2, 3].map((i) => [`f${i}.txt`, randomBytes(300_000 * i + 17).toString('hex')]),
    );
    const ctx = makeTree({ Dockerfile: `FROM ${engine.baseImage}\nCOPY f1.txt f2.txt f3.txt /data/\n`, ...files });
    const tag = tagged('reuse');
    expect(docker.api.transport.releasesChunks).toBe(true);
    await docker.images.build({ path: ctx, tag });
    const sums = await run(tag, 'cd /data && sha256sum f1.txt f2.txt f3.txt');
    const expected = Object.entries(files).map(
      ([name, text]) => `${createHash('sha256').update(text).digest('hex')}  ${name}`,
    );
    expect(sums.split('\n').map((l) => l.trim())).toEqual(expected);
  });

  it('a Dockerfile given as fileobj: bytes, text, a stream', async () => {
    const text = `FROM ${engine.baseImage}\nLABEL source=fileobj\n`;
    for (const fileobj of [new TextEncoder().encode(text), text, Readable.from([Buffer.from(text)])]) {
      const { image } = await docker.images.build({ fileobj });
      expect(image.labels['source']).toBe('fileobj');
    }
  });

  it('a custom tar context as fileobj, plain and gzip-compressed', async () => {
    const dir = makeTree({
      Dockerfile: `FROM ${engine.baseImage}\nCOPY data.txt /data.txt\n`,
      'data.txt': 'from a tarball\n',
    });
    const tarball = execFileSync('tar', ['-C', dir, '-cf', '-', 'Dockerfile', 'data.txt']);
    const tag = tagged('custom');
    await docker.images.build({ fileobj: Readable.from([tarball]), customContext: true, tag });
    expect(await run(tag, 'cat /data.txt')).toBe('from a tarball');
    const gz = execFileSync('gzip', ['-c'], { input: tarball });
    const { image } = await docker.images.build({ fileobj: gz, customContext: true, encoding: 'gzip' });
    expect(image.id).toMatch(/^sha256:/);
  });

  it('a failing RUN is a BuildError with the reason and the whole log', async () => {
    const ctx = makeTree({ Dockerfile: `FROM ${engine.baseImage}\nRUN echo about-to-fail && exit 7\n` });
    const error = await docker.images.build({ path: ctx }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    // Podman: 'building at STEP "RUN ...": while running runtime: exit status 7'
    expect((error as BuildError).reason).toMatch(podman ? /exit status 7/ : /returned a non-zero code: 7/);
    expect(stream((error as BuildError).log as ProgressEvent[])).toContain('about-to-fail');
    expect((error as BuildError).code).toBe('ERR_DOCKER_BUILD');
  });

  it('the image ID comes from aux, so build output cannot spoof it', async () => {
    const ctx = makeTree({
      Dockerfile: `FROM ${engine.baseImage}\nRUN echo "Successfully built 0123456789ab" && echo sha256:${'f'.repeat(64)}\n`,
    });
    const { image, log } = await docker.images.build({ path: ctx, noCache: true });
    expect(stream(log)).toContain('Successfully built 0123456789ab');
    expect(image.id).not.toContain('0123456789ab');
    expect(log.some((e) => (e.aux as { ID?: string } | undefined)?.ID === image.id)).toBe(true);
    made.push(image.id);
  });

  it('quiet: true still gives the image', async () => {
    const ctx = makeTree({ Dockerfile: `FROM ${engine.baseImage}\nLABEL quiet=1\n` });
    const { image, log } = await docker.images.build({ path: ctx, quiet: true });
    expect(image.labels['quiet']).toBe('1');
    expect(stream(log)).not.toContain('Step 1');
  });

  it('an engine error about the request surfaces the engine message', async () => {
    const ctx = makeTree({
      Dockerfile: `FROM ${engine.baseImage}\n`,
      'big.bin': Buffer.alloc(8 * 1024 * 1024, 1).toString('latin1'),
    });
    // an option the engine refuses on sight (Podman ignores isolation, and refuses Docker's extrahosts)
    const refused = podman ? { extraHosts: ['wire.example:127.0.0.9'] } : { isolation: 'bogus' };
    const error = await docker.images
      .build({ path: ctx, dockerfile: 'Dockerfile', ...refused })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    // Podman answers 400 with an empty body: the status line is all there is to say
    expect((error as Error).message).toMatch(podman ? /^400 Bad Request$/ : /isolation/i);
    expect((error as Error).message).not.toMatch(/EPIPE|ECONNRESET/);
  });

  it('a cancelled build rejects with AbortError and frees its connection', async () => {
    const transport = new SocketTransport(parseAddress(engine.host), { maxSockets: 1 });
    const d = new Docker({ transport });
    const ctx = makeTree({ Dockerfile: `FROM ${engine.baseImage}\nRUN echo started && sleep 30\n` });
    const job = d.images.build({ path: ctx, noCache: true });
    for await (const event of job) {
      if ((event.stream ?? '').includes('started')) {
        job.cancel();
        break;
      }
    }
    await expect(job).rejects.toBeInstanceOf(AbortError);
    expect(transport.stats.open).toBe(0);
    expect(await d.ping()).toBe(true);
    await d.close();
  });

  it('refuses bad input before reading the context', async () => {
    await expect(docker.images.build({})).rejects.toThrow(InvalidArgument);
    await expect(docker.images.build({ path: '/nonexistent', tag: 'Bad Tag' })).rejects.toThrow(InvalidArgument);
    await expect(docker.images.build({ path: '/x', containerLimits: { bogus: 1 } as never })).rejects.toThrow(
      InvalidArgument,
    );
    await expect(docker.images.build({ path: '/x', shmSize: -1 })).rejects.toThrow(InvalidArgument);
    await expect(docker.images.build({ path: '/x', buildArgs: { A: 1 } as never })).rejects.toThrow(InvalidArgument);
    await expect(docker.images.build({ path: '/nonexistent-context-dir' })).rejects.toThrow(/nonexistent-context-dir/);
  });

  it('containerLimits, shmSize, pull: false, forceRm reach the engine', async () => {
    const ctx = makeTree({ Dockerfile: `FROM ${engine.baseImage}\nRUN df -k /dev/shm | tail -1 > /shm.txt\n` });
    const tag = tagged('limits');
    await docker.images.build({
      path: ctx,
      tag,
      shmSize: 8 * 1024 * 1024,
      containerLimits: { memory: 256 * 1024 * 1024, memswap: -1, cpushares: 512 },
      forceRm: true,
      rm: true,
      pull: false,
      noCache: true,
    });
    expect(await run(tag, 'cat /shm.txt')).toMatch(/\b8192\b/);
  });

  it('sends X-Registry-Config for the registries its FROM lines name: a private base image builds', async () => {
    const base = `${engine.authRegistry}/dockwire/base-${uniqueName('x')}:1`;
    const good = { username: engine.authUser, password: engine.authPassword };
    await (await docker.images.get(engine.baseImage)).tag(base);
    made.push(base);
    await docker.images.push(base, { authConfig: good });
    await docker.images.remove(base);
    const ctx = makeTree({ Dockerfile: `FROM ${base}\nLABEL private=base\n` });
    // without credentials the engine cannot pull the base image
    const anonymous = client({ configDir: makeTree({ 'config.json': '{}' }) });
    await expect(anonymous.images.build({ path: ctx })).rejects.toThrow(/auth|denied|unauthorized|not found/i);
    await anonymous.close();
    // with credentials from config.json (and a broken helper for another registry) it builds
    const configDir = makeTree({
      'config.json': JSON.stringify({
        auths: { [engine.authRegistry]: { auth: Buffer.from(`${good.username}:${good.password}`).toString('base64') } },
        credHelpers: { 'other.example:1': 'dockwire-no-such-helper' },
      }),
    });
    const withConfig = client({ configDir });
    const { image } = await withConfig.images.build({ path: ctx, pull: true });
    expect(image.labels['private']).toBe('base');
    await withConfig.close();
  });
});
