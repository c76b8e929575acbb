// npm run build: the published files. rolldown builds the entry points together: dist/index.js
// (`dockwire`), dist/api.js (`dockwire/api`) and dist/cli.js (the `dockwire` command), each a
// small ES module over the shared chunk under dist/chunks/, which holds every class once (so
// `instanceof` holds across the entries). Every import in them is a string literal: a `node:`
// built-in, or a relative path to that chunk. tsc writes the type declarations under dist/types/.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'rolldown';

rmSync('dist', { recursive: true, force: true });
await build({
  input: { index: 'src/index.ts', api: 'src/api.ts', cli: 'src/cli/bin.ts' },
  platform: 'node',
  external: [/^node:/],
  output: {
    dir: 'dist',
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
    // the few modules loaded on first use (node:tls, …) stay `import('…')` of a literal. Our own
    // modules go into one shared chunk, except the units the entries load on first call
    // (verifyBundle's verifier, fetchTrustedRoot's TUF client, registry.append's machinery,
    // registry.verify's and registry.sign's):
    // rolldown gives those chunks of
    // their own, and what the entries need of them at once (parseTrustedRoot's modules) a chunk
    // that the shared one's importers load beside it
    codeSplitting: {
      groups: [
        {
          name: 'dockwire',
          test: /[\\/]src[\\/](?!cli[\\/]|trust[\\/]|tuf[\\/]|append[\\/]|registry[\\/](?:append|append-base|signatures|sign)\.ts)/,
        },
      ],
    },
  },
});
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
