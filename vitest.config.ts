import { defineConfig } from 'vitest/config';

// unit: pure, no other process, no engine, no dist/. interop: checked against other programs on
// this machine (GNU tar, credential helper scripts), no engine. integration: a real engine and
// real registries (scripts/engine.sh, started by the global setup). test/integration/engine-free/
// talks to the registries, buildkitd and peers (cosign, crane, oras, python-tuf) but never to the
// engine: it runs once, with Docker 20.10 (`npm test`), not again under every other engine.
const otherEngine = (process.env['DOCKWIRE_ENGINE'] ?? 'docker') !== 'docker';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // pure but CPU-bound in places (every truncation of a certificate or a timestamp token):
          // room for a 2-core machine that is busy with other work
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'interop',
          include: ['test/interop/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: otherEngine ? ['test/integration/engine-free/**'] : [],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // one file at a time: they share one engine and two registries
          fileParallelism: false,
        },
      },
    ],
  },
});
