// 1. Small calls: GET /images/json and an image inspect, sequential and 32-way concurrent; and
// images.ensure of a present image against images.get.
import Dockerode from 'dockerode';
import { listImages, inspectImage, Docker } from '../../dist/api.js';
import { median, medianMs, medianChild } from '../lib/measure.mjs';
import { rawClient } from '../lib/raw-socket.mjs';

const CONC = 32;

/**
 * Calls per measured run: 500 sequential and 2,000 concurrent where the engine answers a list in
 * under 5 ms (20.10 takes ~0.4), a fifth of that where it takes longer (Docker 29.7's containerd
 * store takes ~25 ms here), so that a run stays tens of seconds and every contender still makes
 * hundreds of calls per round.
 */
async function callsPerRun(raw) {
  const t = performance.now();
  for (let i = 0; i < 20; i++) JSON.parse(await raw.get('/v1.41/images/json'));
  const perCall = (performance.now() - t) / 20;
  return perCall < 5 ? { SEQ: 500, CONC_N: 2000 } : { SEQ: 100, CONC_N: 400 };
}

async function inFlight(n, width, call) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) {
        next++;
        await call();
      }
    }),
  );
}

export async function run(env) {
  const socketPath = env.DOCKER_HOST.replace('unix://', '');
  const name = env.DOCKWIRE_BASE_IMAGE;
  // as many connections as calls in flight, as dockerode's agent and the raw pool use
  const dw = new Docker({ host: env.DOCKER_HOST, version: '1.41', maxSockets: CONC });
  const dockerode = new Dockerode({ socketPath, version: 'v1.41' });
  const raw = await rawClient(socketPath);
  const rawPool = await Promise.all(Array.from({ length: CONC }, () => rawClient(socketPath)));
  const { SEQ, CONC_N } = await callsPerRun(raw);
  console.error(`bench: small calls, ${SEQ} sequential and ${CONC_N} concurrent per run`);
  const calls = {
    list: {
      dockwire: () => listImages(dw),
      dockerode: () => dockerode.listImages(),
      raw: async () => JSON.parse(await raw.get('/v1.41/images/json')),
    },
    get: {
      dockwire: () => inspectImage(dw, name),
      dockerode: () => dockerode.getImage(name).inspect(),
      raw: async () => JSON.parse(await raw.get(`/v1.41/images/${name}/json`)),
    },
  };
  const rows = [];
  for (const [op, byContender] of Object.entries(calls)) {
    for (const mode of ['sequential', 'concurrent']) {
      const scenario = `${op} (${mode === 'sequential' ? 'sequential' : `${CONC}-way concurrent`}), ms per call`;
      const n = mode === 'sequential' ? SEQ : CONC_N;
      const fns = {};
      for (const [contender, call] of Object.entries(byContender)) {
        let fn;
        if (mode === 'sequential') {
          fn = async () => {
            for (let i = 0; i < n; i++) await call();
          };
        } else if (contender === 'raw') {
          // each socket of the raw pool serves one request at a time
          fn = async () => {
            let next = 0;
            await Promise.all(
              rawPool.map(async (c) => {
                while (next < n) {
                  next++;
                  JSON.parse(await c.get(op === 'list' ? '/v1.41/images/json' : `/v1.41/images/${name}/json`));
                }
              }),
            );
          };
        } else {
          fn = () => inFlight(n, CONC, call);
        }
        fns[contender] = fn;
      }
      // contenders take turns, so drift on the machine spreads over all of them; each first
      // runs its calls four times unmeasured (2,000 sequential calls on a fast engine), so that what is measured is
      // the steady state and not V8 still tiering up the longer code path
      const samples = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
      for (const fn of Object.values(fns)) for (let w = 0; w < 4; w++) await fn();
      for (let r = 0; r < 7; r++) {
        for (const [k, fn] of Object.entries(fns)) samples[k].push(await medianMs(fn, { runs: 1, warmup: 0 }));
      }
      const result = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v) / n]));
      const py = await medianChild(
        '/usr/bin/python3',
        ['docker_py_driver.py', op, String(n), mode === 'sequential' ? '1' : String(CONC), name],
        { env },
        3,
      );
      result['docker-py'] = JSON.parse(py.stdout).ms / n;
      rows.push({
        scenario,
        unit: 'ms',
        results: result,
        target: '≤ 1.15× raw (a kept-alive socket + JSON.parse); faster than dockerode, docker-py',
      });
    }
  }
  // images.ensure of a present image (one inspect, and the flight's bookkeeping) against one
  // images.get (one inspect and the Image): the cost of asking "is it here?" through ensure
  const ensureFns = {
    dockwire: async () => {
      for (let i = 0; i < SEQ; i++) await dw.images.ensure(name);
    },
    'images.get': async () => {
      for (let i = 0; i < SEQ; i++) await dw.images.get(name);
    },
  };
  const ensureSamples = { dockwire: [], 'images.get': [] };
  for (const fn of Object.values(ensureFns)) for (let w = 0; w < 4; w++) await fn();
  for (let r = 0; r < 7; r++)
    for (const [k, fn] of Object.entries(ensureFns)) ensureSamples[k].push(await medianMs(fn, { runs: 1, warmup: 0 }));
  rows.push({
    scenario: 'images.ensure of a present image (sequential), ms per call',
    unit: 'ms',
    results: Object.fromEntries(Object.entries(ensureSamples).map(([k, v]) => [k, median(v) / SEQ])),
    target: '≤ 1.15× one images.get',
  });
  raw.close();
  rawPool.forEach((c) => c.close());
  await dw.close();
  return rows;
}
