// Writes the library's JavaScript: dist/bundle.js (the client and what it stands on),
// dist/images.js (the image operations), dist/build.js (the modules only a build needs),
// dist/cli/bin.js (the `dockwire` command), and the package's entry points on top of them,
// dist/index.js (`dockwire`) and dist/index-client.js (`dockwire/client`), each with an ES
// module beside it for import (dist/index.mjs, dist/index-client.mjs).
//
// Why a few files and not a file per module: Node's module loaders spend most of a cold start per
// module. Imported as 64 ES modules, dockwire took ~75 ms and 8 MB over bare node on this
// machine; as one file, ~20 ms and 3 MB. No bundler is involved: TypeScript writes every module
// as CommonJS (tsconfig.bundle.json), this script puts each one, unchanged, in a function of its
// own, and a small loader evaluates them on first require, as Node would. A dynamic import()
// becomes a require() at the point of use, so node:tls, node:zlib, node:child_process and the
// build's modules load only when used.
//
// Why CommonJS (dist/package.json says so): Node's ES module loader costs ~10 ms the first time
// it reads a file (its resolver, node:fs/promises, the translators), before any of our code runs;
// require() costs ~1 ms. A program that require()s dockwire never starts it (only the loader's
// resolver, ~2.5 ms here, which Node's require() loads to resolve any package with "exports", as
// dockwire's package.json has for its two entry points). (Written as
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
 * The emitted modules `files`, each as a `"name": function (exports, require, module, requireOnUse)
 * {…}` entry for a file in `outDir`: the entries' lines, and each module's source map with the
 * line (counted from the first entry) where its code starts. A module's require at its top of a
 * module that `fileOf` puts in another file than bundle.js and its own becomes requireOnUse: that
 * module (and its file) is loaded when one of its exports is first used, not when this one is.
 */
function moduleEntries(files, outDir) {
  const lines = [];
  const maps = [];
  for (const file of files) {
    const name = file.replace(/\.js$/, '');
    const onUse = []; // (its bindings made requireOnUse)
    const code = readFileSync(join(emitted, file), 'utf8')
      .replace(/^#!.*/, '') // (cli/bin.ts's #! line is blanked, not removed: the source map's lines stay)
      .replace(/\n\/\/# sourceMappingURL=.*\s*$/, '')
      // each require of another module names it as the bundle does: no paths to resolve at run time
      .replace(/\brequire\((["'])(\.{1,2}\/[^"']+)\.js\1\)/g, (_, _quote, path) => `require(${JSON.stringify(join(dirname(name), path))})`)
      .replace(/^const (\w+) = require\(("[^"]+")\);$/gm, (line, binding, other) => {
        const where = fileOf(JSON.parse(other));
        if (where === 'node' || where === 'bundle' || where === fileOf(name)) return line;
        onUse.push(binding);
        return `const ${binding} = requireOnUse(${other});`;
      });
    // (a stand-in only answers `binding.name`, which is how TypeScript's output reads an import)
    for (const binding of onUse) {
      const uses = code.match(new RegExp(`\\b${binding}\\b(?!\\.\\w)`, 'g')) ?? [];
      if (uses.length !== 1) throw new Error(`bundle: ${file} uses ${binding} other than as ${binding}.name; requireOnUse would not answer that`);
    }
    for (const [helper] of code.matchAll(/\b__[a-zA-Z]+(?=\()/g)) {
      if (!known.has(helper)) throw new Error(`bundle: ${file} uses TypeScript's ${helper}, which the bundle does not define`);
    }
    const map = JSON.parse(readFileSync(join(emitted, `${file}.map`), 'utf8'));
    map.sources = map.sources.map((source) => relative(outDir, join(emitted, dirname(file), source)));
    lines.push(`${JSON.stringify(name)}: function (exports, require, module, requireOnUse) {`);
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

// Four files, each read the first time one of its modules is asked for. dist/bundle.js: the
// client, the transport and the HTTP codec, the errors, where DOCKER_HOST points: what
// `new Docker()`, `Docker.fromEnv()`, `ping()` and `api` need. dist/images.js: the image
// operations, their models, registry credentials and progress streams (a program that only
// pings neither reads nor compiles them: ~2.5 ms of its start here). dist/build.js: what only a build or the build helpers need (the context walker and
// packer, the .dockerignore matcher, the BuildKit decoder; ~3 ms). dist/cli/bin.js: the command
// line's modules. The last three add their modules to the bundle's.
// (the entry points' sources are not among them: below, each of their names is taken from its
// module. They are what package.json's "exports" names, each as `./dist/<entry>.d.ts`,
// `./dist/<entry>.mjs` and `./dist/<entry>.js`: one list, so a new entry is a source file and a
// line there; "typesVersions", for TypeScript's node10 resolution, which reads no "exports",
// must map each subpath to the same declarations)
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const entries = Object.entries(packageJson.exports)
  .filter(([subpath]) => subpath !== './package.json')
  .map(([subpath, conditions]) => {
    const entry = /^\.\/dist\/([\w-]+)\.js$/.exec(conditions.default)?.[1];
    const expected = { types: `./dist/${entry}.d.ts`, import: `./dist/${entry}.mjs`, default: `./dist/${entry}.js` };
    if (!entry || JSON.stringify(conditions) !== JSON.stringify(expected)) throw new Error(`bundle: package.json's exports["${subpath}"] is not ${JSON.stringify(expected)}`);
    const mapped = subpath === '.' ? [packageJson.types.replace(/^(?!\.\/)/, './')] : packageJson.typesVersions?.['*']?.[subpath.slice(2)];
    if (JSON.stringify(mapped) !== JSON.stringify([expected.types])) throw new Error(`bundle: package.json's ${subpath === '.' ? 'types' : `typesVersions["*"]["${subpath.slice(2)}"]`} is not ${expected.types}`);
    return entry;
  });
const files = readdirSync(emitted, { recursive: true }).filter((f) => f.endsWith('.js') && !entries.includes(f.replace(/\.js$/, ''))).sort();
const entryCode = new Map(entries.map((entry) => [entry, readFileSync(join(emitted, `${entry}.js`), 'utf8')]));
const moduleName = (f) => f.replace(/\.js$/, '');
/** Which file holds the module `name` (its path under src/, without .js): bundle, images, build or cli. */
function fileOf(name) {
  if (name.startsWith('node:')) return 'node'; // (a built-in: Node's own)
  if (name.startsWith('cli/')) return 'cli';
  if (/^(context|tar|ignore)\/|^stream\/(buildkit-status|protobuf)$/.test(name)) return 'build';
  if (/^(client|engine-api|errors|bytes|auth\/docker-env)$|^(http|transport)\//.test(name)) return 'bundle';
  return 'images';
}
const inFile = (which) => files.filter((f) => fileOf(moduleName(f)) === which);
writeModules(join(dist, 'bundle.js'), ["'use strict';", ...helpers.trimEnd().split('\n'), 'const modules = { __proto__: null,'], moduleEntries(inFile('bundle'), dist), [
  '};',
  '// (where the modules of the other files are)',
  'const elsewhere = new Map();',
  `for (const [file, names] of Object.entries(${JSON.stringify({ './images.js': inFile('images').map(moduleName), './build.js': inFile('build').map(moduleName) })})) {`,
  '  for (const name of names) elsewhere.set(name, file);',
  '}',
  '',
  '// ---- the loader: evaluates a module on first use, its requires first, as Node does ----',
  'const cache = new Map();',
  '',
  '/** The exports of a module of the bundle (by its path under src/, without .js), or of a built-in. */',
  'function load(name) {',
  '  const cached = cache.get(name);',
  '  if (cached) return cached.exports;',
  '  if (!(name in modules) && elsewhere.has(name)) require(elsewhere.get(name));',
  '  const define = modules[name];',
  '  if (!define) {',
  "    if (name.startsWith('node:')) return require(name);",
  '    throw new Error(`dockwire: no module ${name} in the bundle`);',
  '  }',
  '  const module = { exports: {} };',
  '  cache.set(name, module);',
  '  define.call(module.exports, module.exports, load, module, requireOnUse);',
  '  return module.exports;',
  '}',
  '',
  '/** A stand-in for the exports of module `name`, which loads it when one of them is first read. */',
  'function requireOnUse(name) {',
  '  let exports;',
  '  return new Proxy({}, { get: (_, key) => (exports ??= load(name))[key] });',
  '}',
  '',
  '/** Adds modules (another file\'s) to the bundle\'s. */',
  'function add(more) {',
  '  Object.assign(modules, more);',
  '}',
  '',
  'module.exports = { load, add };',
]);
writeModules(
  join(dist, 'images.js'),
  ['// The image operations\' modules (see scripts/bundle.mjs), added to ./bundle.js\'s', "'use strict';", ...helpers.trimEnd().split('\n'), "require('./bundle.js').add({"],
  moduleEntries(inFile('images'), dist),
  ['});'],
);
writeModules(
  join(dist, 'build.js'),
  ['// The modules only a build needs (see scripts/bundle.mjs), added to ./bundle.js\'s', "'use strict';", ...helpers.trimEnd().split('\n'), "require('./bundle.js').add({"],
  moduleEntries(inFile('build'), dist),
  ['});'],
);
mkdirSync(join(dist, 'cli'), { recursive: true });
writeModules(
  join(dist, 'cli', 'bin.js'),
  ['#!/usr/bin/env node', '// The `dockwire` command (src/cli/bin.ts), its modules added to ../bundle.js\'s', "'use strict';", "const { add, load } = require('../bundle.js');", 'add({'],
  moduleEntries(inFile('cli'), join(dist, 'cli')),
  ['});', "load('cli/bin');"],
);
rmSync(emitted, { recursive: true, force: true });

// dist/package.json: everything in dist/ is CommonJS (the declaration files too, for TypeScript)
writeFileSync(join(dist, 'package.json'), '{\n  "type": "commonjs"\n}\n');

// The package's entry points, each written from its source (TypeScript's CommonJS output of it)
// as a file of named exports: dist/index.js (`dockwire`, from src/index.ts) and
// dist/index-client.js (`dockwire/client`, from src/index-client.ts: the client and the errors).
// Each name is a getter that loads its module when read, so `const { Docker } = require('dockwire')`
// never loads the build's modules. Beside each, dist/<entry>.mjs for `import` (package.json's
// "import" condition): an ES module that requires dist/<entry>.js and exports its names, the same
// objects, so a program has one copy of every class however it loads dockwire. Importing the
// CommonJS file itself would work too (Node's lexer, cjs-module-lexer, finds its names in the
// `exports.a = exports.b = void 0;` line, TypeScript's own way of declaring names it defines
// later), but the lexer's first run and the CommonJS translator cost an importer 2–4 ms and ~35
// KB of V8's young generation here, enough to bring the first scavenge (~4 ms) into the run of a
// program that imports dockwire/client and makes one request. An importer is given every name's
// value, so one of `dockwire` loads every module, and one of `dockwire/client` only the client's.
// Each `export { a as b } from './m.js'` of an entry's source is a require and a getter;
// `export * from './m.js'` is every name of m.
const { load } = createRequire(import.meta.url)(join(dist, 'bundle.js'));
for (const entry of entries) writeEntry(entry);

/** Writes dist/`entry`.js and dist/`entry`.mjs from TypeScript's output of src/`entry`.ts. */
function writeEntry(entry) {
  const code = entryCode.get(entry);
  const required = new Map([...code.matchAll(/var (\w+) = require\("\.\/([^"]+)\.js"\);/g)].map(([, variable, path]) => [variable, path]));
  const exported = new Map(); // name → [module, its name there]
  for (const [, name, variable, inner] of code.matchAll(/Object\.defineProperty\(exports, "(\w+)", \{ enumerable: true, get: function \(\) \{ return (\w+)\.(\w+); \} \}\);/g)) {
    exported.set(name, [required.get(variable), inner]);
  }
  for (const [, path] of code.matchAll(/__exportStar\(require\("\.\/([^"]+)\.js"\), exports\);/g)) {
    for (const name of Object.keys(load(path))) if (!exported.has(name)) exported.set(name, [path, name]);
  }
  const names = [...exported.keys()].sort();
  for (const name of names) {
    const [module, inner] = exported.get(name);
    if (!module || load(module)[inner] === undefined) throw new Error(`bundle: src/${entry}.ts exports ${name}, not found in ${module}`);
  }
  writeFileSync(
    join(dist, `${entry}.js`),
    `// An entry point of dockwire (src/${entry}.ts): every module is in ./bundle.js (see scripts/bundle.mjs)
'use strict';
// (the names, for a tool that imports this file and finds them with cjs-module-lexer, as Node
// would; the getters below define them)
${names.map((n) => `exports.${n} =`).join('\n  ')}
  void 0;
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
    join(dist, `${entry}.mjs`),
    `// An entry point of dockwire for import (src/${entry}.ts): the names of ./${entry}.js, the same objects
import { createRequire } from 'node:module';

const entry = createRequire(import.meta.url)('./${entry}.js');
export const {
${names.map((n) => `  ${n},`).join('\n')}
} = entry;
export default entry;
`,
  );
}
