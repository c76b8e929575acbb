// 8. A BuildKit build of a trivial Dockerfile with its session (POST /session upgraded to HTTP/2,
// health checks and credentials served over gRPC) against the same build without one (a
// transport that cannot upgrade, so the build goes without): the session's added time.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Docker, SocketTransport, parseAddress } from '../../dist/api.js';
import { median, medianMs } from '../lib/measure.mjs';

export async function run(env) {
  const dir = mkdtempSync(join(tmpdir(), 'dockwire-bench-session-'));
  writeFileSync(join(dir, 'Dockerfile'), `FROM ${env.DOCKWIRE_BASE_IMAGE}\nLABEL bench=session\n`);
  const inner = new SocketTransport(parseAddress(env.DOCKER_HOST));
  const withSession = new Docker({ host: env.DOCKER_HOST });
  const without = new Docker({
    transport: { request: (r) => inner.request(r), close: () => inner.close(), releasesChunks: true },
  });
  const build = (d) => () =>
    d.images.build({ path: dir, builder: 'buildkit', networkMode: 'none' }).then((r) => r.image);
  const fns = { dockwire: build(withSession), 'no session': build(without) };
  const samples = { dockwire: [], 'no session': [] };
  try {
    for (const fn of Object.values(fns)) for (let w = 0; w < 3; w++) await fn();
    for (let r = 0; r < 15; r++)
      for (const [k, fn] of Object.entries(fns)) samples[k].push(await medianMs(fn, { runs: 1, warmup: 0 }));
  } finally {
    await withSession.close();
    await without.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const results = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  return [
    {
      scenario: 'BuildKit build of a trivial Dockerfile (cached), with its session and without, ms',
      unit: 'ms',
      results,
      target: 'report the session’s added time',
    },
  ];
}
