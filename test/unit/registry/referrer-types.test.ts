// A fallback index entry's artifact type, taken from its manifest where the entry names none or
// only the empty type (as cosign 3.1.1 writes it on registries without the referrers API).
import { describe, expect, it } from 'vitest';
import { ManifestNotFound, type Descriptor, type Manifest } from '../../../src/index.js';
import { withArtifactTypes } from '../../../src/registry/referrer-types.js';

const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const EMPTY = 'application/vnd.oci.empty.v1+json';
const d = (n: string, artifactType?: string): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${n.repeat(64)}`,
  size: 1,
  ...(artifactType ? { artifactType } : {}),
});
const manifest = (artifactType: string | undefined, config = EMPTY): Manifest => ({
  schemaVersion: 2,
  ...(artifactType ? { artifactType } : {}),
  config: { mediaType: config, digest: `sha256:${'0'.repeat(64)}`, size: 2 },
  layers: [],
});

describe('withArtifactTypes', () => {
  it('reads the manifest of an entry with the empty type or none, and only those', async () => {
    const read: string[] = [];
    const manifests: Record<string, Manifest> = {
      [d('a').digest]: manifest(BUNDLE),
      [d('b').digest]: manifest(undefined, 'application/vnd.example.sbom'),
      [d('c').digest]: manifest(undefined),
    };
    const out = await withArtifactTypes(
      [d('a', EMPTY), d('b'), d('c'), d('d', 'application/x-listed')],
      async (digest) => {
        read.push(digest);
        return { manifest: manifests[digest]! };
      },
    );
    expect(out.map((e) => e.artifactType)).toEqual([
      BUNDLE,
      'application/vnd.example.sbom',
      EMPTY,
      'application/x-listed',
    ]);
    expect(read).toEqual([d('a').digest, d('b').digest, d('c').digest]);
  });

  it('keeps an entry whose manifest is gone as listed, and passes on other failures', async () => {
    const gone = await withArtifactTypes([d('a', EMPTY)], () =>
      Promise.reject(
        new ManifestNotFound('manifest x', 404, [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }]),
      ),
    );
    expect(gone).toEqual([d('a', EMPTY)]);
    await expect(
      withArtifactTypes([d('a', EMPTY)], () => Promise.reject(new Error('connection reset'))),
    ).rejects.toThrow('connection reset');
  });
});
