// Trust: verifyBundle against sigstore-js on the same production keyless bundle, verified offline
// against the same trusted root (sigstore-python's GitHub Actions bundle of a wheel, Rekor v1,
// with the public-good root kept under test/fixtures/); and what installing each costs.
//
// sigstore-js is @sigstore/verify's Verifier fed by @sigstore/bundle and @sigstore/protobuf-specs:
// the steps the `sigstore` package's verify takes once TUF has handed it the trusted root (its
// verify fetches that root over the network; these benchmarks stay offline). Every measure is
// taken in fresh processes (bench/lib/verify-child.mjs), contenders in turns, each on CPU 0 as the
// cold-start scenario's are: the import, the first verify (trusted root parsed, verifier made),
// each verify after it, the process's peak RSS, and the whole process (import and one verify)
// over a process that reads the same files and imports nothing.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { installCost } from '../lib/install-cost.mjs';
import { median, timed } from '../lib/measure.mjs';

const ROUNDS = Number(process.env.DOCKWIRE_BENCH_TRUST_ROUNDS ?? 100);
const PROCESSES = Number(process.env.DOCKWIRE_BENCH_TRUST_PROCESSES ?? 7);
const CONTENDERS = ['dockwire', 'sigstore-js'];
const what = 'a production keyless bundle (GitHub Actions, Rekor v1), offline';
const faster = '≥ 5× faster than sigstore-js';

/** One child: its in-process figures, and its wall time and peak RSS as /usr/bin/time saw them. */
async function child(env, contender, rounds) {
  const r = await timed(
    'taskset',
    ['-c', '0', process.execPath, join('lib', 'verify-child.mjs'), contender, String(rounds)],
    { env },
  );
  return { ...JSON.parse(r.stdout), ms: r.ms };
}

export async function run(env) {
  const load = loadavg()[0];
  const long = Object.fromEntries(CONTENDERS.map((c) => [c, []]));
  const short = Object.fromEntries(['none', ...CONTENDERS].map((c) => [c, []]));
  // in turns: a long run (ROUNDS verifies after the first) and a short one (import and one verify)
  for (let i = 0; i < PROCESSES; i++) {
    for (const c of CONTENDERS) long[c].push(await child(env, c, ROUNDS));
    for (let j = 0; j < 2; j++) for (const c of Object.keys(short)) short[c].push(await child(env, c, 0));
  }
  const each = (pick) => Object.fromEntries(CONTENDERS.map((c) => [c, pick(c)]));
  const medianOf = (runs, key) => median(runs.map((r) => r[key]));
  const bare = medianOf(short.none, 'ms');
  const loadNote = { loadAverage: { atStart: load, atEnd: loadavg()[0] }, rounds: ROUNDS, processes: PROCESSES };
  const rows = [
    {
      scenario: `verify ${what}: import, ms`,
      unit: 'ms',
      results: each((c) => medianOf(long[c], 'importMs')),
      target: '',
    },
    {
      scenario: `verify ${what}: first verify (trusted root parsed, verifier made), ms`,
      unit: 'ms',
      results: each((c) => medianOf(long[c], 'firstMs')),
      target: faster,
    },
    {
      scenario: `verify ${what}: each verify after the first, ms per verify`,
      unit: 'ms',
      results: each((c) => median(long[c].flatMap((r) => r.eachMs))),
      target: faster,
    },
    {
      scenario: `verify ${what}: import and one verify, added over bare node (a process), ms`,
      unit: 'ms',
      results: each((c) => medianOf(short[c], 'ms') - bare),
      target: '< 100 ms',
    },
    {
      scenario: `verify ${what}: import and one verify, whole process, ms`,
      unit: 'ms',
      results: { ...each((c) => medianOf(short[c], 'ms')), 'node alone (reads the same files)': bare },
      target: '',
    },
    {
      scenario: `verify ${what}: peak RSS of the process after ${ROUNDS + 1} verifies, MB`,
      unit: 'MB',
      results: each((c) => medianOf(long[c], 'rssMb')),
      target: '',
    },
  ].map((row) => ({ ...row, ...loadNote }));

  // install cost: dockwire's packed tarball, and sigstore and @sigstore/verify at bench/'s versions
  const root = join(process.cwd(), '..');
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', '/tmp'], { cwd: root, encoding: 'utf8' }),
  )[0];
  const tarball = join('/tmp', packed.filename);
  let ours;
  try {
    ours = installCost(tarball);
  } finally {
    rmSync(tarball, { force: true });
  }
  const pinned = JSON.parse(readFileSync('package.json', 'utf8')).devDependencies;
  const peers = ['sigstore', '@sigstore/verify'].map((name) => [
    `${name} ${pinned[name]}`,
    installCost(`${name}@${pinned[name]}`),
  ]);
  const costs = [['dockwire', ours], ...peers];
  rows.push({
    scenario: 'trust: packages installed (npm ls --all, the package itself included)',
    unit: 'count',
    results: Object.fromEntries(costs.map(([n, c]) => [n, c.listed])),
    target: 'dockwire: 0 runtime dependencies',
  });
  rows.push({
    scenario: 'trust: node_modules size, MB',
    unit: 'MB',
    results: Object.fromEntries(costs.map(([n, c]) => [n, c.mb])),
    target: '',
  });
  return rows;
}
