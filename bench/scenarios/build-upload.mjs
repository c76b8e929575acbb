// 5. A build whose context is 1 GiB (5 × 200 MiB), end to end, against the docker CLI's legacy build.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, timed } from '../lib/measure.mjs';
import { largeFiles } from '../lib/trees.mjs';

export async function run(env) {
  const dir = largeFiles();
  writeFileSync(join(dir, 'Dockerfile'), `FROM ${env.DOCKWIRE_BASE_IMAGE}\nLABEL bench=upload\n`);
  const contenders = {
    dockwire: () =>
      timed(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { Docker } = await import('../dist/index.js'); const d = new Docker({ host: process.env.DOCKER_HOST, version: '1.41' }); await d.images.build({ path: ${JSON.stringify(dir)} }); await d.close();`,
        ],
        { env },
      ),
    'docker CLI (DOCKER_BUILDKIT=0)': () =>
      timed('docker', ['build', '-q', dir], {
        env: { ...env, DOCKER_BUILDKIT: '0', DOCKER_CONFIG: '/tmp/dockwire-bench/no-docker-config' },
      }),
  };
  const ms = {};
  const rss = {};
  for (const [name, run] of Object.entries(contenders)) {
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await run());
    ms[name] = median(runs.map((r) => r.ms));
    rss[name] = median(runs.map((r) => r.rssMb));
  }
  return [
    {
      scenario: 'build with a 1 GiB context, end to end, ms',
      unit: 'ms',
      results: ms,
      target: 'no slower than the docker CLI',
    },
    { scenario: 'build with a 1 GiB context, peak RSS MB', unit: 'MB', results: rss, target: 'flat' },
  ];
}
