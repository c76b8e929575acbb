// Writes the library's JavaScript: dist/bundle.js (the library's modules in one file),
// dist/build.js (the modules only a build needs), dist/cli/bin.js (the `dockwire` command), and
// the package's entry points on top of them, dist/index.js (require) and dist/index.mjs (import).
//
// Why one file: Node's module loaders spend most of a cold start per module. Imported as 64 ES
// modules, dockwire took ~75 ms and 8 MB over bare node on this machine; as one file, ~20 ms and
// 3 MB. No bundler is involved: TypeScript writes every module as CommonJS (tsconfig.bundle.json),
// this script puts each one, unchanged, in a function of its own, and a small loader evaluates
// them on first require, as Node would. A dynamic import() becomes a require() at the point of
// use, so node:tls, node:zlib, node:child_process and the build's modules load only when used.
//
// Why CommonJS (dist/package.json says so): Node's ES module loader costs ~10 ms the first time
// it reads a file (its resolver, node:fs/promises, the translators), before any of our code runs;
// require() costs ~1 ms. A program that require()s dockwire never starts it. (Written as
// System.register modules with a linker, as before, the same code also took a few ms longer to
// evaluate: a declare, an execute and a setter function per import, each compiled on first use.)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { joinSourceMaps } from './lib/source-map.mjs';
import { unindented } from './lib/unindent.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const emitted = join(dist, '.modules');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.bundle.json')], { stdio: 'inherit' });

// TypeScript's CommonJS output needs two helpers for `export * from` (noEmitHelpers: defined
// once here, not in every module); any other helper would mean the sources use something this
// script has not been taught.
const helpers = `var __createBinding = function (o, m, k) { Object.defineProperty(o, k, { enumerable: true, get: function () { return m[k]; } }); };
var __exportStar = function (m, o) { for (var k in m) if (k !== 'default' && !Object.prototype.hasOwnProperty.call(o, k)) __createBinding(o, m, k); };
`;
const known = new Set(['__createBinding', '__exportStar']);

/**
 * The emitted modules `files`, each as a `"name": function (exports, require, module) {…}` entry
 * for a file in `outDir`: the entries' lines, and each module's source map with the line (counted
 * from the first entry) where its code starts.
 */
function moduleEntries(files, outDir) {
  const lines = [];
  const maps = [];
  for (const file of files) {
    const name = file.replace(/\.js$/, '');
    const code = readFileSync(join(emitted, file), 'utf8')
      .replace(/^#!.*/, '') // (cli/bin.ts's #! line is blanked, not removed: the source map's lines stay)
      .replace(/\n\/\/# sourceMappingURL=.*\s*$/, '')
      // each require of another module names it as the bundle does: no paths to resolve at run time
      .replace(/\brequire\((["'])(\.{1,2}\/[^"']+)\.js\1\)/g, (_, _quote, path) => `require(${JSON.stringify(join(dirname(name), path))})`);
    for (const [helper] of code.matchAll(/\b__[a-zA-Z]+(?=\()/g)) {
      if (!known.has(helper)) throw new Error(`bundle: ${file} uses TypeScript's ${helper}, which the bundle does not define`);
    }
    const map = JSON.parse(readFileSync(join(emitted, `${file}.map`), 'utf8'));
    map.sources = map.sources.map((source) => relative(outDir, join(emitted, dirname(file), source)));
    lines.push(`${JSON.stringify(name)}: function (exports, require, module) {`);
    const { text, shifts } = unindented(withoutMarkers(code), file);
    maps.push({ line: lines.length, map, shifts });
    lines.push(...text, '},');
  }
  return { lines, maps };
}

/**
 * A module's lines without its "use strict" (the bundle is strict as a whole) and __esModule
 * marker (nothing here reads it): blanked, so that every other line stays where the source map
 * says.
 */
function withoutMarkers(code) {
  return code.split('\n').map((line) => {
    const bare = line.trim();
    return bare === '"use strict";' || bare === 'Object.defineProperty(exports, "__esModule", { value: true });' ? '' : line;
  });
}

/** Writes `file` as `before`, the entries, `after` (lines), and its source map. */
function writeModules(file, before, entries, after) {
  const lines = [...before, ...entries.lines, ...after, `//# sourceMappingURL=${basename(file)}.map`, ''];
  const maps = entries.maps.map((part) => ({ ...part, line: part.line + before.length }));
  // Non-ASCII characters (a few "…" and "’" in messages) are written as \u escapes: one of them
  // makes V8 hold and scan the whole source as two-byte text, ~6 ms of every cold start here.
  // Comments are already gone, so every such character is inside a string, template or regular
  // expression, where the escape means the same character.
  writeFileSync(file, lines.join('\n').replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  writeFileSync(`${file}.map`, JSON.stringify(joinSourceMaps(basename(file), maps)));
}

// Three files. dist/bundle.js: the client, the image operations and what they stand on.
// dist/build.js: what only a build or the build helpers need (the context walker and packer, the
// .dockerignore matcher, the BuildKit decoder), read the first time one of its modules is asked
// for: a program that never builds neither reads nor compiles it (~3 ms of a cold start here).
// dist/cli/bin.js: the command line's modules. The last two add their modules to the bundle's.
// (src/index.ts itself is not among them: dist/index.js below takes each name from its module)
const files = readdirSync(emitted, { recursive: true }).filter((f) => f.endsWith('.js') && f !== 'index.js').sort();
const indexCode = readFileSync(join(emitted, 'index.js'), 'utf8');
const isCli = (f) => f.startsWith('cli/');
const isBuild = (f) => /^(context|tar|ignore)\/|^stream\/(buildkit-status|protobuf)\.js$/.test(f);
const moduleName = (f) => f.replace(/\.js$/, '');
writeModules(join(dist, 'bundle.js'), ["'use strict';", ...helpers.trimEnd().split('\n'), 'const modules = { __proto__: null,'], moduleEntries(files.filter((f) => !isCli(f) && !isBuild(f)), dist), [
  '};',
  '// (the modules in ./build.js, added when one of them is first asked for)',
  `const elsewhere = new Set(${JSON.stringify(files.filter(isBuild).map(moduleName))});`,
  '',
  '// ---- the loader: evaluates a module on first use, its requires first, as Node does ----',
  'const cache = new Map();',
  '',
  '/** The exports of a module of the bundle (by its path under src/, without .js), or of a built-in. */',
  'function load(name) {',
  '  const cached = cache.get(name);',
  '  if (cached) return cached.exports;',
  "  if (elsewhere.has(name) && !(name in modules)) require('./build.js');",
  '  const define = modules[name];',
  '  if (!define) {',
  "    if (name.startsWith('node:')) return require(name);",
  '    throw new Error(`dockwire: no module ${name} in the bundle`);',
  '  }',
  '  const module = { exports: {} };',
  '  cache.set(name, module);',
  '  define.call(module.exports, module.exports, load, module);',
  '  return module.exports;',
  '}',
  '',
  '/** Adds modules (the build\'s, the command line\'s) to the bundle\'s. */',
  'function add(more) {',
  '  Object.assign(modules, more);',
  '}',
  '',
  'module.exports = { load, add };',
]);
writeModules(
  join(dist, 'build.js'),
  ['// The modules only a build needs (see scripts/bundle.mjs), added to ./bundle.js\'s', "'use strict';", ...helpers.trimEnd().split('\n'), "require('./bundle.js').add({"],
  moduleEntries(files.filter(isBuild), dist),
  ['});'],
);
mkdirSync(join(dist, 'cli'), { recursive: true });
writeModules(
  join(dist, 'cli', 'bin.js'),
  ['#!/usr/bin/env node', '// The `dockwire` command (src/cli/bin.ts), its modules added to ../bundle.js\'s', "'use strict';", "const { add, load } = require('../bundle.js');", 'add({'],
  moduleEntries(files.filter(isCli), join(dist, 'cli')),
  ['});', "load('cli/bin');"],
);
rmSync(emitted, { recursive: true, force: true });

// dist/package.json: everything in dist/ is CommonJS (the declaration files too, for TypeScript)
writeFileSync(join(dist, 'package.json'), '{\n  "type": "commonjs"\n}\n');

// dist/index.js (require) and dist/index.mjs (import): the package's named exports, each taken
// from the module that defines it. In index.js each is a getter that loads its module when read,
// so `const { Docker } = require('dockwire')` never loads the build's modules. index.mjs takes
// every name from index.js through require(), so a program has one copy of every class however
// it loads dockwire; this is also ~4 ms quicker than letting Node's ES module loader read a
// CommonJS file (it scans the file for the names with its lexer).
// What src/index.ts exports is read from TypeScript's CommonJS output of it: each `export { a as
// b } from './m.js'` is a require and a getter; `export * from './m.js'` is every name of m.
const { load } = createRequire(import.meta.url)(join(dist, 'bundle.js'));
const required = new Map([...indexCode.matchAll(/var (\w+) = require\("\.\/([^"]+)\.js"\);/g)].map(([, variable, path]) => [variable, path]));
const exported = new Map(); // name → [module, its name there]
for (const [, name, variable, inner] of indexCode.matchAll(/Object\.defineProperty\(exports, "(\w+)", \{ enumerable: true, get: function \(\) \{ return (\w+)\.(\w+); \} \}\);/g)) {
  exported.set(name, [required.get(variable), inner]);
}
for (const [, path] of indexCode.matchAll(/__exportStar\(require\("\.\/([^"]+)\.js"\), exports\);/g)) {
  for (const name of Object.keys(load(path))) if (!exported.has(name)) exported.set(name, [path, name]);
}
const names = [...exported.keys()].sort();
for (const name of names) {
  const [module, inner] = exported.get(name);
  if (!module || load(module)[inner] === undefined) throw new Error(`bundle: src/index.ts exports ${name}, not found in ${module}`);
}
const header = "// dockwire's entry point: every module is in ./bundle.js (see scripts/bundle.mjs)";
writeFileSync(
  join(dist, 'index.js'),
  `${header}
'use strict';
const { load } = require('./bundle.js');

/** An export read from \`module\` when first asked for. */
const from = (module, inner) => ({
  enumerable: true,
  configurable: true,
  get() {
    return load(module)[inner];
  },
});

Object.defineProperties(exports, {
${names.map((n) => `  ${n}: from(${JSON.stringify(exported.get(n)[0])}, ${JSON.stringify(exported.get(n)[1])}),`).join('\n')}
});
`,
);
writeFileSync(
  join(dist, 'index.mjs'),
  `${header}\nimport { createRequire } from 'node:module';\n\nexport const {\n${names.map((n) => `  ${n},`).join('\n')}\n} = createRequire(import.meta.url)('./index.js');\n`,
);
