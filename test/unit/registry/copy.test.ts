import { describe, expect, it } from 'vitest';
import { copyImage, type CopyEnds } from '../../../src/registry/copy.js';
import type { Descriptor, ImageIndex } from '../../../src/oci.js';
import { manifest, OCI_INDEX, Store } from '../attestations/store.js';

/** A three-platform index with an attestation manifest per platform, and ends over an in-memory store that record what is put. */
function threePlatforms() {
  const store = new Store();
  const arches = ['amd64', 'arm64', 's390x'];
  const images = arches.map((arch) => ({
    ...manifest(store, [store.put(arch, 'application/vnd.oci.image.layer.v1.tar')]),
    platform: { os: 'linux', architecture: arch },
  }));
  const attestations = images.map((image) => ({
    ...manifest(store, [store.put({ about: image.digest }, 'application/vnd.in-toto+json')]),
    platform: { os: 'unknown', architecture: 'unknown' },
    annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': image.digest },
  }));
  const index: ImageIndex = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...images, ...attestations] };
  const top = store.put(index, OCI_INDEX);
  const put: Array<{ digest: string; tagged: boolean; manifest: unknown }> = [];
  const ends: CopyEnds = {
    from: 'src',
    sourceManifest: async (child) => {
      const d = child?.digest ?? top.digest;
      const bytes = store.blobs.get(d)!;
      const parsed = JSON.parse(new TextDecoder().decode(bytes));
      return { descriptor: { mediaType: parsed.mediaType, digest: d, size: bytes.length }, manifest: parsed, bytes };
    },
    has: async () => true,
    mount: async () => false,
    transfer: async () => undefined,
    once: async (_digest, put) => (await put(), true),
    putManifest: async (bytes, mediaType, tagged) => {
      const parsed = JSON.parse(new TextDecoder().decode(bytes));
      const descriptor = store.put(bytes, mediaType);
      put.push({ digest: descriptor.digest, tagged, manifest: parsed });
      return descriptor;
    },
  };
  return { images, attestations, ends, put };
}

describe('copyImage with platforms', () => {
  it('keeps the attestation manifests of the platforms kept, and drops the others\u2019', async () => {
    const { images, attestations, ends, put } = threePlatforms();
    await copyImage(ends, { platforms: ['linux/amd64', 'linux/s390x'] }, () => undefined);
    const index = put.at(-1)!.manifest as ImageIndex;
    expect(index.manifests.map((d: Descriptor) => d.digest)).toEqual([
      images[0]!.digest,
      images[2]!.digest,
      attestations[0]!.digest,
      attestations[2]!.digest,
    ]);
    expect(put.map((p) => p.digest)).not.toContain(attestations[1]!.digest);
  });

  it('never takes unknown/unknown for a platform asked for', async () => {
    const { ends } = threePlatforms();
    await expect(copyImage(ends, { platforms: ['unknown/unknown'] }, () => undefined)).rejects.toThrow(
      /none of the platforms/,
    );
  });

  it('without platforms copies every entry, attestation manifests included', async () => {
    const { attestations, ends, put } = threePlatforms();
    await copyImage(ends, {}, () => undefined);
    for (const a of attestations) expect(put.map((p) => p.digest)).toContain(a.digest);
  });
});
