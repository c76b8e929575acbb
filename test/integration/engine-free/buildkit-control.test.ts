// BuildKit's Control API against real buildkitd daemons (scripts/buildkitd.sh: one on a unix socket
// and a plain tcp port, one on tcp with TLS and client certificates), each result checked against
// what buildctl, BuildKit's own client, makes of the same Dockerfile.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildError, BuildKit, InvalidArgument, type BuildKitEvent } from '../../../src/index.js';
import { buildctl, buildkitClients, buildkitd, dockerfileBuild, registryBase } from '../../support/buildkitd.js';
import { copyProgram, makeTree } from '../../support/contexts.js';
import { runProgram } from '../../support/program.js';
import { engine, ns, uniqueName } from '../../support/engine.js';
import { layerFiles, readBlob, readManifest } from '../../support/registry-read.js';
import { engineSuite } from '../../support/suite.js';
import { readTar } from '../../support/tar.js';
import { tempDir } from '../../support/temp.js';

const { docker, made } = engineSuite();
let base: string;
beforeAll(async () => {
  base = await registryBase(docker);
}, 120_000);

const ref = (name: string): string => `${engine.registry}/dockwire-test/bk-${name}:${uniqueName('t')}`;

/** A context with a RUN step, files of several kinds, and ignored files. */
function runContext(): string {
  const word = uniqueName('run');
  const dir = makeTree({
    Dockerfile: `FROM ${base}\nRUN mkdir -p /out && echo ${word} > /out/made && echo two > /out/two\nCOPY ctx/ /ctx/\n`,
    '.dockerignore': 'ctx/ignored*\n**/*.tmp\n',
    'ctx/a.txt': 'hello',
    'ctx/sub/deep/c.txt': 'deep',
    'ctx/ignored-dir/x': 'never',
    'ctx/ignored.txt': 'never',
    'ctx/sub/scratch.tmp': 'never',
    'ctx/link': { symlink: 'a.txt' },
  });
  // a file of several chunks, and an executable
  writeFileSync(join(dir, 'ctx/big.bin'), createHash('sha512').update(word).digest().toString('hex').repeat(6000));
  writeFileSync(join(dir, 'ctx/run.sh'), '#!/bin/sh\necho run\n');
  chmodSync(join(dir, 'ctx/run.sh'), 0o755);
  return dir;
}

async function collect(job: AsyncIterable<BuildKitEvent> & PromiseLike<unknown>): Promise<BuildKitEvent[]> {
  const events: BuildKitEvent[] = [];
  for await (const e of job) events.push(e);
  await job;
  return events;
}

describe.each(buildkitClients())('BuildKit over %s', (_name, make) => {
  let buildkit: BuildKit;
  beforeAll(() => {
    buildkit = make();
  });
  afterAll(() => buildkit.close());

  it('answers Info, ListWorkers and DiskUsage as buildctl does', async () => {
    const info = await buildkit.info();
    expect(info.BuildkitVersion.Version).toBe('v0.32.2');
    const workers = await buildkit.workers();
    const addr = _name === 'unix' ? buildkitd.unix : _name === 'tcp' ? buildkitd.tcp : buildkitd.tls;
    const listed = await buildctl(addr, ['debug', 'workers']);
    for (const w of workers) expect(listed).toContain(w.ID);
    expect(workers[0]?.Platforms.some((p) => p.OS === 'linux' && p.Architecture === 'amd64')).toBe(true);
    const usage = await buildkit.diskUsage();
    expect(Array.isArray(usage)).toBe(true);
    for (const r of usage) expect(r.ID).toMatch(/\S/);
  });

  it('builds a RUN step, pushes it, and the layers hold the same files as buildctl pushes', async () => {
    const dir = runContext();
    const ours = ref('run');
    const events = await collect(buildkit.build({ path: dir, outputs: [{ type: 'image', name: ours, push: true }] }));
    expect(events.some((e) => e.type === 'vertex' && e.state === 'completed' && /RUN/.test(e.name))).toBe(true);
    const theirs = ref('run-buildctl');
    // buildctl on the other daemon: an independent build of the same Dockerfile
    const other = _name === 'tcp+tls' ? buildkitd.unix : buildkitd.tls;
    await buildctl(other, [...dockerfileBuild(dir), '--output', `type=image,name=${theirs},push=true`]);
    const a = await readManifest(ours);
    const b = await readManifest(theirs);
    const filesA = await layerFiles(ours, a.manifest);
    const filesB = await layerFiles(theirs, b.manifest);
    expect(filesA).toEqual(filesB);
    const copied = filesA.at(-1)!.join('\n');
    expect(copied).toContain('ctx/a.txt file 644');
    expect(copied).toContain('ctx/run.sh file 755');
    expect(copied).toContain('ctx/link symlink 777 a.txt');
    expect(copied).toContain('ctx/sub/deep/c.txt');
    expect(copied).not.toMatch(/ignored|scratch\.tmp/);
  }, 180_000);
});

describe('BuildKit builds (unix socket, checked against buildctl)', () => {
  let buildkit: BuildKit;
  let secure: BuildKit;
  beforeAll(() => {
    buildkit = new BuildKit({ host: buildkitd.unix });
    secure = new BuildKit({ host: buildkitd.tls, tls: buildkitd.certs });
  });
  afterAll(() => {
    buildkit.close();
    secure.close();
  });

  it('a two-platform COPY-only build pushes an index with both platforms, as buildctl does', async () => {
    const dir = makeTree({ Dockerfile: `FROM ${base}\nCOPY a.txt /a.txt\n`, 'a.txt': uniqueName('mp') });
    const ours = ref('multi');
    const result = await buildkit.build({
      path: dir,
      platforms: ['linux/amd64', 'linux/arm64'],
      outputs: [{ type: 'image', name: ours, push: true }],
    });
    const theirs = ref('multi-buildctl');
    await buildctl(buildkitd.unix, [
      ...dockerfileBuild(dir),
      '--opt',
      'platform=linux/amd64,linux/arm64',
      '--output',
      `type=image,name=${theirs},push=true`,
    ]);
    const a = await readManifest(ours);
    const b = await readManifest(theirs);
    expect(result.digest).toBe(a.digest);
    const platforms = (m: typeof a.manifest): string[] =>
      (m.manifests ?? []).map((d) => `${d.platform?.os}/${d.platform?.architecture}`).sort();
    expect(platforms(a.manifest)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(platforms(a.manifest)).toEqual(platforms(b.manifest));
  }, 180_000);

  it('an oci output streamed back is a valid OCI archive (every blob hashes to its name), as buildctl writes it; a docker output loads into the engine', async () => {
    const dir = makeTree({ Dockerfile: `FROM ${base}\nRUN echo ${uniqueName('oci')} > /made\n` });
    const chunks: Buffer[] = [];
    const sink = new PassThrough();
    sink.on('data', (c: Buffer) => chunks.push(c));
    await buildkit.build({ path: dir, outputs: [{ type: 'oci', dest: sink }] });
    const ours = readTar(Buffer.concat(chunks));
    const out = join(tempDir(), 'buildctl.tar');
    await buildctl(buildkitd.unix, [...dockerfileBuild(dir), '--output', `type=oci,dest=${out}`]);
    const theirs = readTar(readFileSync(out));
    const names = (entries: typeof ours): string[] => entries.map((e) => e.name).sort();
    expect(names(ours)).toEqual(names(theirs));
    expect(ours.map((e) => e.name)).toEqual(expect.arrayContaining(['oci-layout', 'index.json']));
    for (const e of ours) {
      const m = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(e.name);
      if (m) expect(createHash('sha256').update(e.content).digest('hex')).toBe(m[1]);
    }
    const index = JSON.parse(Buffer.from(ours.find((e) => e.name === 'index.json')!.content).toString()) as {
      manifests: Array<{ digest: string }>;
    };
    expect(ours.some((e) => e.name === `blobs/sha256/${index.manifests[0]!.digest.slice(7)}`)).toBe(true);

    // a docker-archive, streamed straight into images.load
    const name = `${ns}/bk-docker:${uniqueName('t')}`;
    made.push(name);
    const pipe = new PassThrough();
    const loading = docker.images.load(pipe);
    await buildkit.build({ path: dir, outputs: [{ type: 'docker', dest: pipe, name }] });
    const images = await loading;
    expect(images.some((i) => i.tags.includes(name))).toBe(true);
  }, 180_000);

  it("a local output writes the result's files into a folder, the same files as buildctl writes", async () => {
    const dir = runContext();
    const ours = join(tempDir(), 'out');
    await buildkit.build({ path: dir, outputs: [{ type: 'local', dest: ours }] });
    const theirs = join(tempDir(), 'out');
    await buildctl(buildkitd.unix, [...dockerfileBuild(dir), '--output', `type=local,dest=${theirs}`]);
    const list = (root: string): string[] =>
      execFileSync('find', ['.', '-printf', '%p %y %m %s %l\\n'], { cwd: root, encoding: 'utf8' })
        .trim()
        .split('\n')
        .filter((l) => !/^\.\/(proc|sys|dev)\b/.test(l))
        .sort();
    expect(list(ours)).toEqual(list(theirs));
    expect(readFileSync(join(ours, 'ctx/a.txt'), 'utf8')).toBe('hello');
    expect(readFileSync(join(ours, 'ctx/big.bin'))).toEqual(readFileSync(join(theirs, 'ctx/big.bin')));
  }, 180_000);

  it('a program that builds and never closes its BuildKit exits by itself: an idle connection holds no process open', async () => {
    const dir = makeTree({ Dockerfile: `FROM ${base}\nCOPY a.txt /a.txt\n`, 'a.txt': uniqueName('exit') });
    const dest = join(tempDir(), 'out');
    const stdout = await runProgram(
      ['BuildKit'],
      [
        'const [host, path, dest] = args;',
        'const buildkit = new BuildKit({ host });',
        "await buildkit.build({ path, outputs: [{ type: 'local', dest }] });",
        'console.log((await buildkit.info()).BuildkitVersion.Version);',
      ],
      [buildkitd.unix, dir, dest],
    );
    expect(stdout.trim()).toMatch(/^v\d+\.\d+/);
    expect(readFileSync(join(dest, 'a.txt'), 'utf8')).toMatch(/^exit/);
  }, 180_000);

  it('a registry cache exported by one build is imported by a fresh daemon, whose steps are then cached (both ways with buildctl)', async () => {
    // ours exports, buildctl imports on the other daemon
    const dirA = makeTree({ Dockerfile: `FROM ${base}\nRUN echo ${uniqueName('cache')} > /made\n` });
    const cacheA = ref('cache');
    await buildkit.build({ path: dirA, cacheTo: [{ type: 'registry', ref: cacheA, mode: 'max' }] });
    const log = await buildctl(buildkitd.tls, [
      ...dockerfileBuild(dirA),
      '--progress',
      'plain',
      '--import-cache',
      `type=registry,ref=${cacheA}`,
    ]);
    expect(log).toMatch(/RUN echo[^\n]*\n#\d+ CACHED/);
    // buildctl exports, ours imports on the other daemon
    const dirB = makeTree({ Dockerfile: `FROM ${base}\nRUN echo ${uniqueName('cache')} > /made\n` });
    const cacheB = ref('cache-buildctl');
    await buildctl(buildkitd.unix, [
      ...dockerfileBuild(dirB),
      '--export-cache',
      `type=registry,ref=${cacheB},mode=max`,
    ]);
    const events = await collect(secure.build({ path: dirB, cacheFrom: [{ type: 'registry', ref: cacheB }] }));
    const run = events.filter((e) => e.type === 'vertex' && /RUN echo/.test(e.name));
    expect(run.map((e) => (e.type === 'vertex' ? e.state : ''))).toContain('cached');
  }, 240_000);

  it('attest provenance adds an attestation manifest to the pushed index, as buildctl does', async () => {
    const dir = makeTree({ Dockerfile: `FROM ${base}\nCOPY a.txt /a.txt\n`, 'a.txt': uniqueName('prov') });
    const ours = ref('prov');
    await buildkit.build({
      path: dir,
      attest: { provenance: true },
      outputs: [{ type: 'image', name: ours, push: true }],
    });
    const theirs = ref('prov-buildctl');
    await buildctl(buildkitd.unix, [
      ...dockerfileBuild(dir),
      '--opt',
      'attest:provenance=mode=min',
      '--output',
      `type=image,name=${theirs},push=true`,
    ]);
    const kinds = async (name: string): Promise<string[]> => {
      const index = (await readManifest(name)).manifest;
      return (index.manifests ?? [])
        .map((d) => d.annotations?.['vnd.docker.reference.type'] ?? `${d.platform?.os}/${d.platform?.architecture}`)
        .sort();
    };
    expect(await kinds(ours)).toEqual(['attestation-manifest', 'linux/amd64']);
    expect(await kinds(ours)).toEqual(await kinds(theirs));
    // the attestation's layer is an in-toto statement with a SLSA provenance predicate
    const index = (await readManifest(ours)).manifest;
    const attestation = index.manifests!.find(
      (d) => d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest',
    )!;
    const manifest = (await readManifest(ours, attestation.digest)).manifest;
    const statement = JSON.parse((await readBlob(ours, manifest.layers![0]!.digest)).toString('utf8')) as {
      predicateType: string;
    };
    expect(statement.predicateType).toMatch(/slsa\.dev\/provenance/);
  }, 180_000);

  it('secrets and ssh reach RUN --mount through the Control API session, and appear in no event or error', async () => {
    const marker = `dw-secret-${Math.random().toString(36).slice(2)}-marker`;
    const agentDir = tempDir();
    const socket = join(agentDir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 50 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 100));
      execFileSync('ssh-keygen', [
        '-q',
        '-t',
        'ed25519',
        '-N',
        '',
        '-C',
        'dockwire-bk-key',
        '-f',
        join(agentDir, 'key'),
      ]);
      execFileSync('ssh-add', [join(agentDir, 'key')], {
        env: { ...process.env, SSH_AUTH_SOCK: socket },
        stdio: 'ignore',
      });
      const fingerprint = execFileSync('ssh-keygen', ['-lf', join(agentDir, 'key.pub')], { encoding: 'utf8' }).split(
        ' ',
      )[1]!;
      const dir = makeTree({
        Dockerfile: `FROM ${base}\nCOPY root/ /\nRUN --mount=type=secret,id=tok cat /run/secrets/tok | sha256sum > /digest\nRUN --mount=type=ssh ssh-add -l\n`,
      });
      copyProgram(dir, '/usr/bin/ssh-add');
      const name = ref('secret');
      const events = await collect(
        buildkit.build({
          path: dir,
          noCache: true,
          secrets: { tok: { value: marker } },
          ssh: { default: socket },
          outputs: [{ type: 'image', name, push: true }],
        }),
      );
      const logText = events.map((e) => (e.type === 'log' ? e.text : '')).join('');
      expect(logText).toContain(fingerprint);
      const layers = await layerFiles(name, (await readManifest(name)).manifest);
      const digestLayer = layers.find((l) => l.some((f) => f.startsWith('digest ')));
      expect(digestLayer).toBeDefined();
      expect(JSON.stringify(events)).not.toContain(marker);
      // a missing required secret: a BuildError naming it, never the secrets that were given
      const bad = makeTree({
        Dockerfile: `FROM ${base}\nRUN --mount=type=secret,id=missing,required=true cat /run/secrets/missing\n`,
      });
      const error = await buildkit.build({ path: bad, secrets: { tok: { value: marker } } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BuildError);
      expect((error as Error).message).toMatch(/missing/);
      expect(`${(error as Error).stack} ${JSON.stringify(error)}`).not.toContain(marker);
    } finally {
      agent.kill();
    }
  }, 180_000);

  it('the context goes through FileSync, and an ignored 100,000-file node_modules is never read; COPY . gets what buildctl gets', async () => {
    const dir = makeTree({
      Dockerfile: `FROM ${base}\nCOPY . /ctx/\n`,
      '.dockerignore': 'node_modules\n',
      'src/index.js': 'module.exports = 1;\n',
    });
    const modules = join(dir, 'node_modules');
    mkdirSync(modules);
    for (let d = 0; d < 100; d++) {
      mkdirSync(join(modules, `p${d}`));
      for (let f = 0; f < 1000; f++) writeFileSync(join(modules, `p${d}`, `f${f}.js`), '');
    }
    // every directory the library reads, and every entry it stats, while the build runs
    const { readdirs, lstats, restore } = await watchFs();
    try {
      const ours = ref('ctx');
      await buildkit.build({ path: dir, outputs: [{ type: 'image', name: ours, push: true }] });
      expect(readdirs.filter((p) => p.includes('node_modules'))).toEqual([]);
      expect(lstats.filter((p) => p.includes('node_modules/'))).toEqual([]);
      expect(readdirs.some((p) => p.endsWith('/src'))).toBe(true);
      const theirs = ref('ctx-buildctl');
      await buildctl(buildkitd.unix, [...dockerfileBuild(dir), '--output', `type=image,name=${theirs},push=true`]);
      const a = (await layerFiles(ours, (await readManifest(ours)).manifest)).at(-1)!;
      const b = (await layerFiles(theirs, (await readManifest(theirs)).manifest)).at(-1)!;
      expect(a).toEqual(b);
      expect(a.join('\n')).not.toContain('node_modules');
    } finally {
      restore();
    }
  }, 600_000);

  it('bad input is a typed error, never a hang: an unknown output type, a platform the worker cannot run', async () => {
    // an arm64 program (an ELF header that says so): what a RUN step of an arm64 image runs
    const elf = Buffer.alloc(64);
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(elf);
    elf.writeUInt16LE(2, 16); // ET_EXEC
    elf.writeUInt16LE(183, 18); // EM_AARCH64
    elf.writeUInt32LE(1, 20);
    const dir = makeTree({ Dockerfile: `FROM scratch\nCOPY tool /tool\nRUN ["/tool", "${uniqueName('arm')}"]\n` });
    writeFileSync(join(dir, 'tool'), elf);
    chmodSync(join(dir, 'tool'), 0o755);
    await expect(buildkit.build({ path: dir, outputs: [{ type: 'nope' } as never] })).rejects.toBeInstanceOf(
      InvalidArgument,
    );
    await expect(buildkit.build({ path: dir, outputz: [] } as never)).rejects.toThrow(/did you mean "outputs"/);
    await expect(buildkit.build({ path: dir, platforms: ['linux/amd64/v9/x'] })).rejects.toBeInstanceOf(
      InvalidArgument,
    );
    const workers = await buildkit.workers();
    const canArm = workers.some((w) => w.Platforms.some((p) => p.Architecture === 'arm64'));
    const error = await buildkit.build({ path: dir, platforms: ['linux/arm64'] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (canArm) expect(error).toBeUndefined();
    else {
      expect(error).toBeInstanceOf(BuildError);
      expect((error as Error).message).toMatch(/linux\/arm64/);
    }
  }, 120_000);

  it('prune removes what the cache holds, as buildctl prune would', async () => {
    const dir = makeTree({ Dockerfile: `FROM ${base}\nRUN echo ${uniqueName('prune')} > /made\n` });
    await buildkit.build({ path: dir });
    const before = await buildkit.diskUsage();
    expect(before.length).toBeGreaterThan(0);
    const pruned = await buildkit.prune({ all: true });
    expect(pruned.records.length).toBeGreaterThan(0);
    expect(pruned.spaceReclaimed).toBe(pruned.records.reduce((s, r) => s + r.Size, 0));
    const after = await buildkit.diskUsage();
    expect(after.filter((r) => !r.InUse).length).toBeLessThan(before.filter((r) => !r.InUse).length);
    await expect(buildkit.prune({ keepStorag: 1 } as never)).rejects.toThrow(/did you mean "keepStorage"/);
  }, 120_000);
});

/** Records the paths node:fs's readdirSync and lstatSync are called with, in this process. */
async function watchFs(): Promise<{ readdirs: string[]; lstats: string[]; restore: () => void }> {
  const { createRequire, syncBuiltinESMExports } = await import('node:module');
  const fs = createRequire(import.meta.url)('node:fs') as Record<
    'readdirSync' | 'lstatSync',
    (...args: unknown[]) => unknown
  >;
  const readdirs: string[] = [];
  const lstats: string[] = [];
  const readdir = fs.readdirSync;
  const lstat = fs.lstatSync;
  fs.readdirSync = (path: unknown, ...rest: unknown[]) => {
    readdirs.push(String(path));
    return readdir(path, ...rest);
  };
  fs.lstatSync = (path: unknown, ...rest: unknown[]) => {
    lstats.push(String(path));
    return lstat(path, ...rest);
  };
  syncBuiltinESMExports();
  return {
    readdirs,
    lstats,
    restore: () => {
      fs.readdirSync = readdir;
      fs.lstatSync = lstat;
      syncBuiltinESMExports();
    },
  };
}
