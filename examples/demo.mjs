// The README's first command: starts (or reuses) the project's local engine, then shows dockwire
// talking to it. Grows with the API.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Docker } from '../dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = {};
const printed = execFileSync('bash', [join(root, 'scripts', 'engine.sh'), 'up'], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
for (const line of printed.split('\n')) {
  const i = line.indexOf('=');
  if (i > 0) env[line.slice(0, i)] = line.slice(i + 1);
}

const docker = Docker.fromEnv(env);
// the demo builds examples/hello, then moves that image through the local registry and back
const say = (text) => console.log(`- ${text}`);
try {
  const version = await docker.version();
  say(`engine at ${env.DOCKER_HOST}: Docker ${version.Version}, API ${await docker.api.apiVersion()}`);
  const images = await docker.images.list();
  say(`${images.length} image(s): ${images.map((i) => i.tags.join(',') || i.shortId).join('; ')}`);

  const build = docker.images.build({
    path: join(root, 'examples', 'hello'),
    tag: 'dockwire-demo/hello:latest',
    buildArgs: { BASE: env.DOCKWIRE_BASE_IMAGE },
    networkMode: 'none',
  });
  for await (const event of build) if (event.stream) process.stdout.write(`    ${event.stream}`);
  const base = (await build).image;
  say(`built examples/hello as ${base.tags.join(', ')} (${base.shortId})`);
  const repo = `${env.DOCKWIRE_REGISTRY}/dockwire/demo`;
  await base.tag(repo, 'v1');
  say(`tagged ${base.shortId} as ${repo}:v1`);
  const push = docker.images.push(repo, { tag: 'v1' });
  for await (const event of push)
    if (event.status && event.id) process.stdout.write(`    ${event.id}: ${event.status}\n`);
  say(`pushed to the local registry: ${(await push).digest}`);
  await docker.images.remove(`${repo}:v1`);
  say('removed it locally');
  const pull = docker.images.pull(`${repo}:v1`);
  for await (const _ of pull);
  const pulled = await pull;
  say(`pulled it back: ${pulled.shortId} (${pull.totals.layersTotal} layer(s) transferred; the rest was already here)`);
  let bytes = 0;
  const chunks = [];
  for await (const chunk of pulled.save({ named: true })) {
    bytes += chunk.length;
    chunks.push(chunk);
  }
  say(`saved ${bytes} bytes`);
  const loaded = await docker.images.load(
    (async function* () {
      yield* chunks;
    })(),
  );
  say(`loaded ${loaded.map((i) => i.tags.join(',')).join('; ')}`);
  const data = await docker.images.getRegistryData(`${repo}:v1`);
  say(`registry says ${data.shortId}, linux/amd64: ${data.hasPlatform('linux/amd64')}`);
  await docker.images.remove(`${repo}:v1`);
  say('done: built, tagged, pushed, removed, pulled, saved and loaded, all against the local engine and registry');
} finally {
  await docker.close();
}
