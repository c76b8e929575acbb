// What the merged view of an image reads from: the images a source holds, and each layer's blob
// as stored. An image archive (a docker-archive or an OCI layout) is one source; a registry can be
// another (its blobs streamed, digests checked), and the same merging then serves both.
import type { ImageConfig } from '../oci.js';
import type { Platform } from '../platform.js';
import type { RandomAccess } from '../tar/reader.js';

/** LayerDescriptor: one layer of an image, as its manifest names it. */
export interface LayerDescriptor {
  /** The blob's digest as stored (compressed for gzip and zstd layers). */
  digest: string;
  mediaType: string;
  /** The blob's size in bytes. */
  size: number;
  /** The digest of the uncompressed tar (the config's `rootfs.diff_ids`), when known. */
  diffId?: string;
}

/** ArchiveImage: one image (one platform of it) that a source holds. */
export interface ArchiveImage {
  /** The names it was saved under (`repo:tag`; in an OCI layout, also a tag alone, as oras, umoci and crane write one), if any. */
  names: string[];
  /** The manifest's digest (OCI layouts), or the config's, the image ID (docker-archive). */
  digest: string;
  platform: Platform | undefined;
  /** The image's config, field names as the image spec writes them. */
  config: ImageConfig;
  /** Bottom layer first. */
  layers: LayerDescriptor[];
}

/** A blob's bytes: random access where the source has it (a file, bytes in memory), else a stream read once. */
export type BlobBytes = RandomAccess | AsyncIterable<Uint8Array>;

/** ImageSource: images, and the bytes of their layers. */
export interface ImageSource {
  readonly images: readonly ArchiveImage[];
  /** The stored bytes of layer `index` of `image` (compressed or not); may be asked for more than once. */
  layer(image: ArchiveImage, index: number): Promise<BlobBytes>;
}
