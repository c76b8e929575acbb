// The image API from 1.52 to 1.55, on the engines that speak it (Docker 29): inspect leaving out
// empty fields, Identity in inspect and in list's manifest summaries, and the attestations of an
// image loaded from an OCI archive the test writes itself, and of one the engine's BuildKit built
// with provenance. Each part runs where the negotiated API
// version (and, for what needs OCI indexes, the containerd image store) has it; older engines
// refuse each option before any request (platforms.test.ts).
import { describe, expect, it } from 'vitest';
import { Docker, InvalidArgument, NotImplemented, imageAttestations } from '../../src/api.js';
import { attestedArchive } from '../support/attested-archive.js';
import { facts, speaks } from '../support/capabilities.js';
import { countingClient } from '../support/counting.js';
import { engine, ns, uniqueName } from '../support/engine.js';
import { removeQuietly, tagBase } from '../support/images.js';
import { startScratchEngine } from '../support/scratch-engine.js';
import { engineSuite } from '../support/suite.js';
import { registryBase } from '../support/buildkitd.js';
import { makeTree } from '../support/contexts.js';

const { docker, made } = engineSuite();

describe('inspect leaves out empty fields from API 1.52; nothing reading them breaks', () => {
  it('Parent, DockerVersion and Author are absent (1.52), Parent and Author empty strings before, and the Image reads the same', async () => {
    const image = await docker.images.get(engine.baseImage);
    // (an imported image has none of them; before 1.52 a graph-driver engine writes its own version as DockerVersion)
    if (speaks('1.52'))
      for (const field of ['Parent', 'DockerVersion', 'Author']) expect(image.attrs, field).not.toHaveProperty(field);
    else for (const field of ['Parent', 'Author']) expect(image.attrs[field] ?? '', field).toBe('');
    // the base image has no labels: Config.Labels is left out (1.52), or null or empty (before)
    expect(image.attrs.Config?.Labels ?? {}).toEqual({});
    expect(image.labels).toEqual({});
    expect(image.tags).toContain(engine.baseImage);
    expect(String(image)).toContain(engine.baseImage);
  });
});

describe('list: identity needs manifests', () => {
  it('identity without manifests is InvalidArgument, and nothing is sent (the engine would answer 400)', async () => {
    const { docker: d, sent } = countingClient();
    const error = await d.images.list({ identity: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgument);
    expect((error as Error).message).toMatch(/identity needs manifests: true/);
    expect(sent).toEqual([]);
    await d.close();
  });
});

// Identity is what the engine records of where an image came from: only engines speaking 1.53
// (inspect) and 1.54 (list) send it.
describe.runIf(speaks('1.54'))('Identity: where an image came from (API 1.53 inspect, 1.54 list)', () => {
  it('a pulled image has a Pull identity, in inspect and in list with identity', async () => {
    const repository = `${engine.registry}/dockwire/identity-${uniqueName('i')}`;
    tagBase(`${repository}:v1`);
    made.push(`${repository}:v1`);
    await docker.images.push(repository, { tag: 'v1' });
    removeQuietly(`${repository}:v1`);
    const image = await docker.images.pull(repository, { tag: 'v1' });
    // (the engine keeps every repository the same content was pulled from; Docker 29.7 records it
    // without the registry's port: 127.0.0.1/dockwire/...)
    const repositories = (image.attrs.Identity?.Pull ?? []).map((p) => p.Repository);
    const path = repository.slice(engine.registry.length);
    expect(repositories).toContainEqual(expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1(:\\d+)?${path}$`)));
    const [listed] = await docker.images.list({ name: repository, manifests: true, identity: true });
    const listedImages = (listed?.attrs.Manifests ?? []).filter((m) => m.Kind === 'image');
    // (the same repositories; the engine does not keep one order between inspect and list)
    expect(listedImages.map((m) => (m.ImageData?.Identity?.Pull ?? []).map((p) => p.Repository).sort())).toEqual([
      [...repositories].sort(),
    ]);
  });
});

// Attestations live in an image index beside the image manifest: only the containerd image store
// keeps indexes, and only API 1.55 has the endpoint.
describe.runIf(speaks('1.55') && facts.containerdStore)('attestations (API 1.55, the containerd image store)', () => {
  it(
    'loads an OCI archive with an attestation manifest; attestations() gives its in-toto statement, decoded',
    { timeout: 120_000 },
    async () => {
      const marker = uniqueName('att');
      const attested = await attestedArchive(`${ns}/attested`, marker, marker);
      made.push(attested.name);
      const [image] = await docker.images.load(attested.archive);
      expect(image?.id).toBe(attested.indexDigest);

      const statements = await image!.attestations({ platform: 'linux/amd64', statement: true });
      expect(statements).toHaveLength(1);
      const [one] = statements;
      expect(one?.PredicateType).toBe(attested.predicateType);
      expect(one?.Descriptor).toMatchObject({
        mediaType: 'application/vnd.in-toto+json',
        digest: attested.statementDigest,
      });
      expect(one?.Statement).toEqual(attested.statement);
      expect(one?.Statement?.subject?.[0]?.digest?.['sha256']).toBe(attested.imageManifestDigest.slice(7));

      // without statement: the descriptors alone; by predicate type: that type's, or none
      const bare = await image!.attestations({ platform: 'linux/amd64' });
      expect(bare.map((s) => s.Descriptor.digest)).toEqual([attested.statementDigest]);
      expect(bare[0]).not.toHaveProperty('Statement');
      expect(await image!.attestations({ type: attested.predicateType })).toHaveLength(1);
      expect(
        await image!.attestations({ type: ['https://example.invalid/other', attested.predicateType] }),
      ).toHaveLength(1);
      expect(await image!.attestations({ type: 'https://example.invalid/other' })).toEqual([]);
      // an image without attestations has none
      expect(await (await docker.images.get(engine.baseImage)).attestations()).toEqual([]);
    },
  );

  // (the engine's own BuildKit exports into this same store with the containerd store alone: the
  // graph-driver store's BuildKit has no image exporter, and attestations need an index)
  it(
    "a build through the engine's BuildKit with provenance: attestations() gives BuildKit's SLSA statement, decoded",
    { timeout: 240_000 },
    async () => {
      const base = await registryBase(docker);
      const marker = uniqueName('prov');
      // (a name with its registry: the engine cannot inspect a short name BuildKit's exporter stored as given)
      const name = `${engine.registry}/dockwire-test/provenance:${marker}`;
      made.push(name);
      const dir = makeTree({ Dockerfile: `FROM ${base}\nCOPY a.txt /a.txt\n`, 'a.txt': marker });
      const built = await docker.buildkit.build({
        path: dir,
        networkMode: 'none',
        attest: { provenance: true },
        outputs: [{ type: 'image', name }],
      });
      const image = await docker.images.get(name);
      const statements = await image.attestations({ statement: true });
      const slsa = statements.filter((s) => /^https:\/\/slsa\.dev\/provenance\/v(0\.2|1)$/.test(s.PredicateType));
      expect(slsa).toHaveLength(1);
      const [one] = slsa;
      expect(one?.Descriptor.mediaType).toBe('application/vnd.in-toto+json');
      const statement = one?.Statement as
        | {
            _type?: string;
            predicateType?: string;
            subject?: Array<{ digest?: Record<string, string> }>;
            predicate?: Record<string, unknown>;
          }
        | undefined;
      expect(statement?._type).toMatch(/^https:\/\/in-toto\.io\/Statement\/v(0\.1|1)$/);
      expect(statement?.predicateType).toBe(one?.PredicateType);
      // its subject is the image manifest BuildKit made, and its materials name the FROM image
      expect(built.digest).toBe(image.id);
      expect(statement?.subject?.[0]?.digest?.['sha256']).toMatch(/^[0-9a-f]{64}$/);
      const predicate = statement?.predicate ?? {};
      const materials = (predicate['materials'] ??
        (predicate['buildDefinition'] as { resolvedDependencies?: unknown } | undefined)?.resolvedDependencies) as
        Array<{ uri?: string }> | undefined;
      expect(materials?.map((m) => m.uri).join('\n')).toContain(
        base.slice(0, base.lastIndexOf(':')).replace(/^[^/]+\//, ''),
      );
      // and the filter by predicate type finds it
      expect(await image.attestations({ type: one!.PredicateType })).toHaveLength(1);
    },
  );

  it('bad options are InvalidArgument before any request', async () => {
    const { docker: d, sent } = countingClient();
    const image = await d.images.get(engine.baseImage);
    const before = sent.length;
    await expect(image.attestations({ type: [] })).rejects.toThrow(/type must be/);
    await expect(image.attestations({ platfrom: 'linux/amd64' } as never)).rejects.toThrow(/did you mean "platform"/);
    await expect(image.attestations({ platform: 'linux' })).rejects.toBeInstanceOf(InvalidArgument);
    expect(sent.length).toBe(before);
    await d.close();
  });

  it('an engine whose image store is a graph driver answers 501: NotImplemented', { timeout: 120_000 }, async () => {
    const scratch = await startScratchEngine([], 'docker', { features: { 'containerd-snapshotter': false } });
    const d = new Docker({ host: scratch.host });
    try {
      const info = await d.api.json<{ Driver: string }>('GET', '/info');
      expect(info.Driver).not.toBe('overlayfs');
      const error = await imageAttestations(d, engine.baseImage).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotImplemented);
      expect((error as NotImplemented).statusCode).toBe(501);
      expect((error as NotImplemented).code).toBe('ERR_DOCKER_NOT_IMPLEMENTED');
      expect((error as Error).message).toMatch(/attestations need the containerd image store/);
    } finally {
      await d.close();
      scratch.dispose();
    }
  });
});
