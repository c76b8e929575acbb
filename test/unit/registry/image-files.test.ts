// registryImageFiles: the archive reader's merging over a registry image's blobs, here served from
// memory: layers downloaded as merging asks (once to list, again for content), descriptors checked.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import type { ImageConfig, ImageManifest } from '../../../src/oci.js';
import { registryImageFiles } from '../../../src/registry/image-files.js';
import { dir, file, opaque, whiteout } from '../../support/image-archives.js';
import { packed } from '../../support/tar.js';

const sha = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function image(): Promise<{
  manifest: ImageManifest;
  config: ImageConfig;
  blobs: Map<string, Uint8Array>;
  reads: string[];
}> {
  const tars = [
    await packed([dir('a'), file('a/x', 'x'), file('a/gone', 'g'), dir('o'), file('o/old', 'o')]),
    await packed([whiteout('a/gone'), file('a/x', 'new'), dir('o'), opaque('o'), file('o/new', 'n')]),
  ];
  const stored = tars.map((t) => gzipSync(t));
  const blobs = new Map(stored.map((b) => [sha(b), b]));
  const config: ImageConfig = {
    os: 'linux',
    architecture: 'amd64',
    rootfs: { type: 'layers', diff_ids: tars.map(sha) },
  };
  const manifest: ImageManifest = {
    schemaVersion: 2,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: 'sha256:' + '0'.repeat(64), size: 2 },
    layers: stored.map((b) => ({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: sha(b),
      size: b.length,
    })),
  };
  return { manifest, config, blobs, reads: [] };
}

describe('registryImageFiles', () => {
  it('merges the blobs as an archive\u2019s layers, each layer read as merging asks', async () => {
    const { manifest, config, blobs, reads } = await image();
    const files = registryImageFiles('reg.test/x:1', 'sha256:' + '1'.repeat(64), manifest, config, (digest) => {
      reads.push(digest);
      return (async function* () {
        yield blobs.get(digest)!;
      })();
    });
    expect(files.image.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(files.image.layers.map((l) => l.diffId)).toEqual(config.rootfs.diff_ids);
    const listed: Array<[string, number]> = [];
    for await (const f of files.files()) listed.push([f.path, f.layer.index]);
    expect(listed).toEqual([
      ['/a', 0],
      ['/o', 1],
      ['/a/x', 1],
      ['/o/new', 1],
    ]);
    expect(Buffer.from(await files.readFile('/a/x')).toString()).toBe('new');
    // listed once per layer; then the top layer again for the content
    expect(reads).toEqual([manifest.layers[0]!.digest, manifest.layers[1]!.digest, manifest.layers[1]!.digest]);
  });

  it('a manifest without layers, or with a layer that is not a descriptor, is ProtocolError', async () => {
    const { manifest, config } = await image();
    const none = (): AsyncIterable<Uint8Array> => (async function* () {})();
    expect(() => registryImageFiles('r', 'd', { ...manifest, layers: undefined } as never, config, none)).toThrow(
      ProtocolError,
    );
    expect(() => registryImageFiles('r', 'd', { ...manifest, layers: [null] } as never, config, none)).toThrow(
      /layer 0 of the manifest is not a descriptor/,
    );
  });
});
