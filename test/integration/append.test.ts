// What registry.append makes, run by the engine: pushed to the loopback registry and pulled, or
// loaded from its docker-archive (a file through `docker load`, a stream through
// docker.images.load with no file in between). Containers are run with the docker CLI (dockwire
// has no containers API), without a network. The files, their owners and modes, symlinks, and the
// config's entrypoint, user, working directory and environment are what the container sees.
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { Registry, type AppendLayer, type ConfigChanges } from '../../src/index.js';
import { registryBase } from '../support/buildkitd.js';
import { engine, ns, uniqueName } from '../support/engine.js';
import { dockerCli } from '../support/images.js';
import { engineSuite } from '../support/suite.js';
import { tempDir } from '../support/temp.js';

const { docker, made } = engineSuite();
const registry = new Registry();
let base: string;

beforeAll(async () => {
  base = await registryBase(docker);
}, 120_000);

/** An app folder: a script, a data file, a private file, a symlink, a subfolder. */
function app(): string {
  const dir = tempDir('dockwire-app-');
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\necho "run $*"\n');
  chmodSync(join(dir, 'run.sh'), 0o755);
  writeFileSync(join(dir, 'lib/data.txt'), 'data\n');
  writeFileSync(join(dir, 'secret'), 'private\n');
  chmodSync(join(dir, 'secret'), 0o600);
  symlinkSync('lib/data.txt', join(dir, 'data'));
  return dir;
}

const layers = (dir: string): AppendLayer[] => [
  { path: dir, to: '/srv/app', owner: { uid: 1000, gid: 1000 } },
  {
    files: {
      '/etc/app.conf': 'conf\n',
      '/usr/local/bin/hello': { data: '#!/bin/sh\necho hello "$GREETING"\n', mode: 0o755 },
    },
  },
];

const config: ConfigChanges = {
  entrypoint: ['/bin/sh', '-c'],
  cmd: ['id -u; id -g; pwd; echo "$GREETING"; echo "$PATH"; hello'],
  env: { GREETING: 'hi' },
  workingDir: '/srv/app',
  user: '1000:1000',
};

const inside = (image: string, script: string): string =>
  dockerCli(['run', '--rm', '--network', 'none', '--entrypoint', '/bin/sh', image, '-c', script]);

function checkImage(image: string): void {
  // the config, honoured by `docker run`
  expect(dockerCli(['run', '--rm', '--network', 'none', image]).split('\n')).toEqual([
    '1000',
    '1000',
    '/srv/app',
    'hi',
    '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'hello hi',
  ]);
  // the files, owners, modes and symlinks
  const listing = inside(
    image,
    'stat -c "%n %u:%g %a" /srv/app /srv/app/run.sh /srv/app/secret /srv/app/lib/data.txt /etc/app.conf /usr/local/bin/hello; readlink /srv/app/data; cat /srv/app/data; /srv/app/run.sh x',
  );
  expect(listing.split('\n')).toEqual([
    '/srv/app 1000:1000 755',
    '/srv/app/run.sh 1000:1000 755',
    '/srv/app/secret 1000:1000 600',
    '/srv/app/lib/data.txt 1000:1000 644',
    '/etc/app.conf 0:0 644',
    '/usr/local/bin/hello 0:0 755',
    'lib/data.txt',
    'data',
    'run x',
  ]);
}

describe('registry.append, run by the engine', () => {
  it('pushes an image that the engine pulls and runs: files, owners, modes, symlinks, entrypoint, user, workdir and env', async () => {
    const ref = `${engine.registry}/dockwire-test/append-run:${uniqueName('t')}`;
    await registry.append(base, { layers: layers(app()), config, to: ref });
    dockerCli(['pull', ref]);
    made.push(ref);
    checkImage(ref);
  });

  it('writes a docker-archive that `docker load` reads', async () => {
    const tag = `${ns}/append-load:${uniqueName('t')}`;
    const file = join(tempDir(), 'image.tar');
    await registry.append(base, { layers: layers(app()), config, to: { path: file, format: 'docker', tag } });
    expect(dockerCli(['load', '-i', file])).toContain(tag);
    made.push(tag);
    checkImage(tag);
  });

  it('streams the docker-archive into docker.images.load, no file in between', async () => {
    const tag = `${ns}/append-stream:${uniqueName('t')}`;
    const stream = new PassThrough();
    const load = docker.images.load(stream);
    const appended = registry.append(base, {
      layers: layers(app()),
      config,
      created: new Date('2024-05-01T00:00:00Z'),
      to: { stream, format: 'docker', tag },
    });
    const [images, result] = await Promise.all([load, appended]);
    made.push(tag);
    expect(images.flatMap((i) => i.tags)).toContain(tag);
    // the busybox base's one layer and the two added (the image ID is the config's digest on a
    // graph-driver store, a manifest's on containerd's: not compared)
    expect(images[0]!.attrs.RootFS?.Layers).toHaveLength(3);
    expect(result.platforms).toHaveLength(1);
    checkImage(tag);
    expect(dockerCli(['image', 'inspect', '-f', '{{.Created}}', tag])).toMatch(/^2024-05-01T00:00:00/);
  });

  it('fails the load when the append fails: the stream is ended with the error, not left open', async () => {
    const stream = new PassThrough();
    const load = docker.images.load(stream);
    const appended = registry.append(base, {
      layers: [{ path: '/nonexistent/dockwire' }],
      to: { stream, format: 'docker' },
    });
    await expect(appended).rejects.toThrow(/layers\[0\]\.path/);
    await expect(load).rejects.toThrow();
  });
});
