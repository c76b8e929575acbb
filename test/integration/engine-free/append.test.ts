// registry.append and registry.mutate against the loopback registry, read back by crane 0.20.7
// (config, manifest, export, and its own `append` of the same tar for the diff_id) and by umoci
// 0.6 (the OCI layout output). Bases are made by crane: a busybox rootfs appended to nothing,
// given a platform, and a two-platform index (`crane index append`; arm64 is never run), with an
// attestation entry added as BuildKit writes one. The engine never takes part here.
import { execFile, execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ManifestNotFound,
  InvalidArgument,
  Registry,
  openImageArchive,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
} from '../../../src/index.js';
import { engine, uniqueName } from '../../support/engine.js';
import { root } from '../../support/engine-env.js';
import { crane, craneBytes } from '../../support/registry-peers.js';
import { readTar } from '../../support/tar.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

const run = promisify(execFile);
const registry = new Registry();
const repo = (name: string): string => `${engine.registry}/dockwire-test/append-${name}`;
const ref = (name: string): string => `${repo(name)}:${uniqueName('t')}`;
let amd64: string;
let multi: string;

function umoci(...args: string[]): Promise<{ stdout: string }> {
  const bin = process.env['DOCKWIRE_UMOCI'];
  if (!bin) throw new Error('DOCKWIRE_UMOCI is not set: run through vitest (global setup)');
  return run(bin, args, { maxBuffer: 64 * 1024 * 1024 });
}

/** A busybox rootfs as a tar (GNU tar), as scripts/engine.sh makes the engine's base. */
function rootfsTar(): string {
  const dir = tempDir('dockwire-rootfs-');
  mkdirSync(join(dir, 'root/bin'), { recursive: true });
  mkdirSync(join(dir, 'root/etc'));
  cpSync('/bin/busybox', join(dir, 'root/bin/busybox'));
  for (const applet of ['sh', 'ls', 'cat', 'id', 'stat']) symlinkSync('busybox', join(dir, 'root/bin', applet));
  writeFileSync(join(dir, 'root/etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  execFileSync('tar', ['-C', join(dir, 'root'), '-cf', join(dir, 'rootfs.tar'), '.']);
  return join(dir, 'rootfs.tar');
}

async function manifestOf(reference: string): Promise<ImageManifest & ImageIndex> {
  return JSON.parse(await crane('manifest', reference)) as ImageManifest & ImageIndex;
}

async function configOf(reference: string, platform?: string): Promise<ImageConfig> {
  return JSON.parse(await crane('config', reference, ...(platform ? ['--platform', platform] : []))) as ImageConfig;
}

async function exported(
  reference: string,
  platform = 'linux/amd64',
): Promise<Map<string, ReturnType<typeof readTar>[number]>> {
  const tar = await craneBytes('export', '--platform', platform, reference, '-');
  return new Map(readTar(tar).map((e) => [e.name.replace(/^\.?\//, '').replace(/\/$/, ''), e]));
}

async function absent(reference: string): Promise<void> {
  await expect(registry.manifest(reference)).rejects.toBeInstanceOf(ManifestNotFound);
}

beforeAll(async () => {
  const rootfs = rootfsTar();
  const tag = uniqueName('b');
  amd64 = `${repo('base')}:${tag}-amd64`;
  const arm64 = `${repo('base')}:${tag}-arm64`;
  await crane('append', '-f', rootfs, '-t', `${amd64}-raw`, '--oci-empty-base');
  await crane(
    'mutate',
    `${amd64}-raw`,
    '--set-platform',
    'linux/amd64',
    '-t',
    amd64,
    '--env',
    'PATH=/usr/local/bin:/usr/bin:/bin',
    '--env',
    'BASE=1',
    '--cmd',
    '/bin/sh',
  );
  await crane('mutate', `${amd64}-raw`, '--set-platform', 'linux/arm64', '-t', arm64);
  const index = `${repo('base')}:${tag}-plain-index`;
  await crane('index', 'append', '-m', amd64, '-m', arm64, '-t', index);
  // an attestation entry, as BuildKit writes one beside the images: append must leave it out
  const plain = await manifestOf(index);
  const attestation = plain.manifests[0]!;
  const withAttestation = {
    ...plain,
    manifests: [
      ...plain.manifests,
      {
        ...attestation,
        platform: { os: 'unknown', architecture: 'unknown' },
        annotations: {
          'vnd.docker.reference.type': 'attestation-manifest',
          'vnd.docker.reference.digest': attestation.digest,
        },
      },
    ],
  };
  multi = `${repo('base')}:${tag}-index`;
  await registry.pushManifest(multi, new TextEncoder().encode(JSON.stringify(withAttestation)), {
    mediaType: plain.mediaType!,
  });
}, 120_000);

afterAll(async () => {
  removeTempDirs();
  await registry.close();
});

describe('registry.append to a registry', () => {
  it('gives a tar the diff_id crane append gives it, and crane reads the result', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'src/sub'), { recursive: true });
    writeFileSync(join(dir, 'src/hello.txt'), 'hello\n');
    writeFileSync(join(dir, 'src/sub/deep'), 'deep\n');
    execFileSync('tar', ['-C', join(dir, 'src'), '-cf', join(dir, 'layer.tar'), '.']);
    const ours = ref('tar');
    const theirs = ref('tar-crane');
    const result = await registry.append(amd64, { layers: [{ tar: join(dir, 'layer.tar') }], to: ours });
    await crane('append', '-b', amd64, '-f', join(dir, 'layer.tar'), '-t', theirs);
    const [a, b] = [await configOf(ours), await configOf(theirs)];
    expect(a.rootfs.diff_ids.at(-1)).toBe(b.rootfs.diff_ids.at(-1));
    expect(a.rootfs.diff_ids).toHaveLength(2);
    expect((await crane('digest', ours)).trim()).toBe(result.digest);
    const files = await exported(ours);
    expect(new TextDecoder().decode(files.get('sub/deep')!.content)).toBe('deep\n');
    expect(files.has('bin/busybox')).toBe(true);
  });

  it('places a folder at `to` with owners and modes, and changes the config (crane config, manifest, export)', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin/tool'), '#!/bin/sh\necho tool\n');
    chmodSync(join(dir, 'bin/tool'), 0o755);
    writeFileSync(join(dir, 'index.js'), 'console.log(1)\n');
    writeFileSync(join(dir, 'index.js.map'), '{}');
    symlinkSync('index.js', join(dir, 'main.js'));
    const to = ref('folder');
    const result = await registry.append(amd64, {
      layers: [
        { path: dir, to: '/srv/app', owner: { uid: 1000, gid: 1001 }, ignore: ['*.map'] },
        { files: { '/etc/app.json': '{"a":1}', '/usr/local/bin/run': { data: '#!/bin/sh\n', mode: 0o750 } } },
      ],
      config: {
        entrypoint: ['/srv/app/bin/tool'],
        env: { NODE_ENV: 'production', BASE: '2' },
        workingDir: '/srv/app',
        user: '1000:1001',
        labels: { a: 'b' },
        exposedPorts: [8080],
        stopSignal: 'SIGINT',
      },
      annotations: { 'org.example.x': 'y' },
      to,
    });
    expect(result.platforms).toEqual([expect.objectContaining({ platform: { os: 'linux', architecture: 'amd64' } })]);
    const manifest = await manifestOf(to);
    expect(manifest.layers).toHaveLength(3);
    expect(manifest.annotations).toMatchObject({
      'org.opencontainers.image.base.name': amd64,
      'org.opencontainers.image.base.digest': (await crane('digest', amd64)).trim(),
      'org.example.x': 'y',
    });
    const config = await configOf(to);
    expect(config.config).toMatchObject({
      Entrypoint: ['/srv/app/bin/tool'],
      WorkingDir: '/srv/app',
      User: '1000:1001',
      Labels: { a: 'b' },
      ExposedPorts: { '8080/tcp': {} },
      StopSignal: 'SIGINT',
    });
    expect(config.config!['Cmd']).toBeUndefined();
    expect(config.config!['Env']).toEqual(['PATH=/usr/local/bin:/usr/bin:/bin', 'BASE=2', 'NODE_ENV=production']);
    expect(config.history!.slice(-2).map((h) => h['created_by'])).toEqual([
      'dockwire append /srv/app',
      expect.stringContaining('/etc/app.json'),
    ]);
    const files = await exported(to);
    expect(files.get('srv/app/bin/tool')).toMatchObject({ type: 'file', mode: 0o755 });
    expect(files.get('srv/app/main.js')).toMatchObject({ type: 'symlink', linkname: 'index.js' });
    expect(files.has('srv/app/index.js.map')).toBe(false);
    expect(files.get('srv')).toMatchObject({ type: 'directory', mode: 0o755 });
    expect(files.get('usr/local/bin/run')).toMatchObject({ mode: 0o750 });
    // owners as GNU tar reads the layer blob: numeric, no user or group names
    const blob = join(dir, '..', `${uniqueName('layer')}.tgz`);
    writeFileSync(blob, await craneBytes('blob', `${repo('folder')}@${manifest.layers[1]!.digest}`));
    const listing = execFileSync('tar', ['-tvzf', blob, '--numeric-owner'], { encoding: 'utf8' });
    expect(listing).toMatch(/^-rwxr-xr-x 1000\/1001 .* srv\/app\/bin\/tool$/m);
    expect(listing).toMatch(/^lrwxrwxrwx 1000\/1001 .* srv\/app\/main\.js -> index\.js$/m);
    expect(listing).toMatch(/^drwxr-xr-x 0\/0 .* srv\/$/m);
    const named = execFileSync('tar', ['-tvzf', blob], { encoding: 'utf8' });
    expect(named).toMatch(/ 1000\/1001 /);
  });

  it('appends the same layer blobs to every platform of an index, attestations dropped', async () => {
    const to = ref('multi');
    const result = await registry.append(multi, { layers: [{ files: { '/hello': 'hi' } }], to });
    const index = await manifestOf(to);
    expect(index.manifests.map((m) => m.platform!.architecture).sort()).toEqual(['amd64', 'arm64']);
    expect(result.platforms.map((p) => p.platform.architecture).sort()).toEqual(['amd64', 'arm64']);
    const layers = await Promise.all(
      index.manifests.map(async (m) => (await manifestOf(`${repo('multi')}@${m.digest}`)).layers.at(-1)!.digest),
    );
    expect(new Set(layers).size).toBe(1);
    expect((await configOf(to, 'linux/arm64')).architecture).toBe('arm64');
    expect(new TextDecoder().decode((await exported(to, 'linux/arm64')).get('hello')!.content)).toBe('hi');
  });

  it('narrows to `platforms`: one platform of an index is a single manifest', async () => {
    const to = ref('narrow');
    const result = await registry.append(multi, { layers: [{ files: { '/x': 'x' } }], platforms: ['linux/arm64'], to });
    const manifest = await manifestOf(to);
    expect(manifest.layers).toBeDefined();
    expect(result.platforms.map((p) => p.platform.architecture)).toEqual(['arm64']);
    expect((await configOf(to)).architecture).toBe('arm64');
  });

  it('a single-platform base stays a single manifest; scratch needs platforms', async () => {
    const single = ref('single');
    await registry.append(amd64, { layers: [{ files: { '/x': 'x' } }], to: single });
    expect((await manifestOf(single)).layers).toHaveLength(2);
    const scratch = ref('scratch');
    const made = await registry.append('scratch', {
      layers: [{ files: { '/only': 'one' } }],
      platforms: ['linux/amd64', 'linux/arm64'],
      config: { cmd: ['/only'] },
      to: scratch,
    });
    const index = await manifestOf(scratch);
    expect(index.manifests).toHaveLength(2);
    expect(made.platforms).toHaveLength(2);
    const config = await configOf(scratch, 'linux/amd64');
    expect(config.rootfs.diff_ids).toHaveLength(1);
    expect([...(await exported(scratch)).keys()].filter((k) => k !== '')).toEqual(['only']);
    await expect(
      registry.append('scratch', { layers: [{ files: { '/a': 'a' } }], to: ref('scratch-none') }),
    ).rejects.toThrow(/platforms/);
  });

  it('mutate changes only the config: the layers stay the same blobs', async () => {
    const to = ref('mutate');
    const before = await manifestOf(amd64);
    const result = await registry.mutate(amd64, {
      config: { env: { MODE: 'x' }, entrypoint: '/bin/sh' },
      annotations: { k: 'v' },
      to,
    });
    const after = await manifestOf(to);
    expect(after.layers).toEqual(before.layers);
    expect(after.config.digest).not.toBe(before.config.digest);
    expect(result.digest).toBe((await crane('digest', to)).trim());
    const config = await configOf(to);
    expect(config.config!['Env']).toContain('MODE=x');
    expect(config.rootfs.diff_ids).toEqual((await configOf(amd64)).rootfs.diff_ids);
    expect(config.history).toEqual((await configOf(amd64)).history);
  });
});

describe('reproducible layers', () => {
  /** A folder made in a given order, with given file times and umask. */
  function tree(order: string[], time: number, umask: number): string {
    const dir = tempDir('dockwire-repro-');
    const previous = process.umask(umask);
    try {
      for (const name of order) {
        mkdirSync(join(dir, name, '..'), { recursive: true });
        writeFileSync(join(dir, name), `content of ${name}\n`, { mode: name.endsWith('.sh') ? 0o777 : 0o666 });
      }
    } finally {
      process.umask(previous);
    }
    for (const name of order) utimesSync(join(dir, name), time, time);
    return dir;
  }

  it('gives the same digest for two copies of a folder with other file times, creation order and umask', async () => {
    const names = ['a.txt', 'b/c.txt', 'b/run.sh', 'd/e/f.txt'];
    const one = tree(names, 1_000_000, 0o022);
    const two = tree([...names].reverse(), 2_000_000, 0o002);
    expect(statSync(join(one, 'a.txt')).mode & 0o777).not.toBe(statSync(join(two, 'a.txt')).mode & 0o777);
    const created = new Date('2024-01-01T00:00:00Z');
    const [x, y] = [ref('repro'), ref('repro')];
    const a = await registry.append(amd64, { layers: [{ path: one, to: '/app' }], created, to: x });
    const b = await registry.append(amd64, { layers: [{ path: two, to: '/app' }], created, to: y });
    expect(a.digest).toBe(b.digest);
    const files = await exported(x);
    expect(files.get('app/b/run.sh')!.mode).toBe(0o755);
    expect(files.get('app/a.txt')!.mode).toBe(0o644);
    // without a fixed time, the file times and modes are kept, and the layers differ
    const [u, v] = [ref('repro'), ref('repro')];
    await registry.append(amd64, { layers: [{ path: one, to: '/app' }], to: u });
    await registry.append(amd64, { layers: [{ path: two, to: '/app' }], to: v });
    expect((await manifestOf(u)).layers.at(-1)!.digest).not.toBe((await manifestOf(v)).layers.at(-1)!.digest);
  });

  it('takes its time from SOURCE_DATE_EPOCH', async () => {
    const dir = tree(['x.txt'], 3_000_000, 0o022);
    const saved = process.env['SOURCE_DATE_EPOCH'];
    process.env['SOURCE_DATE_EPOCH'] = '1700000000';
    try {
      const to = ref('epoch');
      await registry.append(amd64, { layers: [{ path: dir }], to });
      expect((await configOf(to)).created).toBe('2023-11-14T22:13:20.000Z');
      const manifest = await manifestOf(to);
      const layer = readTar(
        await craneBytes('blob', `${repo('epoch')}@${manifest.layers.at(-1)!.digest}`).then(async (gz) =>
          (await import('node:zlib')).gunzipSync(gz),
        ),
      );
      expect(layer.map((e) => e.name)).toEqual(['x.txt']);
      const again = await registry.append(amd64, {
        layers: [{ path: tree(['x.txt'], 4_000_000, 0o002) }],
        to: ref('epoch'),
      });
      expect(again.digest).toBe((await crane('digest', to)).trim());
    } finally {
      if (saved === undefined) delete process.env['SOURCE_DATE_EPOCH'];
      else process.env['SOURCE_DATE_EPOCH'] = saved;
    }
  });
});

describe('file outputs', () => {
  it('writes an OCI layout that umoci lists and unpacks (OCI media types, the tag named)', async () => {
    const dir = tempDir();
    const layout = join(dir, 'layout');
    await registry.append(amd64, {
      layers: [{ files: { '/app/hello': { data: 'hello', mode: 0o755 } } }],
      config: { entrypoint: ['/app/hello'] },
      to: { path: layout, format: 'oci', tag: 'v1' },
    });
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as ImageIndex;
    expect(index.manifests[0]!.annotations!['org.opencontainers.image.ref.name']).toBe('v1');
    const manifest = JSON.parse(
      readFileSync(join(layout, 'blobs', index.manifests[0]!.digest.replace(':', '/')), 'utf8'),
    ) as ImageManifest;
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(manifest.layers.every((l) => l.mediaType.startsWith('application/vnd.oci.'))).toBe(true);
    expect((await umoci('ls', '--layout', layout)).stdout.trim()).toBe('v1');
    const bundle = join(dir, 'bundle');
    await umoci('unpack', '--image', `${layout}:v1`, bundle);
    expect(readFileSync(join(bundle, 'rootfs/app/hello'), 'utf8')).toBe('hello');
    expect(statSync(join(bundle, 'rootfs/app/hello')).mode & 0o777).toBe(0o755);
    expect(readlinkSync(join(bundle, 'rootfs/bin/sh'))).toBe('busybox');
    expect(existsSync(join(bundle, 'config.json'))).toBe(true);
  });

  it('writes an OCI layout as a tar (latest when no tag is given) and a docker-archive, both read back; an archive is a base', async () => {
    const dir = tempDir();
    await registry.append(multi, {
      layers: [{ files: { '/f': 'f' } }],
      to: { path: join(dir, 'image.tar'), format: 'oci' },
    });
    const oci = await openImageArchive(join(dir, 'image.tar'));
    expect(oci.format).toBe('oci');
    expect(oci.images.map((i) => i.platform?.architecture).sort()).toEqual(['amd64', 'arm64']);
    expect(new TextDecoder().decode(await oci.readFile('/f', { platform: 'linux/arm64' }))).toBe('f');
    await oci.close();
    await expect(
      registry.append(multi, { layers: [], to: { path: join(dir, 'no.tar'), format: 'docker' } }),
    ).rejects.toThrow(/platforms/);
    await registry.append(multi, {
      layers: [{ files: { '/g': 'g' } }],
      platforms: ['linux/amd64'],
      to: { path: join(dir, 'docker.tar'), format: 'docker', tag: 'dockwire-test/append:1' },
    });
    const archive = await openImageArchive(join(dir, 'docker.tar'));
    expect(archive.format).toBe('docker-archive');
    expect(archive.images[0]!.names).toEqual(['dockwire-test/append:1']);
    expect(new TextDecoder().decode(await archive.readFile('/g'))).toBe('g');
    await archive.close();
    // the archive as the base of another append, pushed
    const to = ref('from-archive');
    await registry.append(join(dir, 'docker.tar'), { layers: [{ files: { '/h': 'h' } }], to });
    const files = await exported(to);
    expect(['g', 'h', 'bin/busybox'].every((f) => files.has(f))).toBe(true);
  });
});

describe('bad input, refused before anything is uploaded', () => {
  const cases: Array<[string, (to: string) => PromiseLike<unknown>, RegExp]> = [
    [
      'a path that does not exist',
      (to) => registry.append(amd64, { layers: [{ path: '/nonexistent/dockwire' }], to }),
      /layers\[0\]\.path/,
    ],
    [
      'a layer file path that is not absolute',
      (to) => registry.append(amd64, { layers: [{ files: { 'etc/x': 'x' } }], to }),
      /layers\[0\]\.files\["etc\/x"\]/,
    ],
    [
      '.. in a target',
      (to) => registry.append(amd64, { layers: [{ files: { '/x': 'x' } }, { path: '.', to: '/app/../etc' }], to }),
      /layers\[1\]\.to/,
    ],
    [
      'an unknown platform',
      (to) => registry.append(multi, { layers: [{ files: { '/x': 'x' } }], platforms: ['linux/s390x'], to }),
      /platforms\[0\]/,
    ],
    [
      'a base that is not an image',
      (to) => registry.append(`${amd64}-artifact`, { layers: [{ files: { '/x': 'x' } }], to }),
      /base/,
    ],
    [
      'a misspelled option',
      (to) => registry.append(amd64, { layers: [], to, annotation: {} } as never),
      /unknown option "annotation"; did you mean "annotations"/,
    ],
    [
      'a misspelled config field',
      (to) => registry.append(amd64, { layers: [], to, config: { workdir: '/' } } as never),
      /config: unknown option "workdir"/,
    ],
    [
      'a misspelled layer field',
      (to) => registry.append(amd64, { layers: [{ path: '.', too: '/x' } as never], to }),
      /layers\[0\]: unknown option "too"/,
    ],
  ];
  beforeAll(async () => {
    // an artifact in the base's repository: a manifest whose config is not an image config
    await registry.attach(amd64, { artifactType: 'application/vnd.dockwire.test', blobs: [] });
    const referrers = await registry.referrers(amd64);
    const artifact = referrers.find((d) => d.artifactType === 'application/vnd.dockwire.test')!;
    await registry.tag(`${repo('base')}@${artifact.digest}`, `${amd64.split(':').at(-1)}-artifact`);
  });
  for (const [what, call, message] of cases) {
    it(`${what}: InvalidArgument naming the field`, async () => {
      const to = ref('bad');
      const error = await Promise.resolve(call(to)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgument);
      expect((error as Error).message).toMatch(message);
      await absent(to);
    });
  }
});

describe('dockwire append and mutate (the CLI)', () => {
  const cli = (...args: string[]): Promise<{ stdout: string }> =>
    run(process.execPath, [join(root, 'dist', 'cli.js'), ...args], {
      env: { ...process.env, DOCKER_CONFIG: tempDir() },
    });

  it("appends a folder, a file and a tar with crane's flag names, then mutates the config", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app/index.js'), 'x');
    writeFileSync(join(dir, 'conf'), 'c');
    execFileSync('tar', ['-C', join(dir, 'app'), '-cf', join(dir, 'extra.tar'), 'index.js']);
    const to = ref('cli');
    const { stdout } = await cli(
      'append',
      multi,
      '--tar',
      join(dir, 'extra.tar'),
      '--layer',
      `${join(dir, 'app')}:/srv`,
      '--file',
      `${join(dir, 'conf')}:/etc/conf`,
      '--chown',
      '1000',
      '--entrypoint',
      'node,/srv/index.js',
      '-e',
      'A=1',
      '-l',
      'x=y',
      '-w',
      '/srv',
      '--platform',
      'linux/amd64',
      '--platform',
      'linux/arm64',
      '--created',
      '0',
      '-t',
      to,
    );
    expect(stdout.trim()).toBe(`${to}@${(await crane('digest', to)).trim()}`);
    const config = await configOf(to, 'linux/arm64');
    expect(config.config).toMatchObject({
      Entrypoint: ['node', '/srv/index.js'],
      WorkingDir: '/srv',
      Labels: { x: 'y' },
    });
    expect(config.created).toBe('1970-01-01T00:00:00.000Z');
    expect(config.rootfs.diff_ids).toHaveLength(4);
    const files = await exported(to);
    expect(['index.js', 'srv/index.js', 'etc/conf'].every((f) => files.has(f))).toBe(true);
    const mutated = ref('cli-mutate');
    await cli('mutate', to, '-u', 'nobody', '-a', 'k=v', '-t', mutated);
    expect((await configOf(mutated, 'linux/amd64')).config!['User']).toBe('nobody');
    const out = join(dir, 'out.tar');
    await cli('mutate', to, '--platform', 'linux/amd64', '-o', out, '--format', 'docker', '-t', 'me/app:1');
    const archive = await openImageArchive(out);
    expect(archive.images[0]!.names).toEqual(['me/app:1']);
    await archive.close();
  });
});
