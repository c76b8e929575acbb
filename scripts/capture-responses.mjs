// node scripts/capture-responses.mjs [DOCKER_HOST]: records the engine's raw HTTP/1.1 answers to
// a few requests (exactly the bytes on the wire, each over a connection of its own that the
// engine closes) into test/fixtures/http/, the seed corpus of the differential test against
// llhttp (test/interop/http/differential.test.ts). Starts or reuses the project's engine.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = Object.fromEntries(
  execFileSync('bash', [join(root, 'scripts', 'engine.sh'), 'up'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);
const host = process.argv[2] ?? env.DOCKER_HOST;
const kind = env.DOCKWIRE_ENGINE ?? 'docker';
const base = encodeURIComponent(env.DOCKWIRE_BASE_IMAGE).replace(/%2F/g, '/').replace(/%3A/g, ':');
const requests = {
  ping: 'GET /_ping',
  version: 'GET /v1.41/version',
  'images-list': 'GET /v1.41/images/json?filters=%7B%22reference%22%3A%5B%22dockwire-test%2Fbusybox%22%5D%7D',
  inspect: `GET /v1.41/images/${base}/json`,
  history: `GET /v1.41/images/${base}/history`,
  'not-found': 'GET /v1.41/images/dockwire-test/absent:nope/json',
  'bad-request': 'GET /v1.41/images/json?filters=not-json',
};

function capture(line) {
  return new Promise((resolve, reject) => {
    const socket = connect(host.replace(/^unix:\/\//, ''));
    const parts = [];
    socket.on('data', (d) => parts.push(d));
    socket.on('end', () => resolve(Buffer.concat(parts)));
    socket.on('error', reject);
    socket.write(`${line} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n`);
  });
}

const dir = join(root, 'test', 'fixtures', 'http');
mkdirSync(dir, { recursive: true });
for (const [name, line] of Object.entries(requests)) {
  const bytes = await capture(line);
  // the Date header changes every second: fixed, so that a capture run again changes nothing else
  const text = bytes.toString('latin1').replace(/\r\nDate: [^\r]*/, '\r\nDate: Tue, 01 Dec 2026 00:00:00 GMT');
  writeFileSync(join(dir, `${kind}-${name}.http`), Buffer.from(text, 'latin1'));
  console.log(`${kind}-${name}.http: ${bytes.length} bytes`);
}
