// Copying an image with its referrers (issue #37): an image of one 16 MiB layer with 10 referrers
// attached by oras (64 KiB artifacts of 10 artifact types, so none is deduplicated), copied within
// the open loopback registry (blobs mounted) and to the token registry (blobs streamed, a token per
// repository): registry.copy with `referrers: true` (in-process, one Registry) and
// `dockwire cp --referrers` (the CLI, a process per call) against `oras cp -r` (a process per
// call). A new destination repository each round, taken in turns; every destination is checked to
// list the 10 referrers afterwards.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from '../../dist/index.js';
import { median, timed } from '../lib/measure.mjs';
import { BENCH_DIR } from '../lib/trees.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const REFERRERS = 10;
const ROUNDS = 5;

/** The subject image and its referrers in `repo` of the open registry; gives its reference by digest. */
async function subject(registry, env, repo) {
  const layer = randomBytes(16 * 1024 * 1024);
  const layerDescriptor = await registry.pushBlob(repo, layer, {
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
  });
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [layerDescriptor.digest] },
      config: {},
    }),
  );
  const configDescriptor = await registry.pushBlob(repo, config, {
    mediaType: 'application/vnd.oci.image.config.v1+json',
  });
  const { digest } = await registry.pushManifest(`${repo}:v1`, {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: configDescriptor,
    layers: [layerDescriptor],
  });
  const ref = `${repo}@${digest}`;
  const files = join(BENCH_DIR, 'referrers');
  mkdirSync(files, { recursive: true });
  for (let i = 0; i < REFERRERS; i++) {
    writeFileSync(join(files, `r${i}.json`), randomBytes(64 * 1024).toString('base64'));
    execFileSync(
      env.DOCKWIRE_ORAS,
      [
        'attach',
        '--plain-http',
        '--artifact-type',
        `application/vnd.dockwire.bench.r${i}`,
        ref,
        `r${i}.json:application/json`,
      ],
      { cwd: files, stdio: 'ignore' },
    );
  }
  const found = await registry.referrers(ref);
  if (found.length !== REFERRERS) throw new Error(`the subject lists ${found.length} referrers, not ${REFERRERS}`);
  return { ref, digest };
}

export async function run(env) {
  const open = env.DOCKWIRE_REGISTRY;
  const token = env.DOCKWIRE_TOKEN_REGISTRY;
  const user = env.DOCKWIRE_TOKEN_USER;
  const password = env.DOCKWIRE_TOKEN_PASSWORD;
  const auth = Buffer.from(`${user}:${password}`).toString('base64');
  const configDir = join(BENCH_DIR, 'referrers-config');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'config.json'), JSON.stringify({ auths: { [token]: { auth } } }));
  const registry = new Registry({ configDir });
  const stamp = Date.now().toString(36);
  const { ref, digest } = await subject(registry, env, `${open}/bench/referrers-${stamp}`);
  const cli = join(here, '..', '..', 'dist', 'cli.js');
  const childEnv = { ...process.env, DOCKER_CONFIG: configDir };
  const rows = [];
  for (const [label, to] of [
    ['within one registry (mounts)', open],
    ['to another registry (token auth)', token],
  ]) {
    const ms = { dockwire: [], 'dockwire cp --referrers (CLI, a process)': [], 'oras cp -r (a process)': [] };
    const destinations = [];
    for (let i = 0; i < ROUNDS; i++) {
      const dest = (who) => {
        const repo = `${to}/bench/referrers-${who}-${stamp}-${i}`;
        destinations.push(repo);
        return `${repo}:v1`;
      };
      const t = process.hrtime.bigint();
      await registry.copy(ref, dest('dw'), { referrers: true });
      ms.dockwire.push(Number(process.hrtime.bigint() - t) / 1e6);
      const c = await timed(process.execPath, [cli, 'cp', ref, dest('cli'), '--referrers'], { env: childEnv });
      ms['dockwire cp --referrers (CLI, a process)'].push(c.ms);
      const toFlags = to === token ? ['--to-username', user, '--to-password', password] : [];
      const o = await timed(
        env.DOCKWIRE_ORAS,
        ['cp', '-r', '--from-plain-http', '--to-plain-http', ...toFlags, ref, dest('oras')],
        { env: childEnv },
      );
      ms['oras cp -r (a process)'].push(o.ms);
    }
    // what each copied: the image and its 10 referrers, in every destination
    for (const repo of destinations) {
      const found = await registry.referrers(`${repo}@${digest}`);
      if (found.length !== REFERRERS) throw new Error(`${repo} lists ${found.length} referrers, not ${REFERRERS}`);
    }
    rows.push({
      scenario: `copy an image with ${REFERRERS} referrers ${label}, ms`,
      unit: 'ms',
      results: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, median(v)])),
      target: 'no slower than oras cp -r',
    });
  }
  await registry.close();
  return rows;
}
