// npm run build: the published files. rolldown writes each entry point as one self-contained,
// unminified ES module (dist/index.js for `dockwire`, dist/cli.js for the `dockwire` command);
// every import in them is a string literal naming a `node:` built-in. tsc writes the type
// declarations (tsconfig.build.json) under dist/types/.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'rolldown';

const entries = { index: 'src/index.ts', cli: 'src/cli/bin.ts' };

rmSync('dist', { recursive: true, force: true });
for (const [name, input] of Object.entries(entries)) {
  await build({
    input,
    platform: 'node',
    external: [/^node:/],
    // one file per entry: the few modules loaded on first use (node:tls, the build context's
    // walker) stay `import('…')` of a literal, and our own are inlined
    output: { file: `dist/${name}.js`, format: 'esm', codeSplitting: false },
  });
}
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
