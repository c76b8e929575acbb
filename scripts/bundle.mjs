// Writes the library's JavaScript as one file, dist/bundle.js, and the two entry points that use
// it: dist/index.js (the package) and dist/cli/bin.js (the `dockwire` command).
//
// Why one file: Node's ESM loader spends most of a cold start per module. Imported as 64 modules,
// dockwire took ~75 ms and 8 MB over bare node on this machine; as one file, ~20 ms and 3 MB.
// No bundler is involved: TypeScript itself writes every module into one file in System.register
// form (tsconfig.bundle.json), and the loader below links them, in dependency order, the way an
// ES module graph is linked. node: built-ins come from process.getBuiltinModule (Node ≥ 20.16,
// Bun, Deno); a dynamic import()
// stays a real import(), so node:tls, node:zlib and node:child_process load only when used.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const system = join(dist, '.system');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.bundle.json')], { stdio: 'inherit' });
const modules = readFileSync(join(system, 'modules.js'), 'utf8');
const map = JSON.parse(readFileSync(join(system, 'modules.js.map'), 'utf8'));
rmSync(system, { recursive: true, force: true });

// One line goes before TypeScript's output (so the source map only shifts by a line); the
// loader itself goes after it.
const head = "const registry = new Map(); const System = { register: (name, deps, declare) => void registry.set(name, { deps, declare }) };\n";
const loader = `
// ---- the loader: links the modules above as an ES module graph would be linked ----
const records = new Map();

/** Declares a module and, depth first, its dependencies; returns its record. */
function link(name, order) {
  let record = records.get(name);
  if (record) return record;
  const entry = registry.get(name);
  if (!entry) {
    if (!name.startsWith('node:')) throw new Error(\`dockwire: no module \${name} in the bundle\`);
    // (process.getBuiltinModule, not node:module's createRequire: importing node:module loads
    // node:fs/promises, readline and the source-map support, ~1 MB and a few ms at every start)
    record = { ns: process.getBuiltinModule(name), importers: [], execute: undefined };
    records.set(name, record);
    return record;
  }
  const ns = Object.create(null);
  record = { ns, importers: [], execute: undefined };
  records.set(name, record);
  // Importers hold the namespace object itself and read it at use (live bindings); only the
  // setters that copy names out (re-exports) run again, once the module has been evaluated.
  const exportValue = (key, value) => {
    if (typeof key === 'string') ns[key] = value;
    else Object.assign(ns, key);
    return value;
  };
  const declared = entry.declare(exportValue, { id: name, meta: { url: import.meta.url }, import: (specifier) => import(specifier) });
  entry.deps.forEach((dep, i) => {
    const target = link(dep, order);
    const setter = declared.setters[i];
    if (setter) {
      target.importers.push(setter);
      setter(target.ns);
    }
  });
  record.execute = declared.execute;
  order.push(record);
  return record;
}

/** The namespace of a module, with everything it imports evaluated first. */
export function load(name) {
  const order = [];
  const record = link(name, order);
  for (const r of order) {
    const execute = r.execute;
    r.execute = undefined;
    if (execute && execute() instanceof Promise) throw new Error(\`dockwire: \${name} needs run(), not load()\`);
    for (const setter of r.importers) setter(r.ns);
  }
  return record.ns;
}

/** load() for a module with top-level await (the command line). */
export async function run(name) {
  const order = [];
  const record = link(name, order);
  for (const r of order) {
    const execute = r.execute;
    r.execute = undefined;
    if (execute) await execute();
    for (const setter of r.importers) setter(r.ns);
  }
  return record.ns;
}
`;
// (cli/bin.ts's #! line is blanked, not removed: the source map's lines stay where they are)
// Non-ASCII characters (a few "…" and "’" in messages) are written as \u escapes: one of them
// makes V8 hold and scan the whole 250 KB source as two-byte text, ~6 ms of every cold start here.
// Comments are already gone, so every such character is inside a string, template or regular
// expression, where the escape means the same character.
const body = modules
  .replace(/^#!.*$/gm, '')
  .replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n')
  .replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
writeFileSync(join(dist, 'bundle.js'), `${head}${body}${loader}//# sourceMappingURL=bundle.js.map\n`);
map.file = 'bundle.js';
map.mappings = `;${map.mappings}`;
map.sources = map.sources.map((s) => s.replace(/^(\.\.\/)+src\//, '../src/'));
writeFileSync(join(dist, 'bundle.js.map'), JSON.stringify(map));

// dist/index.js: the package's named exports, listed from the bundle itself
const { load } = await import(pathToFileURL(join(dist, 'bundle.js')).href);
const names = Object.keys(load('index')).sort();
writeFileSync(
  join(dist, 'index.js'),
  `// dockwire's entry point: every module is in ./bundle.js (see scripts/bundle.mjs)\nimport { load } from './bundle.js';\n\nexport const {\n${names.map((n) => `  ${n},`).join('\n')}\n} = load('index');\n`,
);
mkdirSync(join(dist, 'cli'), { recursive: true });
writeFileSync(join(dist, 'cli', 'bin.js'), "#!/usr/bin/env node\n// The `dockwire` command (src/cli/bin.ts, from ./bundle.js)\nimport { run } from '../bundle.js';\n\nawait run('cli/bin');\n");
