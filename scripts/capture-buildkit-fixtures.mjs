// Records what the engine sends for BuildKit builds (POST /build?version=2), byte for byte, as
// fixtures for the trace decoder's tests: test/fixtures/buildkit/*.jsonl.
// Run: bash scripts/engine.sh up, then DOCKER_HOST=unix://... node scripts/capture-buildkit-fixtures.mjs
// It uses node:http, not dockwire, so the fixtures do not depend on the code they test.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const host = process.env.DOCKER_HOST ?? '';
if (!host.startsWith('unix://')) throw new Error('set DOCKER_HOST=unix://... (scripts/engine.sh up prints it)');
const socketPath = host.slice('unix://'.length);
const base = process.env.DOCKWIRE_BASE_IMAGE ?? 'dockwire-test/busybox:latest';
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'buildkit');

function tarOf(files) {
  const dir = mkdtempSync(join(tmpdir(), 'bk-fixture-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return execFileSync('tar', ['-C', dir, '-cf', '-', ...Object.keys(files)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function build(context, query) {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method: 'POST',
        path: `/v1.41/build?version=2&networkmode=none&${query}`,
        headers: { 'Content-Type': 'application/x-tar' },
      },
      (res) => {
        const parts = [];
        res.on('data', (d) => parts.push(d));
        res.on('end', () => resolve(Buffer.concat(parts)));
      },
    );
    req.on('error', reject);
    req.end(context);
  });
}

const nonce = Date.now().toString(36);
const multi = tarOf({
  Dockerfile: `FROM ${base} AS base\nARG WHO=nobody\nRUN echo "hello $WHO ${nonce}" && echo to-stderr >&2\nFROM base AS final\nCOPY data.txt /data.txt\nRUN cat /data.txt\n`,
  'data.txt': 'fixture data\n',
});
writeFileSync(join(out, 'success.jsonl'), await build(multi, 'buildargs=' + encodeURIComponent('{"WHO":"fixtures"}')));
writeFileSync(join(out, 'cached.jsonl'), await build(multi, 'buildargs=' + encodeURIComponent('{"WHO":"fixtures"}')));
writeFileSync(
  join(out, 'failure.jsonl'),
  await build(tarOf({ Dockerfile: `FROM ${base}\nRUN echo about to fail ${nonce} && exit 3\n` }), ''),
);
console.log(`wrote success.jsonl, cached.jsonl, failure.jsonl to ${out}`);
