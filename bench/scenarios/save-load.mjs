// 4. Save and load of a 1 GiB image: time, throughput, peak RSS, and whether the saved bytes are
// exactly the engine's stream (curl's output is the reference).
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, rmSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { median, timed } from '../lib/measure.mjs';
import { BENCH_DIR } from '../lib/trees.mjs';

const NAME = 'dockwire-bench/big:1g';
const SIZE_MB = 1024;

async function sha256(file) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

function api(env, args) {
  return timed('curl', ['-sf', '--unix-socket', env.DOCKER_HOST.replace('unix://', ''), ...args]);
}

async function ensureImage(env) {
  const probe = await api(env, [`http://d/v1.41/images/${NAME}/json`]).catch(() => undefined);
  if (probe) return;
  const rootfs = join(BENCH_DIR, 'rootfs-1g.tar');
  mkdirSync(BENCH_DIR, { recursive: true });
  if (!existsSync(rootfs)) {
    // a tar of one 1 GiB file of random bytes, written with our own packer's header rules by GNU tar
    const blob = join(BENCH_DIR, 'blob-1g.bin');
    const fd = openSync(blob, 'w');
    const block = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < SIZE_MB / 16; i++) {
      for (let k = 0; k < block.length; k += 4) block.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, k);
      writeSync(fd, block);
    }
    closeSync(fd);
    await timed(`tar -C '${BENCH_DIR}' -cf '${rootfs}' blob-1g.bin && rm '${blob}'`, [], { shell: true });
  }
  await api(env, [
    '-X',
    'POST',
    '-T',
    rootfs,
    '-H',
    'Content-Type: application/x-tar',
    `http://d/v1.41/images/create?fromSrc=-&repo=dockwire-bench/big&tag=1g`,
  ]);
}

// The engine's own rate swings between runs (~180 and ~235 MB/s for the same save here), so a
// median of three runs fell on either; five rounds, interleaved, steady it.
const ROUNDS = 5;

// Each contender times its own transfer, from its request to the last byte, and prints it as
// {"ms": …}: the node ones (lib/save-load.mjs) and docker-py (docker_py_driver.py) inside their
// processes, curl with -w %{time_total}. A whole process's time would charge node's start
// (~0.15 s here, 3% of a 5 s save) and python's to the transfer, and not curl's (~5 ms); how long
// a start takes is the cold-start rows' measure. Peak RSS is still the whole process's.
const curlMs = '{"s": %{time_total}}';

/** A run's transfer time in ms, from what the contender printed ({"ms": …}, or curl's {"s": …}). */
function transferMs(run) {
  const printed = JSON.parse(run.stdout);
  return printed.ms ?? printed.s * 1000;
}

/** The contenders in the order of round `round`: each round starts one further on, so none always follows the same one. */
function turns(contenders, round) {
  const entries = Object.entries(contenders);
  return entries.map((_, i) => entries[(i + round) % entries.length]);
}

export async function run(env) {
  await ensureImage(env);
  const out = join(BENCH_DIR, 'saved.tar');
  const sock = env.DOCKER_HOST.replace('unix://', '');
  // timed runs discard the bytes (to /dev/null, or for the node peers without writing them);
  // one more run of each writes them to a file, to compare with the engine's own stream
  const savers = {
    dockwire: (to) => timed(process.execPath, ['lib/save-load.mjs', 'dockwire', 'save', NAME, to], { env }),
    dockerode: (to) => timed(process.execPath, ['lib/save-load.mjs', 'dockerode', 'save', NAME, to], { env }),
    'docker-py': (to) =>
      timed('/usr/bin/python3', ['docker_py_driver.py', 'save', NAME, to.replace(/^file:/, '')], { env }),
    'curl --unix-socket': (to) =>
      timed('curl', [
        '-sf',
        '-w',
        curlMs,
        '--unix-socket',
        sock,
        '-o',
        to.replace(/^file:/, ''),
        `http://d/v1.41/images/${NAME}/get`,
      ]),
    // timed only: it reads the HTTP framing too, so its bytes are not the archive
    'node:net socket': (to) => timed(process.execPath, ['lib/save-load.mjs', 'raw', 'save', NAME, to], { env }),
  };
  // contenders take turns, round after round, so that the engine's own drift (page cache,
  // disk) spreads over all of them
  const saveRuns = Object.fromEntries(Object.keys(savers).map((k) => [k, []]));
  await savers['curl --unix-socket']('/dev/null'); // warm the engine's page cache
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, save] of turns(savers, round)) saveRuns[name].push(await save('/dev/null'));
  }
  const saveMs = Object.fromEntries(Object.entries(saveRuns).map(([k, runs]) => [k, median(runs.map(transferMs))]));
  const saveRss = Object.fromEntries(
    Object.entries(saveRuns).map(([k, runs]) => [k, median(runs.map((r) => r.rssMb))]),
  );
  const hashes = {};
  for (const [name, save] of Object.entries(savers)) {
    if (name === 'node:net socket') continue;
    await save(`file:${out}`);
    hashes[name] = await sha256(out);
  }
  const exact = Object.fromEntries(Object.entries(hashes).map(([k, h]) => [k, h === hashes['curl --unix-socket']]));
  const label = (k) => (exact[k] !== false ? k : `${k} (bytes differ from the engine's)`);

  // load the archive saved by curl (the engine's exact stream); the image is removed before each
  const loaders = {
    dockwire: () => timed(process.execPath, ['lib/save-load.mjs', 'dockwire', 'load', out], { env }),
    dockerode: () => timed(process.execPath, ['lib/save-load.mjs', 'dockerode', 'load', out], { env }),
    'docker-py': () => timed('/usr/bin/python3', ['docker_py_driver.py', 'load', out], { env }),
    'curl --unix-socket': () =>
      timed('curl', [
        '-sf',
        '-w',
        curlMs,
        '-o',
        '/dev/null',
        '--unix-socket',
        sock,
        '-X',
        'POST',
        '-T',
        out,
        '-H',
        'Content-Type: application/x-tar',
        'http://d/v1.41/images/load',
      ]),
  };
  await savers['curl --unix-socket'](`file:${out}`);
  const loadRuns = Object.fromEntries(Object.keys(loaders).map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, load] of turns(loaders, round)) {
      await api(env, ['-X', 'DELETE', `http://d/v1.41/images/${NAME}?force=1`]).catch(() => undefined);
      loadRuns[name].push(await load());
    }
  }
  const loadMs = Object.fromEntries(Object.entries(loadRuns).map(([k, runs]) => [k, median(runs.map(transferMs))]));
  const loadRss = Object.fromEntries(
    Object.entries(loadRuns).map(([k, runs]) => [k, median(runs.map((r) => r.rssMb))]),
  );
  rmSync(out, { force: true });
  const relabel = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [label(k), v]));
  const mbps = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, SIZE_MB / (v / 1000)]));
  // (each round's rate is kept in bench/results.json beside the median: the engine's drift shows there)
  const perRound = (runs) =>
    Object.fromEntries(
      Object.entries(runs).map(([k, r]) => [k, r.map((run) => Math.round(SIZE_MB / (transferMs(run) / 1000)))]),
    );
  return [
    {
      scenario: 'save a 1 GiB image, MB/s',
      unit: 'MB/s',
      results: relabel(mbps(saveMs)),
      target: '≥ 95% of curl, byte-identical',
      rounds: relabel(perRound(saveRuns)),
    },
    { scenario: 'save a 1 GiB image, peak RSS MB', unit: 'MB', results: relabel(saveRss), target: '≤ 64 MB' },
    {
      scenario: 'load a 1 GiB image, MB/s',
      unit: 'MB/s',
      results: mbps(loadMs),
      target: '≥ 95% of curl',
      rounds: perRound(loadRuns),
    },
    { scenario: 'load a 1 GiB image, peak RSS MB', unit: 'MB', results: loadRss, target: '≤ 64 MB' },
  ];
}
