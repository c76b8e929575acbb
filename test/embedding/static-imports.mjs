// node static-imports.mjs DIR: fails, naming file and line, when a .js file under DIR loads code
// in a way a bundler or an auditor cannot follow: a require() or import() whose argument is not
// one string literal, a static import of anything but a `node:` built-in or another published
// file (a relative path to a file under DIR: the entries share one chunk), createRequire, eval or
// new Function. `--self-test` first shows it catches each.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const rules = [
  [
    'a require() or import() of something other than one string literal',
    /\b(?:require|import)\s*\((?!\s*(["'])[^"'`]*\1\s*\))/g,
  ],
  ['a static import of another package', /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*(["'])(?!node:|\.\.?\/)[^"']*\1/gm],
  ['a static import of another package', /^\s*import\s*(["'])(?!node:|\.\.?\/)[^"']*\1/gm],
  ['createRequire', /\bcreateRequire\b/g],
  ['eval', /\beval\s*\(/g],
  ['new Function', /\bnew\s+Function\s*\(/g],
];

// a relative static import, whose target must be one of the published files
const RELATIVE = /^\s*(?:(?:import|export)\b[^;'"]*?\bfrom\s*|import\s*)(["'])(\.\.?\/[^"']*)\1/gm;

export function findings(text, file, root = dirname(file)) {
  const found = [];
  for (const match of text.matchAll(RELATIVE)) {
    const target = resolve(dirname(file), match[2]);
    if (!existsSync(target) || relative(root, target).startsWith('..')) {
      const line = text.slice(0, match.index).split('\n').length;
      found.push(`${file}:${line}: a static import of a file that is not published beside it: ${match[2]}`);
    }
  }
  for (const [what, pattern] of rules) {
    for (const match of text.matchAll(pattern)) {
      const line = text.slice(0, match.index).split('\n').length;
      found.push(`${file}:${line}: ${what}: ${text.split('\n')[line - 1].trim().slice(0, 120)}`);
    }
  }
  return found;
}

function* jsFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* jsFiles(path);
    else if (/\.[cm]?js$/.test(entry.name)) yield path;
  }
}

const planted = [
  'const m = require(name);',
  'await import(`./${x}.js`);',
  "import { a } from 'other-package';",
  "import 'other-package';",
  "import { a } from './absent.js';",
  'const r = createRequire(import.meta.url);',
  'eval("1");',
  'new Function("return 1");',
];
if (process.argv.includes('--self-test')) {
  for (const line of planted) {
    if (findings(line, 'planted').length === 0) {
      console.error(`static-imports: the check misses ${line}`);
      process.exit(1);
    }
  }
  if (findings("import { a } from 'node:fs';\nawait import('node:tls');\nrequire(\"node:zlib\");", 'clean').length) {
    console.error('static-imports: the check flags string-literal imports of built-ins');
    process.exit(1);
  }
}
const dir = process.argv.filter((a) => !a.startsWith('--'))[2];
const files = [...jsFiles(dir)];
const all = files.flatMap((file) => findings(readFileSync(file, 'utf8'), file, dir));
for (const line of all) console.error(line);
if (files.length === 0) console.error(`static-imports: no .js files under ${dir}`);
process.exitCode = all.length === 0 && files.length > 0 ? 0 : 1;
