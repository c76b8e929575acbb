// imageArchive.validate: every layer of an archive's images read whole and checked, as `crane
// validate` checks an image, since reading at offsets (files, export) checks sizes but cannot check
// a digest. An OCI layout's layer against the digest its manifest gives (the stored bytes); a
// docker-archive's, which has no digest of its own, against its config's diff_id (the tar, its
// compression undone). Manifests and configs were checked when the archive was opened.
import { ArchiveError } from '../errors.js';
import { DigestVerifier } from '../digest.js';
import { isRandomAccess, type RandomAccess } from '../tar/reader.js';
import { accessChunks } from './access.js';
import { layerTar } from './decompress.js';
import type { ArchiveImage } from './source.js';

/** ArchiveValidation: what `imageArchive.validate` checked. */
export interface ArchiveValidation {
  /** The images whose layers were read. */
  images: number;
  /** The layers read and checked (one shared by several images counts once). */
  layers: number;
  /** The bytes hashed. */
  bytes: number;
}

const PIECE = 1024 * 1024;

/** Reads and checks every layer of `images` (`format` the archive's), each through `layer`; DigestMismatch naming the layer when one is not what its digest says. */
export async function validateImages(
  images: readonly ArchiveImage[],
  format: 'docker-archive' | 'oci',
  layer: (image: ArchiveImage, index: number) => Promise<RandomAccess>,
): Promise<ArchiveValidation> {
  const seen = new Set<string>();
  let bytes = 0;
  for (const image of images) {
    for (const [index, descriptor] of image.layers.entries()) {
      const expected = format === 'oci' ? descriptor.digest : descriptor.diffId;
      const what = `layer ${index} of ${image.digest}`;
      if (expected === undefined || expected === '')
        throw new ArchiveError(`${what} has no diff_id in its config to check it against`);
      if (seen.has(expected)) continue;
      seen.add(expected);
      const stored = await layer(image, index);
      const verifier = new DigestVerifier(expected, `the digest of ${what}`);
      const content = format === 'oci' ? stored : await layerTar(stored, descriptor.mediaType, what);
      for await (const chunk of isRandomAccess(content) ? accessChunks(content, PIECE) : content) {
        verifier.update(chunk);
        bytes += chunk.length;
      }
      verifier.verify(what);
    }
  }
  return { images: images.length, layers: seen.size, bytes };
}
