// npm run build: the published files. rolldown builds the entry points together: dist/index.js
// (`dockwire`), dist/api.js (`dockwire/api`) and dist/cli.js (the `dockwire` command), each a
// small ES module over the shared chunk under dist/chunks/, which holds every class once (so
// `instanceof` holds across the entries). Every import in them is a string literal: a `node:`
// built-in, or a relative path to that chunk. tsc writes the type declarations under dist/types/.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'rolldown';
import { bundleOptions } from './bundle.mjs';

rmSync('dist', { recursive: true, force: true });
await build(bundleOptions);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
