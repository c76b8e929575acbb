// An image's signature verified with a key: registry.verify (in-process, one Registry kept alive)
// and `dockwire verify --key` (the CLI, a process per call) against `cosign verify --key` (a
// process per call, as scripts and admission hooks run it, no transparency log), on the same
// image signed by cosign 3.1.1 in the open loopback registry, in each of cosign's two formats: a
// Sigstore bundle referrer (cosign 3's default; the sha256-<hex> fallback tag on registry 2.8)
// and the legacy sha256-<hex>.sig simple-signing tag. Contenders take turns.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Registry } from '../../dist/index.js';
import { median, timed } from '../lib/measure.mjs';

const CALLS = Number(process.env.DOCKWIRE_BENCH_VERIFY_CALLS ?? 30);
const PROCESSES = Number(process.env.DOCKWIRE_BENCH_VERIFY_PROCESSES ?? 9);
const FORMATS = { bundle: 'a cosign 3 bundle referrer', simplesigning: 'the legacy .sig tag' };

export async function run(env) {
  const load = loadavg()[0];
  const dir = mkdtempSync('/tmp/dockwire-bench-verify-');
  // cosign with no docker login (the open registry) and the key's empty password
  const cosignEnv = { ...env, DOCKER_CONFIG: join(dir, 'docker'), COSIGN_PASSWORD: '', COSIGN_YES: 'true' };
  mkdirSync(cosignEnv.DOCKER_CONFIG);
  const cosign = (...args) =>
    execFileSync(env.DOCKWIRE_COSIGN, args, { env: cosignEnv, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const registry = new Registry();
  const rows = [];
  try {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    writeFileSync(join(dir, 'pkcs8.pem'), pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(dir, 'key.pub'), publicPem);
    cosign('import-key-pair', '--key', join(dir, 'pkcs8.pem'), '--output-key-prefix', join(dir, 'cosign'), '-y');
    for (const [format, label] of Object.entries(FORMATS)) {
      // a one-layer image of its own, pushed by crane, then signed by cosign in this format
      writeFileSync(join(dir, 'f.txt'), randomUUID());
      execFileSync('tar', ['-C', dir, '-cf', join(dir, 'layer.tar'), 'f.txt']);
      const tagged = `${env.DOCKWIRE_REGISTRY}/bench/verify-${format}:${randomUUID().slice(0, 8)}`;
      execFileSync(env.DOCKWIRE_CRANE, ['append', '--insecure', '-f', join(dir, 'layer.tar'), '-t', tagged], {
        stdio: 'ignore',
      });
      const ref = `${tagged.slice(0, tagged.lastIndexOf(':'))}@${execFileSync(env.DOCKWIRE_CRANE, ['digest', '--insecure', tagged], { encoding: 'utf8' }).trim()}`;
      cosign(
        'sign',
        '--key',
        join(dir, 'cosign.key'),
        '--use-signing-config=false',
        '--tlog-upload=false',
        '--allow-http-registry',
        '-y',
        ...(format === 'simplesigning' ? ['--new-bundle-format=false'] : []),
        ref,
      );
      const processes = {
        'dockwire verify (CLI, a process per call)': [
          process.execPath,
          join('..', 'dist', 'cli.js'),
          'verify',
          ref,
          '--key',
          join(dir, 'key.pub'),
        ],
        // what node itself costs a process per call here: the CLI's floor
        'node alone (an empty script)': [process.execPath, '-e', ''],
        'cosign verify --key (a process per call)': [
          env.DOCKWIRE_COSIGN,
          'verify',
          '--key',
          join(dir, 'cosign.pub'),
          '--insecure-ignore-tlog',
          '--allow-http-registry',
          ref,
        ],
      };
      const calls = [];
      const runs = Object.fromEntries(Object.keys(processes).map((name) => [name, []]));
      const check = (signatures) => {
        if (signatures.length !== 1 || signatures[0].format !== format)
          throw new Error(`image-verify: ${format}: verified ${JSON.stringify(signatures.map((s) => s.format))}`);
      };
      check((await registry.verify(ref, { key: publicPem })).signatures);
      for (let round = 0; round < PROCESSES; round++) {
        for (let i = 0; i < CALLS / PROCESSES; i++) {
          const t = process.hrtime.bigint();
          const { signatures } = await registry.verify(ref, { key: publicPem });
          calls.push(Number(process.hrtime.bigint() - t) / 1e6);
          check(signatures);
        }
        for (const [name, [command, ...args]] of Object.entries(processes))
          runs[name].push(await timed(command, args, { env: cosignEnv }));
      }
      const note = { loadAverage: { atStart: load, atEnd: loadavg()[0] }, calls: calls.length, processes: PROCESSES };
      const byProcess = (key) =>
        Object.fromEntries(Object.entries(runs).map(([name, r]) => [name, median(r.map((x) => x[key]))]));
      rows.push({
        scenario: `verify an image's signature with a key (${label}), ms per call`,
        unit: 'ms',
        results: { dockwire: median(calls), ...byProcess('ms') },
        target: 'faster than cosign verify',
        ...note,
      });
      const rss = byProcess('rssMb');
      rows.push({
        scenario: `verify an image's signature with a key (${label}), peak RSS of one verify process (dockwire's CLI against cosign), MB`,
        unit: 'MB',
        results: {
          dockwire: rss['dockwire verify (CLI, a process per call)'],
          'cosign verify --key (a process per call)': rss['cosign verify --key (a process per call)'],
        },
        target: '',
        ...note,
      });
    }
  } finally {
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
