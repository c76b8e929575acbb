// 7. Cold start: a new node process that imports the library and makes one request; and what
// installing it costs (packages, bytes on disk, the published tarball).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, timed } from '../lib/measure.mjs';

// The limits: the same request over node:net by hand, and that after importing an empty ES module
// file (what Node's ES module loader costs any package before its own code runs).
const rawPing = `const { connect } = await import('node:net'); await new Promise((done) => { const s = connect(process.env.DOCKER_HOST.slice(7)); s.on('data', (d) => { if (d.includes('OK')) { s.destroy(); done(); } }); s.write('GET /v1.41/_ping HTTP/1.1\\r\\nHost: docker\\r\\n\\r\\n'); });`;
const scripts = (emptyModule) => ({
  'node alone': 'process.exit(0)',
  'raw request': rawPing,
  'empty module + raw request': `await import(${JSON.stringify(emptyModule)}); ${rawPing}`,
  dockwire: `const { Docker } = await import('../dist/index.js'); const d = new Docker({ host: process.env.DOCKER_HOST, version: '1.41' }); await d.ping(); await d.close();`,
  dockerode: `const { default: D } = await import('dockerode'); const d = new D({ socketPath: process.env.DOCKER_HOST.slice(7), version: 'v1.41' }); await d.ping();`,
});

function installCost(spec) {
  const dir = mkdtempSync('/tmp/dockwire-install-');
  try {
    writeFileSync(join(dir, 'package.json'), '{"name":"probe","version":"1.0.0","private":true}');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', spec], { cwd: dir, stdio: 'ignore' });
    const packages = execFileSync('bash', ['-c', "find node_modules -name package.json -not -path '*/node_modules/*/node_modules/*/test/*' | xargs -n 200 grep -l '\"version\"' | wc -l"], { cwd: dir, encoding: 'utf8' });
    const kb = execFileSync('du', ['-sk', 'node_modules'], { cwd: dir, encoding: 'utf8' }).split('\t')[0];
    return { packages: Number(packages.trim()), mb: Number(kb) / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(env) {
  const results = {};
  const rss = {};
  const emptyDir = mkdtempSync('/tmp/dockwire-empty-');
  writeFileSync(join(emptyDir, 'empty.mjs'), 'export {};\n');
  try {
    // contenders take turns, 11 rounds, so the machine's drift falls on all of them alike
    const samples = Object.entries(scripts(join(emptyDir, 'empty.mjs'))).map(([name, code]) => ({ name, code, runs: [] }));
    for (let round = 0; round < 11; round++) {
      for (const s of samples) s.runs.push(await timed(process.execPath, ['--input-type=module', '-e', s.code], { env }));
    }
    for (const { name, runs } of samples) {
      results[name] = median(runs.map((r) => r.ms));
      rss[name] = median(runs.map((r) => r.rssMb));
    }
  } finally {
    rmSync(emptyDir, { recursive: true, force: true });
  }
  const rows = [
    { scenario: 'cold start: import and one request, ms', unit: 'ms', results, target: '≤ 15 ms over bare node' },
    { scenario: 'cold start: import and one request, peak RSS MB', unit: 'MB', results: rss, target: '≤ 5 MB over bare node' },
  ];
  // install cost: our packed tarball, and dockerode from the registry
  const root = join(process.cwd(), '..');
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', '/tmp'], { cwd: root, encoding: 'utf8' }))[0];
  const tarball = join('/tmp', packed.filename);
  const ours = installCost(tarball);
  rmSync(tarball, { force: true });
  const theirs = installCost(`dockerode@${JSON.parse(execFileSync('npm', ['pkg', 'get', 'dependencies.dockerode'], { encoding: 'utf8' }))}`);
  rows.push({ scenario: 'install: packages', unit: 'count', results: { dockwire: ours.packages, dockerode: theirs.packages }, target: 'no dependencies' });
  rows.push({ scenario: 'install: node_modules size, MB', unit: 'MB', results: { dockwire: ours.mb, dockerode: theirs.mb }, target: '' });
  rows.push({ scenario: 'published tarball, KB', unit: 'KB', results: { dockwire: packed.size / 1024 }, target: '< 150 KB' });
  return rows;
}
