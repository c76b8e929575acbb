// The README's first command: starts (or reuses) the project's local engine, then shows dockwire
// talking to it. Grows with the API.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Docker } from '../dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = {};
const printed = execFileSync('bash', [join(root, 'scripts', 'engine.sh'), 'up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
for (const line of printed.split('\n')) {
  const i = line.indexOf('=');
  if (i > 0) env[line.slice(0, i)] = line.slice(i + 1);
}

const docker = Docker.fromEnv(env);
try {
  console.log(`engine at ${env.DOCKER_HOST}: ping ${(await docker.ping()) ? 'OK' : 'failed'}`);
  const version = await docker.version();
  console.log(`Docker ${version.Version}, API ${await docker.api.apiVersion()} (engine's own: ${version.ApiVersion})`);
  const images = await docker.api.json('GET', '/images/json');
  console.log(`${images.length} image(s):`);
  for (const image of images) console.log(`  ${image.Id.slice(7, 19)}  ${(image.RepoTags ?? ['<none>']).join(', ')}`);
} finally {
  await docker.close();
}
