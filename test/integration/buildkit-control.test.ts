import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildKit } from '../../src/index.js';
import { buildkitClients, buildkitd, registryBase } from '../support/buildkitd.js';
import { engine, uniqueName } from '../support/engine.js';
import { engineSuite } from '../support/suite.js';
import { tempDir } from '../support/temp.js';

const { docker } = engineSuite();
let base: string;
beforeAll(async () => {
  base = await registryBase(docker);
}, 120_000);

describe.each(buildkitClients())('BuildKit over %s', (_name, make) => {
  let buildkit: BuildKit;
  beforeAll(() => {
    buildkit = make();
  });
  afterAll(() => buildkit.close());

  it('answers Info and ListWorkers', async () => {
    const info = await buildkit.info();
    expect(info.BuildkitVersion.Version).toBe('v0.32.2');
    const workers = await buildkit.workers();
    expect(workers[0]?.Platforms.some((p) => p.OS === 'linux' && p.Architecture === 'amd64')).toBe(true);
  });

  it('builds a RUN step and pushes', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${base}\nRUN echo ${uniqueName('run')} > /made\nCOPY a.txt /a.txt\n`);
    writeFileSync(join(dir, 'a.txt'), 'hello');
    const name = `${engine.registry}/dockwire-test/bk-run:${uniqueName('t')}`;
    const job = buildkit.build({ path: dir, outputs: [{ type: 'image', name, push: true }] });
    const events = [];
    for await (const e of job) events.push(e);
    const result = await job;
    expect(result.digest).toMatch(/^sha256:/);
  }, 120_000);
});
