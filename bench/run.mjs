// npm run bench: every scenario against the project's engine, medians over several runs, ratios
// to dockwire; writes bench/results.json and the table in bench/README.md. Under another engine
// (DOCKWIRE_ENGINE=docker29, say) its own: bench/results-docker29.json and that engine's table.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
// --tables: only rewrite bench/README.md's tables from the results files, measuring nothing
const tablesOnly = process.argv.includes('--tables');
const wanted = process.argv.slice(2).filter((a) => a !== '--tables');
const all = [
  'small-calls',
  'packing',
  'ignore-heavy',
  'save-load',
  'build-upload',
  'progress',
  'session',
  'buildkit',
  'cold-start',
  'registry',
  'image-files',
  'append',
  'referrers',
  'trust',
  'image-verify',
];
// (cold start runs first, while the engine is idle: after the 1 GiB scenarios dockerd goes on
// cleaning up for a while, and a 150 ms process start is where that shows most)
const scenarios = all
  .filter((s) => !wanted.length || wanted.includes(s))
  .sort((a, b) => (b === 'cold-start') - (a === 'cold-start'));

const env = { ...process.env };
if (!tablesOnly) {
  for (const line of execFileSync('bash', [join(root, 'scripts', 'engine.sh'), 'up'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) env[line.slice(0, i)] = line.slice(i + 1);
  }
}
process.chdir(here);

const fmt = (v, unit) =>
  unit === 'ms'
    ? v >= 100
      ? v.toFixed(0)
      : v >= 10
        ? v.toFixed(1)
        : v.toFixed(3)
    : unit === 'count'
      ? String(v)
      : v.toFixed(1);

// The limits each row is held to (a raw socket, curl, Node's own socket, one images.get): on
// another engine's table, the same row's ratios to them on the project's engine stand beside it.
const LIMITS = ['raw', 'curl --unix-socket', 'node:net socket', 'images.get'];
const ratio = (r, k) => (r.results[k] / r.results.dockwire).toFixed(2);

const engine =
  process.env.DOCKWIRE_ENGINE && process.env.DOCKWIRE_ENGINE !== 'docker' ? process.env.DOCKWIRE_ENGINE : '';
const resultsPath = join(here, engine ? `results-${engine}.json` : 'results.json');
const marker = engine ? `bench:${engine}` : 'bench';
const previous = readResults(resultsPath) ?? { rows: [] };
if (tablesOnly) {
  writeTables();
  process.exit(0);
}
const rows = previous.rows.filter((r) => !scenarios.includes(r.group));
for (const name of scenarios) {
  console.error(`bench: ${name}`);
  const mod = await import(`./scenarios/${name}.mjs`);
  for (const row of await mod.run(env)) {
    rows.push({ group: name, ...row });
    const base = row.results.dockwire;
    const cells = Object.entries(row.results).map(
      ([k, v]) => `${k} ${fmt(v, row.unit)}${k !== 'dockwire' && base ? ` (${(v / base).toFixed(2)}×)` : ''}`,
    );
    console.log(`${row.scenario}: ${cells.join(', ')}`);
  }
}
rows.sort((a, b) => all.indexOf(a.group) - all.indexOf(b.group));
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, Docker ${JSON.parse(execFileSync('curl', ['-s', '--unix-socket', env.DOCKER_HOST.replace('unix://', ''), 'http://d/version'], { encoding: 'utf8' })).Version}`;
writeFileSync(resultsPath, JSON.stringify({ machine, date: new Date().toISOString(), rows }, null, 2) + '\n');
writeTables();

/** A results file, or undefined before its first run. */
function readResults(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** bench/README.md's table for this engine, from its results file: one line per scenario, each contender's median and its ratio to dockwire. */
function writeTables() {
  const { machine, rows } = readResults(resultsPath) ?? { machine: '', rows: [] };
  const base = engine ? readResults(join(here, 'results.json')) : undefined;
  const baseEngine = base?.machine.match(/Docker (\S+)/)?.[1];
  const lines = [
    `Measured on ${machine}. Each cell: median, then the ratio to dockwire (below 1× means faster than dockwire). Lower is better except MB/s.${base ? ` The last column: the same row's ratios to the limits on Docker ${baseEngine} (the table above).` : ''}`,
    '',
    `| scenario | dockwire | peers and limits | target |${base ? ` on Docker ${baseEngine} |` : ''}`,
    `| --- | --- | --- | --- |${base ? ' --- |' : ''}`,
  ];
  for (const r of rows) {
    const others = Object.entries(r.results)
      .filter(([k]) => k !== 'dockwire')
      .map(([k, v]) => `${k} ${fmt(v, r.unit)} (${(v / r.results.dockwire).toFixed(2)}×)`)
      .join('; ');
    let beside = '';
    if (base) {
      const same = base.rows.find((b) => b.scenario === r.scenario);
      beside = ` ${
        same
          ? LIMITS.filter((k) => k in same.results)
              .map((k) => `${k} ${ratio(same, k)}×`)
              .join('; ')
          : ''
      } |`;
    }
    lines.push(
      `| ${r.scenario} | ${fmt(r.results.dockwire, r.unit)}${r.unit === 'count' ? '' : ` ${r.unit}`} | ${others} | ${r.target ?? ''} |${beside}`,
    );
  }
  const readmePath = join(here, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const start = readme.indexOf(`<!-- ${marker}:start -->`);
  const end = readme.indexOf(`<!-- ${marker}:end -->`);
  if (start !== -1 && end !== -1) {
    writeFileSync(
      readmePath,
      `${readme.slice(0, start + `<!-- ${marker}:start -->`.length)}\n${lines.join('\n')}\n${readme.slice(end)}`,
    );
  }
  console.error(
    `bench: ${tablesOnly ? 'read' : 'wrote'} ${resultsPath.slice(root.length + 1)}${start !== -1 && end !== -1 ? ` and wrote the ${marker} table in bench/README.md` : ''}`,
  );
}
