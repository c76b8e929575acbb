// 9. A cached build of a trivial Dockerfile through BuildKit's Control API, against the same build
// by buildctl (BuildKit's own client, a process per build) on the same buildkitd, and on the
// engine: docker.buildkit (the Control API, with its session inside it where the engine serves
// gRPC on its socket) against images.build with BuildKit (POST /build with POST /session).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuildKit, Docker } from '../../dist/index.js';
import { median, medianMs } from '../lib/measure.mjs';

export async function run(env) {
  const bk = { ...env };
  for (const line of execFileSync(
    'bash',
    [join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', 'scripts', 'buildkitd.sh'), 'up'],
    { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'] },
  ).split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) bk[line.slice(0, i)] = line.slice(i + 1);
  }
  const base = `${env.DOCKWIRE_REGISTRY}/dockwire-test/busybox:latest`;
  execFileSync('docker', ['tag', env.DOCKWIRE_BASE_IMAGE, base], { env });
  execFileSync('docker', ['push', base], { env, stdio: 'ignore' });
  execFileSync('docker', ['rmi', base], { env, stdio: 'ignore' });
  const dir = mkdtempSync(join(tmpdir(), 'dockwire-bench-buildkit-'));
  const engineDir = mkdtempSync(join(tmpdir(), 'dockwire-bench-buildkit-'));
  writeFileSync(join(dir, 'Dockerfile'), `FROM ${base}\nCOPY a.txt /a.txt\n`);
  writeFileSync(join(dir, 'a.txt'), 'a\n');
  writeFileSync(join(engineDir, 'Dockerfile'), `FROM ${env.DOCKWIRE_BASE_IMAGE}\nLABEL bench=buildkit\n`);
  const buildkit = new BuildKit({ host: bk.DOCKWIRE_BUILDKIT_UNIX });
  const docker = new Docker({ host: env.DOCKER_HOST });
  const daemon = {
    dockwire: () => buildkit.build({ path: dir }),
    buildctl: async () =>
      execFileSync(
        bk.DOCKWIRE_BUILDCTL,
        [
          '--addr',
          bk.DOCKWIRE_BUILDKIT_UNIX,
          'build',
          '--frontend',
          'dockerfile.v0',
          '--local',
          `context=${dir}`,
          '--local',
          `dockerfile=${dir}`,
        ],
        { stdio: 'ignore' },
      ),
  };
  const engine = {
    dockwire: () => docker.buildkit.build({ path: engineDir, networkMode: 'none' }),
    'images.build (POST /build)': () =>
      docker.images.build({ path: engineDir, builder: 'buildkit', networkMode: 'none' }),
  };
  const measure = async (fns) => {
    const samples = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
    for (const fn of Object.values(fns)) for (let w = 0; w < 3; w++) await fn();
    for (let r = 0; r < 15; r++)
      for (const [k, fn] of Object.entries(fns)) samples[k].push(await medianMs(fn, { runs: 1, warmup: 0 }));
    return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  };
  try {
    return [
      {
        scenario: 'cached trivial build on buildkitd (unix socket): the Control API against buildctl, ms',
        unit: 'ms',
        results: await measure(daemon),
        target: 'no slower than buildctl',
      },
      {
        scenario:
          "cached trivial build on the engine's BuildKit: docker.buildkit (Control API) against POST /build, ms",
        unit: 'ms',
        results: await measure(engine),
        target: 'report',
      },
    ];
  } finally {
    buildkit.close();
    await docker.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(engineDir, { recursive: true, force: true });
  }
}
