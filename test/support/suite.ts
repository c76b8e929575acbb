// What most integration files share: a client to the test engine, and cleanup of the images and
// folders they made, after all their tests.
import { afterAll } from 'vitest';
import type { Docker } from '../../src/api.js';
import { removeTrees } from './contexts.js';
import { client } from './engine.js';
import { removeQuietly } from './images.js';
import { removeTempDirs } from './temp.js';

export function engineSuite(): { docker: Docker; made: string[] } {
  const docker = client();
  const made: string[] = [];
  afterAll(async () => {
    removeQuietly(...made);
    removeTrees();
    removeTempDirs();
    await docker.close();
  });
  return { docker, made };
}
