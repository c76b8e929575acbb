// app.mjs as a CommonJS program: require('dockwire') (Node's require of an ES module).
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Docker } = require('dockwire');

async function main() {
  const docker = new Docker({ host: process.env.DOCKER_HOST });
  const dir = mkdtempSync(join(tmpdir(), 'dockwire-app-'));
  try {
    for (const image of await docker.images.list()) for (const tag of image.tags) console.log(`image ${tag}`);
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${process.env.DOCKWIRE_BASE_IMAGE}\nLABEL way="${process.env.EMBEDDING_WAY}"\n`);
    const { image } = await docker.images.build({ path: dir });
    console.log(`built ${image.id}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await docker.close();
  }
}
main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
