// The images append makes over a base's: the same added blobs for every platform, the base's name
// and digest as annotations, Docker types kept or turned into OCI ones, attestations and unknown
// platforms left out, `platforms` checked; and the names the archive outputs give.
import { describe, expect, it } from 'vitest';
import {
  appendedPlatforms,
  buildImages,
  isPlatformImage,
  scratchPlatforms,
  selectPlatforms,
  type BaseImages,
} from '../../../src/append/images.js';
import type { LayerBlob } from '../../../src/append/layer.js';
import { archiveNames } from '../../../src/append/outputs.js';
import type { Descriptor, ImageIndex } from '../../../src/oci.js';

const layer: LayerBlob = {
  digest: 'sha256:' + 'c'.repeat(64),
  diffId: 'sha256:' + 'd'.repeat(64),
  size: 10,
  compression: 'gzip',
  open: () => (async function* () {})(),
  close: async () => {},
};
const dockerLayer: Descriptor = {
  mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  digest: 'sha256:' + 'a'.repeat(64),
  size: 5,
};

function base(docker: boolean, archs: string[], index: boolean): BaseImages {
  return {
    name: 'reg/base:1',
    digest: 'sha256:' + 'b'.repeat(64),
    docker,
    index,
    images: archs.map((architecture) => ({
      platform: { os: 'linux', architecture },
      manifest: {
        schemaVersion: 2,
        config: { mediaType: 'x', digest: 'sha256:' + '0'.repeat(64), size: 1 },
        layers: [dockerLayer],
      },
      config: { os: 'linux', architecture, rootfs: { type: 'layers', diff_ids: ['sha256:' + 'e'.repeat(64)] } },
    })),
  };
}

describe('buildImages', () => {
  it('gives every platform the same added blob, and an index over them', () => {
    const built = buildImages(
      base(false, ['amd64', 'arm64'], true),
      [layer],
      ['dockwire append /'],
      { annotations: { k: 'v' } },
      false,
    );
    expect(built.images).toHaveLength(2);
    for (const image of built.images) {
      expect(image.manifest.layers.map((l) => l.digest)).toEqual([dockerLayer.digest, layer.digest]);
      expect(image.manifest.annotations).toEqual({
        'org.opencontainers.image.base.name': 'reg/base:1',
        'org.opencontainers.image.base.digest': 'sha256:' + 'b'.repeat(64),
        k: 'v',
      });
      expect(JSON.parse(new TextDecoder().decode(image.configBytes)).rootfs.diff_ids).toEqual([
        'sha256:' + 'e'.repeat(64),
        layer.diffId,
      ]);
    }
    const index = JSON.parse(new TextDecoder().decode(built.top.bytes)) as ImageIndex;
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests.map((m) => m.platform!.architecture)).toEqual(['amd64', 'arm64']);
    expect(appendedPlatforms(built).map((p) => p.digest)).toEqual(index.manifests.map((m) => m.digest));
  });

  it('keeps a Docker base Docker, and converts it to OCI when asked (a layout) or for zstd', () => {
    const kept = buildImages(base(true, ['amd64'], false), [layer], [], {}, false);
    expect(kept.top.descriptor.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(kept.images[0]!.manifest.layers.map((l) => l.mediaType)).toEqual([
      dockerLayer.mediaType,
      'application/vnd.docker.image.rootfs.diff.tar.gzip',
    ]);
    expect(kept.images[0]!.configDescriptor.mediaType).toBe('application/vnd.docker.container.image.v1+json');
    const oci = buildImages(base(true, ['amd64'], false), [layer], [], {}, true);
    expect(oci.top.descriptor.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(oci.images[0]!.manifest.layers.map((l) => l.mediaType)).toEqual([
      'application/vnd.oci.image.layer.v1.tar+gzip',
      'application/vnd.oci.image.layer.v1.tar+gzip',
    ]);
    const zstd = buildImages(base(true, ['amd64'], false), [{ ...layer, compression: 'zstd' }], [], {}, false);
    expect(zstd.images[0]!.manifest.layers.at(-1)!.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+zstd');
    expect(zstd.top.descriptor.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
  });

  it('makes the same bytes from the same inputs and time', () => {
    const created = new Date(0);
    const a = buildImages(base(false, ['amd64'], false), [layer], ['x'], { created }, false);
    const b = buildImages(base(false, ['amd64'], false), [layer], ['x'], { created }, false);
    expect(a.top.descriptor.digest).toBe(b.top.descriptor.digest);
  });
});

describe('platforms', () => {
  const have = [
    { platform: { os: 'linux', architecture: 'amd64' } },
    { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  ];
  it('narrows to those asked for, and names one the base lacks', () => {
    expect(selectPlatforms(have, ['linux/arm64'])).toEqual([have[1]]);
    expect(selectPlatforms(have, undefined)).toEqual(have);
    expect(() => selectPlatforms(have, ['linux/amd64', 'linux/s390x'])).toThrow(
      /platforms\[1\]: the base has no linux\/s390x image; it has linux\/amd64, linux\/arm64\/v8/,
    );
    expect(() => selectPlatforms(have, ['linux/amd64/v2/x'])).toThrow(/platforms\[0\]/);
  });
  it('leaves out attestations and unknown/unknown', () => {
    const d = (platform: { os: string; architecture: string }, annotations?: Record<string, string>): Descriptor => ({
      mediaType: 'm',
      digest: 'd',
      size: 1,
      platform,
      ...(annotations ? { annotations } : {}),
    });
    expect(isPlatformImage(d({ os: 'linux', architecture: 'amd64' }))).toBe(true);
    expect(isPlatformImage(d({ os: 'unknown', architecture: 'unknown' }))).toBe(false);
    expect(
      isPlatformImage(
        d({ os: 'linux', architecture: 'amd64' }, { 'vnd.docker.reference.type': 'attestation-manifest' }),
      ),
    ).toBe(false);
  });
  it('needs platforms for scratch', () => {
    expect(() => scratchPlatforms(undefined)).toThrow(/platforms: scratch/);
    expect(() => scratchPlatforms(['linux'])).toThrow(/platforms\[0\]/);
    expect(scratchPlatforms(['linux/arm/v7'])).toEqual([{ os: 'linux', architecture: 'arm', variant: 'v7' }]);
  });
});

describe('archiveNames', () => {
  it.each([
    [undefined, { full: undefined, ref: 'latest' }],
    ['v1', { full: undefined, ref: 'v1' }],
    ['app:1', { full: 'app:1', ref: '1' }],
    ['reg:5000/me/app', { full: 'reg:5000/me/app:latest', ref: 'latest' }],
    ['me/app', { full: 'me/app:latest', ref: 'latest' }],
  ])('%s', (tag, names) => expect(archiveNames(tag)).toEqual(names));
});
