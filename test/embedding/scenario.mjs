// The scratch app's work, shared by app.mjs (import) and app.cjs (require): list the images,
// then build a one-line Dockerfile. EMBEDDING_WAY names the way the app was shipped; it goes into
// the built image's label, so the suite can tell the builds apart.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default async function scenario({ Docker }) {
  const docker = new Docker({ host: process.env.DOCKER_HOST });
  const dir = mkdtempSync(join(tmpdir(), 'dockwire-app-'));
  try {
    for (const image of await docker.images.list()) for (const tag of image.tags) console.log(`image ${tag}`);
    writeFileSync(
      join(dir, 'Dockerfile'),
      `FROM ${process.env.DOCKWIRE_BASE_IMAGE}\nLABEL way="${process.env.EMBEDDING_WAY}"\n`,
    );
    const { image } = await docker.images.build({ path: dir });
    console.log(`built ${image.id}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await docker.close();
  }
}
