// An image made without an engine: a folder of 20,000 files (200 MiB, random bytes) appended onto
// a base in the open loopback registry and pushed, by registry.append (the folder walked, packed,
// gzipped and hashed once, its blob kept in a temporary folder, memory flat), against GNU tar
// making a tar and `crane append` pushing it (the tar's time counted), and against images.build
// with `COPY . /app` (an engine build, not pushed). Each round pushes to new repositories, so every
// round uploads. Wall time and peak RSS of each process. DOCKWIRE_BENCH_APPEND_MB scales the
// folder down (20,000 files at full size, 100 per MiB) for a quick check that the scenario runs.
import { execFileSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_DIR } from '../lib/trees.mjs';
import { median, timed } from '../lib/measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const MB = Number(process.env.DOCKWIRE_BENCH_APPEND_MB ?? 200);
const FILES = MB * 100;

/** The folder: FILES files in 100 folders, MB MiB in all (made once). */
function appFolder() {
  const dir = join(BENCH_DIR, `append-${MB}m`);
  if (existsSync(join(dir, '.complete'))) return dir;
  mkdirSync(dir, { recursive: true });
  const size = Math.floor((MB * 1024 * 1024) / FILES);
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < FILES; i++) {
    const sub = join(dir, `d${i % 100}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `f${i}.bin`), randomFillSync(bytes));
  }
  writeFileSync(join(dir, '.complete'), '');
  return dir;
}

export async function run(env) {
  const crane = env.DOCKWIRE_CRANE;
  const registry = env.DOCKWIRE_REGISTRY;
  const base = `${registry}/bench/append-base:1`;
  // the base: the engine's busybox, pushed once
  execFileSync('docker', ['tag', env.DOCKWIRE_BASE_IMAGE, base], { env });
  execFileSync('docker', ['push', base], { env, stdio: 'ignore' });
  const folder = appFolder();
  const tar = join(BENCH_DIR, `append-${MB}m.tar`);
  // each round pushes to repositories of its own, so that every round uploads its layer (the same
  // inputs give the same digest: a repository that had it would be sent nothing)
  const stamp = Date.now().toString(36);
  const script = (i) => `import { Registry } from ${JSON.stringify(join(here, '..', '..', 'dist', 'index.js'))};
    const r = new Registry();
    await r.append(${JSON.stringify(base)}, { layers: [{ path: ${JSON.stringify(folder)}, to: '/app', ignore: ['.complete'] }], created: new Date(0), to: ${JSON.stringify(`${registry}/bench/append-dw-${stamp}-${i}:v1`)} });
    await r.close();`;
  const buildScript = `import { Docker } from ${JSON.stringify(join(here, '..', '..', 'dist', 'index.js'))};
    const d = Docker.fromEnv(); const { image } = await d.images.build({ path: ${JSON.stringify(folder)}, dockerfile: ${JSON.stringify(join(BENCH_DIR, 'append.Dockerfile'))}, tag: 'bench/append:build' }); await d.close();`;
  writeFileSync(join(BENCH_DIR, 'append.Dockerfile'), `FROM ${env.DOCKWIRE_BASE_IMAGE}\nCOPY . /app\n`);
  const results = { dockwire: [], crane: [], build: [] };
  // taken in turns, three rounds: the registry's and the engine's drift hit each alike
  for (let i = 0; i < 3; i++) {
    results.dockwire.push(await timed(process.execPath, ['--input-type=module', '-e', script(i)], { env }));
    rmSync(tar, { force: true });
    results.crane.push(
      await timed(
        `tar -C ${folder} --exclude=.complete -cf ${tar} . && ${crane} append --insecure -b ${base} -f ${tar} -t ${registry}/bench/append-crane-${stamp}-${i}:v1 >/dev/null`,
        [],
        { env, shell: true },
      ),
    );
    results.build.push(await timed(process.execPath, ['--input-type=module', '-e', buildScript], { env }));
  }
  rmSync(tar, { force: true });
  const ms = (k) => median(results[k].map((r) => r.ms));
  const rss = (k) => median(results[k].map((r) => r.rssMb));
  const names = {
    dockwire: 'dockwire',
    crane: 'GNU tar + crane append',
    build: 'images.build COPY . /app (not pushed)',
  };
  const row = (what, unit, f) => ({
    scenario: `append ${MB} MiB / ${FILES} files onto a base and push, ${what}`,
    unit,
    results: Object.fromEntries(Object.keys(names).map((k) => [names[k], f(k)])),
  });
  return [
    { ...row('wall time', 'ms', ms), target: '≤ GNU tar + crane append' },
    { ...row('peak RSS', 'MB', rss), target: 'flat in the folder\u2019s size' },
  ];
}
