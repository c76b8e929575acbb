// The engine's attestations (GET /images/{name}/attestations, API 1.55, the containerd image
// store) and registry.attestations agree for the same image, built with provenance by the engine's
// BuildKit and pushed to the loopback registry. Runs where the engine speaks 1.55 (Docker 29.7).
import { describe, expect, it } from 'vitest';
import { registryBase } from '../support/buildkitd.js';
import { facts, speaks } from '../support/capabilities.js';
import { makeTree } from '../support/contexts.js';
import { engine, uniqueName } from '../support/engine.js';
import { engineSuite } from '../support/suite.js';

const { docker, made } = engineSuite();

describe.runIf(speaks('1.55') && facts.containerdStore)('image.attestations and registry.attestations', () => {
  it('give the same statements for the same pushed image', { timeout: 240_000 }, async () => {
    const base = await registryBase(docker);
    const marker = uniqueName('agree');
    const repository = `${engine.registry}/dockwire-test/agree`;
    const name = `${repository}:${marker}`;
    made.push(name);
    const dir = makeTree({ Dockerfile: `FROM ${base}\nCOPY a.txt /a.txt\n`, 'a.txt': marker });
    await docker.buildkit.build({
      path: dir,
      networkMode: 'none',
      attest: { provenance: 'max' },
      outputs: [{ type: 'image', name }],
    });
    await docker.images.push(repository, { tag: marker });
    const image = await docker.images.get(name);
    const fromEngine = await image.attestations({ statement: true });
    expect(fromEngine.length).toBeGreaterThan(0);
    // the engine answers for its own platform: the registry is asked for the same one
    const platform = (await docker.registry.platforms(name))[0]!;
    const fromRegistry = await docker.registry.attestations(name, { platform });
    const key = (type: string, digest: string): string => `${type} ${digest}`;
    expect(
      fromRegistry
        .filter((a) => a.source === 'index')
        .map((a) => key(a.predicateType, a.descriptor.digest))
        .sort(),
    ).toEqual(fromEngine.map((s) => key(s.PredicateType, s.Descriptor.digest)).sort());
    for (const s of fromEngine)
      expect(fromRegistry.find((a) => a.descriptor.digest === s.Descriptor.digest)?.statement).toEqual(s.Statement);
    expect(fromRegistry.skipped).toEqual([]);
  });
});
