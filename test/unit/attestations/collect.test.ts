import { describe, expect, it } from 'vitest';
import { AttestationCollector, indexSubjects, predicateTypeList } from '../../../src/attestations/collect.js';
import { ATTESTATION_LIMITS } from '../../../src/attestations/limits.js';
import { ManifestNotFound, InvalidArgument, ProtocolError } from '../../../src/errors.js';
import type { Descriptor, ImageIndex } from '../../../src/oci.js';
import { envelope, IN_TOTO, manifest, OCI_INDEX, statement, Store } from './store.js';

const PROVENANCE = 'https://slsa.dev/provenance/v0.2';
const SPDX = 'https://spdx.dev/Document';
const provenance = { builder: { id: 'b' }, buildType: 't' };
const spdx = { spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'x', packages: [] };

/** A two-platform index as BuildKit pushes it: each image manifest with an attestation manifest (provenance and SPDX) about it. */
function buildkitIndex(
  store: Store,
  options: { subjects?: (image: Descriptor) => string[]; withSubject?: boolean } = {},
) {
  const images = ['amd64', 'arm64'].map((arch) =>
    manifest(store, [store.put(arch, 'application/vnd.oci.image.layer.v1.tar')], undefined, {
      config: store.put({ architecture: arch, os: 'linux' }, 'application/vnd.oci.image.config.v1+json'),
    }),
  );
  const platforms = [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64' },
  ];
  const attestations = images.map((image, i) => {
    const digests = options.subjects?.(image) ?? [image.digest];
    const layers = [
      store.put(statement(PROVENANCE, { ...provenance, arch: platforms[i]!.architecture }, digests), IN_TOTO, {
        annotations: { 'in-toto.io/predicate-type': PROVENANCE },
      }),
      store.put(statement(SPDX, spdx, digests), IN_TOTO, { annotations: { 'in-toto.io/predicate-type': SPDX } }),
    ];
    return {
      ...manifest(store, layers, options.withSubject ? image : undefined),
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': image.digest },
    };
  });
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [...images.map((d, i) => ({ ...d, platform: platforms[i]! })), ...attestations],
  };
  const top = store.put(index, OCI_INDEX);
  return { index, top, images, attestations };
}

describe('indexSubjects', () => {
  it('gives the index and its platform manifests, never an attestation manifest; with a platform, only its manifest', () => {
    const store = new Store();
    const { index, top, images } = buildkitIndex(store);
    expect(indexSubjects(top.digest, index, undefined, 'r').map((s) => s.digest)).toEqual([
      top.digest,
      images[0]!.digest,
      images[1]!.digest,
    ]);
    const arm = indexSubjects(top.digest, index, 'linux/arm64', 'r');
    expect(arm).toEqual([
      { digest: top.digest },
      { digest: images[1]!.digest, platform: { os: 'linux', architecture: 'arm64' } },
    ]);
    expect(() => indexSubjects(top.digest, index, 'unknown/unknown', 'r')).toThrow(ManifestNotFound);
    expect(() => indexSubjects(top.digest, index, 'linux/s390x', 'r')).toThrow(ManifestNotFound);
  });
});

describe('AttestationCollector', () => {
  it('gives each platform\u2019s statements keyed to its platform, predicates typed', async () => {
    const store = new Store();
    const { index, top, images } = buildkitIndex(store);
    const collector = new AttestationCollector(store.reader);
    await collector.index(index, indexSubjects(top.digest, index, undefined, 'r'));
    const found = collector.found;
    expect(found.map((a) => `${a.platform?.architecture} ${a.kind} ${a.source}`).sort()).toEqual([
      'amd64 slsa-provenance-v0.2 index',
      'amd64 spdx index',
      'arm64 slsa-provenance-v0.2 index',
      'arm64 spdx index',
    ]);
    const arm = found.find((a) => a.platform?.architecture === 'arm64' && a.kind === 'slsa-provenance-v0.2')!;
    expect(arm.subject).toBe(images[1]!.digest);
    expect((arm.predicate as { arch: string }).arch).toBe('arm64');
    expect(arm.signed).toBeUndefined();
    expect(found.skipped).toEqual([]);
  });

  it('with a platform, reads only that platform\u2019s attestation manifest', async () => {
    const store = new Store();
    const { index, top } = buildkitIndex(store);
    const collector = new AttestationCollector(store.reader, [SPDX]);
    await collector.index(index, indexSubjects(top.digest, index, 'linux/amd64', 'r'));
    expect(collector.found.map((a) => `${a.platform?.architecture} ${a.predicateType}`)).toEqual([`amd64 ${SPDX}`]);
    // one attestation manifest, one statement layer: the provenance layer is left unread by its annotation
    expect(store.reads).toBe(2);
  });

  it('never gives a statement about another digest: skipped, with the reason', async () => {
    const store = new Store();
    const other = `sha256:${'e'.repeat(64)}`;
    const { index, top } = buildkitIndex(store, { subjects: () => [other] });
    const collector = new AttestationCollector(store.reader);
    await collector.index(index, indexSubjects(top.digest, index, undefined, 'r'));
    expect(collector.found).toHaveLength(0);
    expect(collector.found.skipped).toHaveLength(4);
    expect(collector.found.skipped[0]!.reason).toContain(other);
  });

  it('a re-pointed attestation manifest (about image A, annotated as about image B) is not given', async () => {
    const store = new Store();
    const { index, top, images, attestations } = buildkitIndex(store);
    // the amd64 attestation manifest re-pointed at the arm64 image, the arm64 one dropped
    const forged: ImageIndex = {
      ...index,
      manifests: [
        ...index.manifests.slice(0, 2),
        {
          ...attestations[0]!,
          annotations: { ...attestations[0]!.annotations, 'vnd.docker.reference.digest': images[1]!.digest },
        },
      ],
    };
    const collector = new AttestationCollector(store.reader);
    await collector.index(forged, indexSubjects(top.digest, forged, 'linux/arm64', 'r'));
    expect(collector.found).toHaveLength(0);
    expect(collector.found.skipped.map((s) => s.reason)).toEqual([
      expect.stringContaining(images[0]!.digest),
      expect.stringContaining(images[0]!.digest),
    ]);
  });

  it('an attestation manifest naming a manifest the index does not hold is skipped unread', async () => {
    const store = new Store();
    const { index, top, attestations } = buildkitIndex(store);
    const stray = `sha256:${'a'.repeat(64)}`;
    const forged: ImageIndex = {
      ...index,
      manifests: [
        ...index.manifests.slice(0, 2),
        {
          ...attestations[0]!,
          annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': stray },
        },
      ],
    };
    const collector = new AttestationCollector(store.reader);
    await collector.index(forged, indexSubjects(top.digest, forged, undefined, 'r'));
    expect(collector.found).toHaveLength(0);
    expect(collector.found.skipped).toEqual([
      expect.objectContaining({ manifest: attestations[0]!.digest, source: 'index' }),
    ]);
    expect(store.reads).toBe(0);
  });

  it('binds an empty subject through the manifest holding it (BuildKit\u2019s oci exporter), and only to what that names', async () => {
    const store = new Store();
    const { index, top, images } = buildkitIndex(store, { subjects: () => [] });
    const collector = new AttestationCollector(store.reader);
    await collector.index(index, indexSubjects(top.digest, index, undefined, 'r'));
    expect(collector.found.map((a) => a.subject).sort()).toEqual(
      [images[0]!.digest, images[0]!.digest, images[1]!.digest, images[1]!.digest].sort(),
    );
    // as a referrer: an empty subject binds through the manifest's own subject
    const referrer = manifest(store, [store.put(statement(SPDX, spdx, []), IN_TOTO)], images[0]!);
    const second = new AttestationCollector(store.reader);
    await second.referrer(referrer.digest, referrer.size, { digest: images[0]!.digest });
    expect(second.found).toHaveLength(1);
  });

  it('reads referrers: Sigstore bundles and DSSE envelopes (signed), plain in-toto layers; a referrer about another manifest is skipped', async () => {
    const store = new Store();
    const { images } = buildkitIndex(store);
    const subject = { digest: images[0]!.digest, platform: { os: 'linux', architecture: 'amd64' } };
    const bundle = {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: {},
      dsseEnvelope: envelope(
        statement('https://cyclonedx.org/bom', { bomFormat: 'CycloneDX', specVersion: '1.6', components: [] }, [
          subject.digest,
        ]),
      ),
    };
    const referrers = [
      manifest(store, [store.put(bundle, 'application/vnd.dev.sigstore.bundle.v0.3+json')], images[0]!),
      manifest(
        store,
        [
          store.put(
            envelope(statement(PROVENANCE, provenance, [subject.digest])),
            'application/vnd.dsse.envelope.v1+json',
          ),
        ],
        images[0]!,
      ),
      manifest(store, [store.put(statement(SPDX, spdx, [subject.digest]), IN_TOTO)], images[0]!),
      manifest(store, [store.put({ sbom: true }, 'application/vnd.dockwire.test.sbom')], images[0]!),
      // a referrer of the arm64 image, listed under the amd64 image (a forged fallback tag)
      manifest(store, [store.put(statement(SPDX, spdx, [images[1]!.digest]), IN_TOTO)], images[1]!),
    ];
    const collector = new AttestationCollector(store.reader);
    for (const r of referrers) await collector.referrer(r.digest, r.size, subject);
    expect(
      collector.found.map((a) => `${a.kind} ${a.signed ?? false} ${a.source} ${a.platform?.architecture}`),
    ).toEqual([
      'cyclonedx true referrer amd64',
      'slsa-provenance-v0.2 true referrer amd64',
      'spdx false referrer amd64',
    ]);
    expect(collector.found.skipped).toEqual([
      expect.objectContaining({ manifest: referrers[4]!.digest, reason: expect.stringContaining(images[1]!.digest) }),
    ]);
  });

  it('an index\u2019s attestation manifest that names its image as subject is read once, though a referrers list gives it again; a referrer listed for another subject first is still given for its own', async () => {
    const store = new Store();
    // BuildKit 0.32's attestation manifests carry a subject: a referrers list of the image gives them
    const { index, top, images, attestations } = buildkitIndex(store, { withSubject: true });
    const subjects = indexSubjects(top.digest, index, 'linux/amd64', 'r');
    const collector = new AttestationCollector(store.reader);
    await collector.index(index, subjects);
    const sbom = manifest(store, [store.put(statement(SPDX, spdx, [images[0]!.digest]), IN_TOTO)], images[0]!);
    await collector.referrer(sbom.digest, sbom.size, subjects[0]!); // listed under the index first: skipped
    for (const d of [attestations[0]!, sbom]) await collector.referrer(d.digest, d.size, subjects[1]!);
    expect(collector.found.map((a) => `${a.kind} ${a.source}`).sort()).toEqual([
      'slsa-provenance-v0.2 index',
      'spdx index',
      'spdx referrer',
    ]);
    expect(collector.found.skipped.map((s) => s.manifest)).toEqual([sbom.digest]);
  });

  it('a legacy .att manifest (no subject of its own) is read, its statements still bound by their subject', async () => {
    const store = new Store();
    const { images } = buildkitIndex(store);
    const att = manifest(store, [
      store.put(
        envelope(statement(PROVENANCE, provenance, [images[0]!.digest])),
        'application/vnd.dsse.envelope.v1+json',
      ),
      store.put(
        envelope(statement(PROVENANCE, provenance, [images[1]!.digest])),
        'application/vnd.dsse.envelope.v1+json',
      ),
    ]);
    const collector = new AttestationCollector(store.reader);
    await collector.referrer(att.digest, att.size, { digest: images[0]!.digest }, { legacy: true });
    expect(collector.found.map((a) => a.signed)).toEqual([true]);
    expect(collector.found.skipped).toHaveLength(1);
  });

  it('skips a statement that is not one (bad JSON, no _type), and goes on', async () => {
    const store = new Store();
    const { images } = buildkitIndex(store);
    const r = manifest(
      store,
      [
        store.put('{not json', IN_TOTO),
        store.put({ predicateType: SPDX, subject: [] }, IN_TOTO),
        store.put(statement(SPDX, spdx, [images[0]!.digest]), IN_TOTO),
      ],
      images[0]!,
    );
    const collector = new AttestationCollector(store.reader);
    await collector.referrer(r.digest, r.size, { digest: images[0]!.digest });
    expect(collector.found).toHaveLength(1);
    expect(collector.found.skipped.map((s) => s.reason)).toEqual([
      expect.stringContaining('not JSON'),
      expect.stringContaining('not an in-toto statement'),
    ]);
  });

  it('refuses over-many attestation manifests, over-many layers, an oversized statement, and too much in all, with ProtocolError, before reading them', async () => {
    const store = new Store();
    const { index, top, attestations, images } = buildkitIndex(store);
    const many: ImageIndex = {
      ...index,
      manifests: [...index.manifests.slice(0, 2), ...Array.from({ length: 100_000 }, () => attestations[0]!)],
    };
    await expect(
      new AttestationCollector(store.reader).index(many, indexSubjects(top.digest, many, undefined, 'r')),
    ).rejects.toThrow(ProtocolError);
    expect(store.reads).toBe(0);

    const layer = store.put(statement(SPDX, spdx, [images[0]!.digest]), IN_TOTO);
    const wide = manifest(
      store,
      Array.from({ length: ATTESTATION_LIMITS.layers + 1 }, () => layer),
      images[0]!,
    );
    await expect(
      new AttestationCollector(store.reader).referrer(wide.digest, wide.size, { digest: images[0]!.digest }),
    ).rejects.toThrow(/more than 256/);

    const huge = manifest(store, [{ ...layer, size: ATTESTATION_LIMITS.documentBytes + 1 }], images[0]!);
    const reads = store.reads;
    await expect(
      new AttestationCollector(store.reader).referrer(huge.digest, huge.size, { digest: images[0]!.digest }),
    ).rejects.toThrow(ProtocolError);
    expect(store.reads).toBe(reads + 1); // the manifest, not the statement

    const big = manifest(
      store,
      Array.from({ length: 5 }, () => ({ ...layer, size: ATTESTATION_LIMITS.documentBytes })),
      images[0]!,
    );
    await expect(
      new AttestationCollector({ ...store.reader, blob: async (d) => new Uint8Array(0 * d.size) }).referrer(
        big.digest,
        big.size,
        { digest: images[0]!.digest },
      ),
    ).rejects.toThrow(/more than 134217728 bytes/);
    await expect(
      new AttestationCollector(store.reader).referrer(big.digest, Number.NaN, { digest: images[0]!.digest }),
    ).rejects.toThrow(ProtocolError);
  });

  it('predicateTypeList takes a URI or a non-empty list of them', () => {
    expect(predicateTypeList(undefined, 'w')).toBeUndefined();
    expect(predicateTypeList(SPDX, 'w')).toEqual([SPDX]);
    for (const bad of ['', [], [1], {}, [SPDX, '']]) expect(() => predicateTypeList(bad, 'w')).toThrow(InvalidArgument);
  });
});
