// An image in a registry, read file by file: the archive reader's merged view (ImageFiles) over a
// source whose layers are the registry's blobs, streamed and checked against their digests as the
// merging reads them, never written to disk.
import { ProtocolError } from '../errors.js';
import { ImageFiles } from '../image-archive/files.js';
import type { ArchiveImage, ImageSource, LayerDescriptor } from '../image-archive/source.js';
import { sizeOf } from './repository.js';
import { platformOf, type Descriptor, type ImageConfig, type ImageManifest } from '../oci.js';

/** registryImageFiles: the merged filesystem of the image `manifest` describes, its layers read with `blob`. */
export function registryImageFiles(
  name: string,
  digest: string,
  manifest: ImageManifest,
  config: ImageConfig,
  blob: (digest: string, size: number | undefined) => AsyncIterable<Uint8Array>,
): ImageFiles {
  if (!Array.isArray(manifest.layers)) throw new ProtocolError(`${name}: the manifest has no layers`);
  const diffIds = Array.isArray(config.rootfs?.diff_ids) ? config.rootfs.diff_ids : [];
  const layers = manifest.layers.map((layer: Descriptor, index): LayerDescriptor => {
    if (
      layer === null ||
      typeof layer !== 'object' ||
      typeof layer.digest !== 'string' ||
      typeof layer.mediaType !== 'string'
    ) {
      throw new ProtocolError(`${name}: layer ${index} of the manifest is not a descriptor`);
    }
    const diffId = diffIds[index];
    return {
      digest: layer.digest,
      mediaType: layer.mediaType,
      size: layer.size,
      ...(typeof diffId === 'string' ? { diffId } : {}),
    };
  });
  const image: ArchiveImage = { names: [name], digest, platform: platformOf(config), config, layers };
  const source: ImageSource = {
    images: [image],
    // each call is a fresh download: merging lists a layer once, then reads content from it again
    layer: async (_image, index) => blob(layers[index]!.digest, sizeOf(layers[index]!)),
  };
  return new ImageFiles(source, image);
}
