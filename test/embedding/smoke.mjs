// The runtime smoke suite: the packed package, under whichever runtime runs this file (Node, Bun,
// Deno), imported by its name as users do (scripts/embedding.sh installs it beside this file):
// ping, the dockwire/api entry, list, push to and pull from the local registry, build a small
// context, a BuildKit build with a secret (a session), save and load; a build through BuildKit's
// Control API on the standalone buildkitd (gRPC over node:http2, the session inside it, FileSync).
// Prints one line per check and a closing "N passed, N failed".
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuildKit, Docker } from 'dockwire';

const env = process.env;
const runtime =
  typeof Deno !== 'undefined'
    ? `deno ${Deno.version.deno}`
    : typeof Bun !== 'undefined'
      ? `bun ${Bun.version}`
      : `node ${process.version}`;
const docker = new Docker({ host: env.DOCKER_HOST });
const repo = `${env.DOCKWIRE_REGISTRY}/dockwire/smoke-${runtime.split(' ')[0]}`;
const results = [];

async function check(name, fn) {
  try {
    await fn();
    results.push(true);
    console.log(`ok   ${runtime}: ${name}`);
  } catch (error) {
    results.push(false);
    console.log(`FAIL ${runtime}: ${name}: ${error?.stack ?? error}`);
  }
}
function assert(condition, what) {
  if (!condition) throw new Error(`expected ${what}`);
}

await check('ping', async () => assert((await docker.ping()) === true, 'ping true'));
await check('dockwire/api: the same classes, and its functions throw errors of them', async () => {
  const api = await import('dockwire/api');
  const main = await import('dockwire');
  assert(
    api.Docker === Docker && api.APIError === main.APIError && api.Image === main.Image,
    'the classes of dockwire',
  );
  const failure = await api.inspectImage(docker, 'dockwire-smoke/absent:none').catch((error) => error);
  assert(
    failure instanceof main.ImageNotFound && failure instanceof main.APIError,
    'ImageNotFound for an absent image',
  );
});
await check('list', async () => {
  const images = await docker.images.list();
  assert(
    images.some((i) => i.tags.includes(env.DOCKWIRE_BASE_IMAGE)),
    'the base image in the list',
  );
});
await check('push to and pull from the local registry', async () => {
  const base = await docker.images.get(env.DOCKWIRE_BASE_IMAGE);
  await base.tag(repo, 'v1');
  await docker.images.push(repo, { tag: 'v1' });
  await docker.images.remove(`${repo}:v1`);
  const job = docker.images.pull(`${repo}:v1`);
  let events = 0;
  for await (const _ of job) events++;
  assert((await job).id === base.id && events > 0, 'the pulled image, with events');
});
await check('build a small context', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dockwire-smoke-'));
  try {
    writeFileSync(
      join(dir, 'Dockerfile'),
      `FROM ${env.DOCKWIRE_BASE_IMAGE}\nCOPY hello.txt /hello.txt\nLABEL runtime="${runtime}"\n`,
    );
    writeFileSync(join(dir, 'hello.txt'), 'hello\n');
    const { image } = await docker.images.build({ path: dir, tag: `${repo}:built` });
    assert(image.labels.runtime === runtime, 'the label set by the build');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
await check('a BuildKit build with a secret (a session: HTTP/2 served on the upgraded connection)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dockwire-smoke-'));
  try {
    writeFileSync(
      join(dir, 'Dockerfile'),
      `FROM ${env.DOCKWIRE_BASE_IMAGE}\nRUN --mount=type=secret,id=s cat /run/secrets/s\n`,
    );
    const job = docker.images.build({
      path: dir,
      builder: 'buildkit',
      networkMode: 'none',
      noCache: true,
      secrets: { s: { value: `seen by ${runtime}` } },
    });
    let out = '';
    for await (const event of job) if (event.type === 'log') out += event.text;
    await job;
    assert(out.includes(`seen by ${runtime}`), 'the secret in the step output');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
await check(
  "a build through BuildKit's Control API (buildkitd over a unix socket): FileSync, a secret, an oci archive streamed back",
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dockwire-smoke-'));
    const buildkit = new BuildKit({ host: env.DOCKWIRE_BUILDKIT_UNIX });
    try {
      writeFileSync(
        join(dir, 'Dockerfile'),
        `FROM ${env.DOCKWIRE_REGISTRY}/dockwire-test/busybox:latest\nCOPY hello.txt /hello.txt\nRUN --mount=type=secret,id=s cat /run/secrets/s /hello.txt\n`,
      );
      writeFileSync(join(dir, 'hello.txt'), `hello from ${runtime}\n`);
      let size = 0;
      const sink = new WritableStream({ write: (chunk) => void (size += chunk.length) });
      const job = buildkit.build({
        path: dir,
        noCache: true,
        secrets: { s: { value: `control API seen by ${runtime}` } },
        outputs: [{ type: 'oci', dest: sink }],
      });
      let out = '';
      for await (const event of job) if (event.type === 'log') out += event.text;
      await job;
      assert(
        out.includes(`control API seen by ${runtime}`) && out.includes(`hello from ${runtime}`),
        'the secret and the context file in the step output',
      );
      assert(size > 1024, 'an oci archive streamed back');
    } finally {
      buildkit.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
await check('save and load', async () => {
  const image = await docker.images.get(`${repo}:built`);
  const parts = [];
  for await (const chunk of image.save({ named: true })) parts.push(chunk);
  await docker.images.remove(`${repo}:built`);
  const total = parts.reduce((n, p) => n + p.length, 0);
  const tarball = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    tarball.set(p, at);
    at += p.length;
  }
  const loaded = await docker.images.load(tarball);
  assert(loaded.length === 1 && loaded[0].id === image.id, 'the same image loaded back');
  await docker.images.remove(`${repo}:built`);
  await docker.images.remove(`${repo}:v1`).catch(() => {});
});
await docker.close();
const passed = results.filter(Boolean).length;
const failed = results.length - passed;
console.log(`${runtime}: ${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
