// 7. Cold start: a new node process runs a script that loads the library and makes one request;
// and what installing it costs (packages, bytes on disk, the published tarball).
//
// dockwire is measured twice: `import { Docker }` with one engine request, and `import { Registry }`
// with one registry request (an ES module importer evaluates every module an entry reaches, so
// both load the shared chunk; what each loads on first call, they load apart).
//
// Each contender is a script file, as a user's program is, in both module systems: a CommonJS
// script (require) and an ES module script (import). "Bare node" is an empty script of the same
// kind, so Node's own cost of reading a first ES module file is not charged to the library; the
// limits are the same request written by hand over node:net, and a package that does nothing
// (what Node itself spends finding and reading any package with "exports", as dockwire has).
// dockwire is the packed tarball unpacked into node_modules, loaded by its name as users load it,
// and the same script bundled by esbuild (as a program that embeds dockwire ships it).
// Every process runs on CPU 0: this VM's second CPU runs the same process ~35% slower, and
// processes landing on one or the other made medians of mixed runs meaningless.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { installCost } from '../lib/install-cost.mjs';
import { median, timed } from '../lib/measure.mjs';

const request = 'GET /v1.41/_ping HTTP/1.1\\r\\nHost: docker\\r\\n\\r\\n';
const raw = `const s = connect(process.env.DOCKER_HOST.slice(7)); s.on('data', (d) => { if (d.includes('OK')) s.destroy(); }); s.write('${request}');`;
const options = "{ host: process.env.DOCKER_HOST, version: '1.41' }";
// the Registry contender's one request: the tags of a repository the open loopback registry does not have (a 404)
const registryCall = 'r.tags(`${process.env.DOCKWIRE_REGISTRY}/cold-start/absent`).catch(() => undefined)';
const dockerodeOptions = "{ socketPath: process.env.DOCKER_HOST.slice(7), version: 'v1.41' }";
const scripts = {
  cjs: {
    'node alone': '',
    'raw request': `const { connect } = require('node:net'); ${raw}`,
    'empty package': "require('empty-package');",
    dockwire: `const { Docker } = require('dockwire'); const d = new Docker(${options}); d.ping().then(() => d.close());`,
    'dockwire, Registry': `const { Registry } = require('dockwire'); const r = new Registry(); ${registryCall}.then(() => r.close());`,
    dockerode: `const D = require('dockerode'); new D(${dockerodeOptions}).ping();`,
  },
  mjs: {
    'node alone': '',
    'raw request': `import { connect } from 'node:net'; ${raw}`,
    'empty package': "import 'empty-package';",
    dockwire: `import { Docker } from 'dockwire'; const d = new Docker(${options}); await d.ping(); await d.close();`,
    'dockwire, Registry': `import { Registry } from 'dockwire'; const r = new Registry(); await ${registryCall}; await r.close();`,
    dockerode: `import D from 'dockerode'; await new D(${dockerodeOptions}).ping();`,
  },
};
const kinds = { cjs: 'CommonJS script (require)', mjs: 'ES module script (import)' };
const target = '≤ 40 ms, and ≥ 8× less than dockerode';

export async function run(env) {
  // the scripts live under bench/ (dockerode resolves from bench/node_modules), with dockwire's
  // packed tarball unpacked into node_modules/dockwire, as npm installs it
  const root = join(process.cwd(), '..');
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', '/tmp'], { cwd: root, encoding: 'utf8' }),
  )[0];
  const tarball = join('/tmp', packed.filename);
  const dir = mkdtempSync(join(process.cwd(), '.cold-start-'));
  const rows = [];
  try {
    mkdirSync(join(dir, 'node_modules', 'dockwire'), { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', join(dir, 'node_modules', 'dockwire'), '--strip-components=1']);
    mkdirSync(join(dir, 'node_modules', 'empty-package'));
    writeFileSync(
      join(dir, 'node_modules', 'empty-package', 'package.json'),
      '{ "name": "empty-package", "version": "1.0.0", "exports": { ".": "./index.js" } }\n',
    );
    writeFileSync(join(dir, 'node_modules', 'empty-package', 'index.js'), 'module.exports = {};\n');
    const samples = [];
    for (const [kind, byName] of Object.entries(scripts)) {
      for (const [name, code] of Object.entries(byName)) {
        const file = join(dir, `${name.replace(/[ /]/g, '-')}.${kind}`);
        writeFileSync(file, `${code}\n`);
        samples.push({ kind, name, file, runs: [] });
        if (!name.startsWith('dockwire')) continue;
        const bundled = join(dir, `${name.replace(/[ ,/]+/g, '-')}-bundled.${kind}`);
        buildSync({
          entryPoints: [file],
          bundle: true,
          platform: 'node',
          format: kind === 'cjs' ? 'cjs' : 'esm',
          outfile: bundled,
          logLevel: 'warning',
        });
        samples.push({ kind, name: `${name}, bundled`, file: bundled, runs: [] });
      }
    }
    // contenders take turns, 31 rounds, so the machine's drift falls on all of them alike
    for (let round = 0; round < 31; round++) {
      for (const s of samples) s.runs.push(await timed('taskset', ['-c', '0', process.execPath, s.file], { env }));
    }
    for (const kind of Object.keys(scripts)) {
      const mine = samples.filter((s) => s.kind === kind);
      const ms = Object.fromEntries(mine.map((s) => [s.name, median(s.runs.map((r) => r.ms))]));
      const mb = Object.fromEntries(mine.map((s) => [s.name, median(s.runs.map((r) => r.rssMb))]));
      const added = (values) =>
        Object.fromEntries(
          Object.entries(values)
            .filter(([name]) => name !== 'node alone')
            .map(([name, v]) => [name, v - values['node alone']]),
        );
      rows.push({
        scenario: `cold start, ${kinds[kind]}: load and one request, added over bare node, ms`,
        unit: 'ms',
        results: added(ms),
        target,
      });
      rows.push({
        scenario: `cold start, ${kinds[kind]}: added peak RSS over bare node, MB`,
        unit: 'MB',
        results: added(mb),
        target: '≤ 5 MB',
      });
      rows.push({ scenario: `cold start, ${kinds[kind]}: whole run, ms`, unit: 'ms', results: ms, target: '' });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // install cost: our packed tarball, and dockerode from the registry
  const ours = installCost(tarball);
  rmSync(tarball, { force: true });
  const theirs = installCost(
    `dockerode@${JSON.parse(execFileSync('npm', ['pkg', 'get', 'dependencies.dockerode'], { encoding: 'utf8' }))}`,
  );
  rows.push({
    scenario: 'install: packages',
    unit: 'count',
    results: { dockwire: ours.packages, dockerode: theirs.packages },
    target: 'no dependencies',
  });
  rows.push({
    scenario: 'install: node_modules size, MB',
    unit: 'MB',
    results: { dockwire: ours.mb, dockerode: theirs.mb },
    target: '',
  });
  rows.push({
    scenario: 'published tarball, KB',
    unit: 'KB',
    results: { dockwire: packed.size / 1024 },
    target: '< 150 KB',
  });
  return rows;
}
