// npm run build: the published files. rolldown builds the entry points together: dist/index.js
// (`dockwire`), dist/api.js (`dockwire/api`) and dist/cli.js (the `dockwire` command), each a
// small ES module over the shared chunk under dist/chunks/, which holds every class once (so
// `instanceof` holds across the entries). Every import in them is a string literal: a `node:`
// built-in, or a relative path to that chunk. tsc writes the type declarations under dist/types/
// (those the entries' declarations reach).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { build } from 'rolldown';
import { bundleOptions } from './bundle.mjs';

rmSync('dist', { recursive: true, force: true });
await build(bundleOptions);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

// tsc declares every module under src/; only those the public entries' declarations reach (by
// `from '…'` or `import('…')`) can be seen by a user, so the rest are not published
const reached = new Set();
const pending = ['dist/types/index.d.ts', 'dist/types/api.d.ts'].map((f) => resolve(f));
while (pending.length > 0) {
  const file = pending.pop();
  if (reached.has(file)) continue;
  reached.add(file);
  for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/(?:\bfrom\s*|\bimport\(\s*)['"](\.[^'"]+)['"]/g)) {
    const target = resolve(dirname(file), specifier.replace(/\.js$/, '.d.ts'));
    if (!existsSync(target)) throw new Error(`${file}: ${specifier} has no declaration file`);
    pending.push(target);
  }
}
for (const entry of readdirSync('dist/types', { recursive: true, withFileTypes: true })) {
  const file = resolve(entry.parentPath ?? entry.path, entry.name);
  if (entry.isFile() && !reached.has(file)) rmSync(file);
}
for (const entry of readdirSync('dist/types', { withFileTypes: true }))
  if (entry.isDirectory() && readdirSync(join('dist/types', entry.name), { recursive: true }).length === 0)
    rmSync(join('dist/types', entry.name), { recursive: true });
