// The registry client against the project's open loopback registry: resolve per call (a HEAD)
// against a raw HEAD on a kept-alive socket and against `crane digest` (a process per call, as
// scripts use it); a 1 GiB blob against curl (rate and peak RSS); 10,000 tags paged.
import { execFileSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from '../../dist/index.js';
import { median, medianChild, medianMs, timed } from '../lib/measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIG = '/tmp/dockwire-bench/registry-blob-1g';
const SIZE = 1024 * 1024 * 1024;
const RESOLVES = 300;
const TAGS = 10_000;

/** A kept-alive socket that sends HEAD requests and reads each head (HEAD answers have no body). */
async function rawHead(host, port) {
  const socket = connect(port, host);
  await new Promise((r, j) => socket.once('connect', r).once('error', j));
  socket.setNoDelay(true);
  let buf = '';
  let waiting = null;
  socket.on('data', (d) => {
    buf += d.toString('latin1');
    const end = buf.indexOf('\r\n\r\n');
    if (end === -1 || !waiting) return;
    const head = buf.slice(0, end);
    buf = buf.slice(end + 4);
    const w = waiting;
    waiting = null;
    w(head);
  });
  return {
    head: (path, accept) =>
      new Promise((resolve) => {
        waiting = resolve;
        socket.write(`HEAD ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nAccept: ${accept}\r\n\r\n`);
      }),
    close: () => socket.destroy(),
  };
}

function crane(env, ...args) {
  return execFileSync(env.DOCKWIRE_CRANE, [...args, '--insecure'], { encoding: 'utf8' });
}

/** The 1 GiB blob in the registry (uploaded once, monolithically), and its digest. */
async function bigBlob(registry, repo) {
  mkdirSync(dirname(BIG), { recursive: true });
  if (!existsSync(BIG) || statSync(BIG).size !== SIZE) {
    const fd = openSync(BIG, 'w');
    const chunk = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < SIZE / chunk.length; i++) writeSync(fd, randomFillSync(chunk));
    closeSync(fd);
  }
  const hash = createHash('sha256');
  const fd = openSync(BIG, 'r');
  const chunk = Buffer.alloc(8 * 1024 * 1024);
  for (let n; (n = readSync(fd, chunk)) > 0;) hash.update(chunk.subarray(0, n));
  closeSync(fd);
  const digest = `sha256:${hash.digest('hex')}`;
  const head = await fetch(`http://${registry}/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  if (head.status !== 200) {
    const start = await fetch(`http://${registry}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
    const location = new URL(start.headers.get('location'), `http://${registry}`);
    location.searchParams.set('digest', digest);
    execFileSync('curl', [
      '-sf',
      '-X',
      'PUT',
      '-H',
      'Content-Type: application/octet-stream',
      '-T',
      BIG,
      location.href,
    ]);
  }
  return digest;
}

/** The repository with 10,000 tags (made once: one manifest PUT per tag). */
async function manyTags(registry, repo, manifestBytes, mediaType) {
  const have = await fetch(`http://${registry}/v2/${repo}/tags/list`).then((r) => (r.ok ? r.json() : { tags: [] }));
  if ((have.tags ?? []).length >= TAGS) return;
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < TAGS) {
        const tag = `t${next++}`;
        const r = await fetch(`http://${registry}/v2/${repo}/manifests/${tag}`, {
          method: 'PUT',
          headers: { 'Content-Type': mediaType },
          body: manifestBytes,
        });
        if (!r.ok) throw new Error(`PUT ${tag}: ${r.status}`);
      }
    }),
  );
}

export async function run(env) {
  const registryHost = env.DOCKWIRE_REGISTRY;
  const [host, port] = registryHost.split(':');
  const repo = 'bench/registry';
  const ref = `${registryHost}/${repo}:v1`;
  // the image: crane's, a layer of a few bytes
  try {
    crane(env, 'digest', ref);
  } catch {
    crane(env, 'append', '-f', join(here, 'registry.mjs'), '-t', ref);
  }
  const registry = new Registry();
  const rows = [];

  // resolve per call
  const accept =
    'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
  const raw = await rawHead(host, Number(port));
  // taken in turns, five rounds each, so that the registry's (and the machine's) drift hits both alike
  const round = async (fn) => {
    const t = process.hrtime.bigint();
    for (let i = 0; i < RESOLVES; i++) await fn();
    return Number(process.hrtime.bigint() - t) / 1e6 / RESOLVES;
  };
  await round(() => registry.resolve(ref));
  await round(() => raw.head(`/v2/${repo}/manifests/v1`, accept));
  const dwRounds = [];
  const rawRounds = [];
  for (let i = 0; i < 5; i++) {
    dwRounds.push(await round(() => registry.resolve(ref)));
    rawRounds.push(await round(() => raw.head(`/v2/${repo}/manifests/v1`, accept)));
  }
  const dockwire = median(dwRounds);
  const rawMs = median(rawRounds);
  raw.close();
  const craneRun = await medianChild(env.DOCKWIRE_CRANE, ['digest', '--insecure', ref], {}, 5);
  rows.push({
    scenario: 'registry resolve (sequential, kept alive), ms per call',
    unit: 'ms',
    results: { dockwire, 'raw HEAD on a kept-alive socket': rawMs, 'crane digest (a process per call)': craneRun.ms },
    target: '≤ 1.15× a raw kept-alive HEAD',
  });

  // 1 GiB blob: request to last byte inside each process; peak RSS of the whole process
  const digest = await bigBlob(registryHost, repo);
  const blobUrl = `http://${registryHost}/v2/${repo}/blobs/${digest}`;
  // dockwire as a consumer that keeps nothing reads it (borrowChunks: the chunks lent, the hash on a
  // worker thread), and as one that keeps its chunks (each copied into memory of its own)
  const script = (options) => `import { Registry } from ${JSON.stringify(join(here, '..', '..', 'dist', 'index.js'))};
    const r = new Registry(); const t = process.hrtime.bigint(); let n = 0;
    for await (const c of r.blob(${JSON.stringify(`${registryHost}/${repo}`)}, ${JSON.stringify(digest)}, ${options})) n += c.length;
    if (n !== ${SIZE}) throw new Error('short: ' + n);
    console.log(Number(process.hrtime.bigint() - t) / 1e6); await r.close();`;
  const keptRates = [];
  const dwRates = [];
  const curlRates = [];
  const dwRss = [];
  const curlRss = [];
  const hashedRates = [];
  // the hash's own limit, in the same run: the blob's first 64 MiB read into memory, then hashed
  // 16 times over (1 GiB) in 64 KiB updates (the transport's chunk), only the hashing timed
  const hashAlone = `import { createHash } from 'node:crypto'; import { openSync, readSync } from 'node:fs';
    const b = Buffer.alloc(64 * 1024 * 1024); readSync(openSync(${JSON.stringify(BIG)}, 'r'), b, 0, b.length, 0);
    const t = process.hrtime.bigint(); const h = createHash('sha256');
    for (let i = 0; i < 16; i++) for (let o = 0; o < b.length; o += 65536) h.update(b.subarray(o, o + 65536));
    h.digest(); console.log(Number(process.hrtime.bigint() - t) / 1e6);`;
  const aloneRates = [];
  for (let i = 0; i < 3; i++) {
    const a = await timed(process.execPath, ['--input-type=module', '-e', hashAlone]);
    aloneRates.push(SIZE / 1e6 / (Number(a.stdout.trim()) / 1000));
    const d = await timed(process.execPath, ['--input-type=module', '-e', script('{ borrowChunks: true }')]);
    dwRates.push(SIZE / 1e6 / (Number(d.stdout.trim()) / 1000));
    dwRss.push(d.rssMb);
    const k = await timed(process.execPath, ['--input-type=module', '-e', script('{}')]);
    keptRates.push(SIZE / 1e6 / (Number(k.stdout.trim()) / 1000));
    const c = await timed('curl', ['-sf', '-o', '/dev/null', '-w', '%{time_total}', blobUrl]);
    curlRates.push(SIZE / 1e6 / Number(c.stdout.trim()));
    curlRss.push(c.rssMb);
    // curl that checks the digest too, as the client does: a second process hashes the stream
    const h = await timed(`curl -sf -w '%{time_total}' -o >(sha256sum >/dev/null) ${blobUrl}`, [], { shell: true });
    hashedRates.push(SIZE / 1e6 / Number(h.stdout.trim()));
  }
  rows.push({
    scenario: 'registry blob of 1 GiB, verified (sha256), MB/s',
    unit: 'MB/s',
    results: {
      dockwire: median(dwRates),
      'dockwire, chunks kept (each copied)': median(keptRates),
      curl: median(curlRates),
      'sha256 alone (createHash, in memory, 64 KiB updates)': median(aloneRates),
      'curl | sha256sum (two processes)': median(hashedRates),
    },
    target: '≥ 90% of the slower of curl and sha256 alone',
  });
  rows.push({
    scenario: 'registry blob of 1 GiB, peak RSS of the process, MB',
    unit: 'MB',
    results: { dockwire: median(dwRss), curl: median(curlRss) },
    target: 'flat: not growing with the blob',
  });

  // 10,000 tags
  const manifest = await registry.manifest(ref);
  crane(env, 'copy', ref, `${registryHost}/${repo}-tags:v1`); // (the blobs the tags' manifest names, in that repository)
  await manyTags(registryHost, `${repo}-tags`, manifest.bytes, manifest.descriptor.mediaType);
  let count = 0;
  const tagsMs = await medianMs(
    async () => {
      count = (await registry.tags(`${registryHost}/${repo}-tags`, { pageSize: 100 })).length;
    },
    { runs: 3, warmup: 1 },
  );
  if (count < TAGS) throw new Error(`only ${count} tags listed`);
  const oneMs = await medianMs(
    async () => {
      await registry.tags(`${registryHost}/${repo}-tags`, { pageSize: TAGS });
    },
    { runs: 3, warmup: 1 },
  );
  const craneLs = await medianChild(env.DOCKWIRE_CRANE, ['ls', '--insecure', `${registryHost}/${repo}-tags`], {}, 3);
  rows.push({
    scenario: '10,000 tags listed, ms',
    unit: 'ms',
    results: { dockwire: tagsMs, 'dockwire, one page': oneMs, 'crane ls (a process)': craneLs.ms },
    target: 'pages of 100: within a few × one page',
  });
  // copy of a 1 GiB image (the 1 GiB blob as its layer) from the open registry to the token
  // registry, and within the open registry (mounts), against crane copy; new destinations each round
  const config = new TextEncoder().encode(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [digest] }, config: {} }),
  );
  const configDescriptor = await registry.pushBlob(`${registryHost}/${repo}`, config, {
    mediaType: 'application/vnd.oci.image.config.v1+json',
  });
  const bigRef = `${registryHost}/${repo}:big`;
  await registry.pushManifest(bigRef, {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: configDescriptor,
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size: SIZE }],
  });
  const tokenAuth = { username: env.DOCKWIRE_TOKEN_USER, password: env.DOCKWIRE_TOKEN_PASSWORD };
  const craneConfig = join('/tmp/dockwire-bench', 'crane-config');
  mkdirSync(craneConfig, { recursive: true });
  writeFileSync(
    join(craneConfig, 'config.json'),
    JSON.stringify({
      auths: {
        [env.DOCKWIRE_TOKEN_REGISTRY]: {
          auth: Buffer.from(`${tokenAuth.username}:${tokenAuth.password}`).toString('base64'),
        },
      },
    }),
  );
  const copier = new Registry({
    env: {
      DOCKER_AUTH_CONFIG: JSON.stringify({
        auths: {
          [env.DOCKWIRE_TOKEN_REGISTRY]: {
            auth: Buffer.from(`${tokenAuth.username}:${tokenAuth.password}`).toString('base64'),
          },
        },
      }),
    },
    configDir: craneConfig,
  });
  const stamp = Date.now().toString(36);
  for (const [label, to] of [
    ['to another registry', env.DOCKWIRE_TOKEN_REGISTRY],
    ['within one registry (mounts)', registryHost],
  ]) {
    const dw = [];
    const cr = [];
    for (let i = 0; i < 3; i++) {
      const t = process.hrtime.bigint();
      await copier.copy(bigRef, `${to}/bench/copy-dw-${stamp}-${i}:v1`);
      dw.push(Number(process.hrtime.bigint() - t) / 1e6);
      const c = await timed(
        env.DOCKWIRE_CRANE,
        ['copy', '--insecure', bigRef, `${to}/bench/copy-crane-${stamp}-${i}:v1`],
        { env: { ...process.env, DOCKER_CONFIG: craneConfig } },
      );
      cr.push(c.ms);
    }
    rows.push({
      scenario: `copy a 1 GiB image ${label}, ms`,
      unit: 'ms',
      results: { dockwire: median(dw), 'crane copy': median(cr) },
      target: 'no slower than crane',
    });
  }
  await copier.close();
  await registry.close();
  return rows;
}
