// 3. An ignored node_modules of 100,000 files: with `.dockerignore: node_modules`, and with an
// exception reaching into it. The context must not cost more as the ignored tree grows.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import dockerignore from '@balena/dockerignore';
import tarFs from 'tar-fs';
import { contextFromPath } from '../lib/internals.mjs';
import { medianMs, medianChild, timed, median } from '../lib/measure.mjs';
import { ignoreHeavy } from '../lib/trees.mjs';

async function dockwireContext(dir, keep) {
  const { body } = await contextFromPath(dir);
  let n = 0;
  for await (const chunk of body) {
    n += chunk.length;
    keep?.push(Buffer.from(chunk));
  }
  return n;
}

/** The names in an archive, as GNU tar lists them (directories without their trailing /). */
function names(parts) {
  return execFileSync('tar', ['-tf', '-'], { input: Buffer.concat(parts) })
    .toString()
    .split('\n')
    .filter(Boolean)
    .map((n) => n.replace(/\/$/, '').replace(/^\.\//, ''))
    .filter((n) => n !== '.' && n !== '')
    .sort();
}

/** What dockerode does with a folder: tar-fs over every file, @balena/dockerignore as the filter. */
function dockerodeContext(dir, patterns, keep) {
  const ig = dockerignore({ ignorecase: false }).add(patterns);
  return new Promise((resolve, reject) => {
    let n = 0;
    const stream = tarFs.pack(dir, { ignore: (name) => ig.ignores(name.slice(dir.length + 1)) });
    stream.on('data', (c) => {
      n += c.length;
      keep?.push(c);
    });
    stream.on('end', () => resolve(n));
    stream.on('error', reject);
  });
}

export async function run(env) {
  const rows = [];
  const dir = ignoreHeavy(100_000);
  for (const [label, patterns] of [
    ['.dockerignore: node_modules', ['node_modules']],
    ['.dockerignore: node_modules, !node_modules/p1/lib/f1.js', ['node_modules', '!node_modules/p1/lib/f1.js']],
  ]) {
    writeFileSync(join(dir, '.dockerignore'), `${patterns.join('\n')}\n`);
    // which files each sent: ours are the CLI's (the differential test shows it)
    const ours = [];
    const theirs = [];
    await dockwireContext(dir, ours);
    await dockerodeContext(dir, patterns, theirs);
    const missing = names(ours).filter((n) => !names(theirs).includes(n));
    const dockerodeName = `dockerode (tar-fs + @balena/dockerignore${missing.length ? `, leaves out ${missing.join(', ')}` : ''})`;
    const results = {
      dockwire: await medianMs(() => dockwireContext(dir), { runs: 7 }),
      [dockerodeName]: await medianMs(() => dockerodeContext(dir, patterns), { runs: 3 }),
    };
    const py = [];
    for (let i = 0; i < 5; i++)
      py.push(
        JSON.parse(
          (await timed('/usr/bin/python3', ['docker_py_driver.py', 'context', dir, ...patterns], { env })).stdout,
        ).ms,
      );
    results["docker-py's context builder"] = median(py);
    const cli = await medianChild(
      'docker',
      ['build', '-q', dir],
      { env: { ...env, DOCKER_BUILDKIT: '0', DOCKER_CONFIG: '/tmp/dockwire-bench/no-docker-config' } },
      3,
    );
    results['docker CLI, whole legacy build'] = cli.ms;
    rows.push({
      scenario: `context of 100,000 ignored files, ${label}, ms`,
      unit: 'ms',
      results,
      target: 'no slower than docker-py',
    });
  }
  // flat as the ignored tree grows 100×
  const growth = {};
  for (const n of [1_000, 10_000, 100_000]) {
    const d = ignoreHeavy(n);
    writeFileSync(join(d, '.dockerignore'), 'node_modules\n');
    growth[`dockwire, ${n.toLocaleString('en')} ignored`] = await medianMs(() => dockwireContext(d), { runs: 7 });
  }
  const [first, ...rest] = Object.entries(growth);
  rows.push({
    scenario: 'context with 1,000 → 100,000 ignored files, ms',
    unit: 'ms',
    results: { dockwire: first[1], ...Object.fromEntries(rest) },
    target: 'flat as the ignored tree grows 100×',
  });
  return rows;
}
