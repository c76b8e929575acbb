// The base of an append or a mutate, read through the Registry's public calls: `scratch` (no
// layers, the platforms given), an image archive on disk (image-archive's reader), or a registry
// reference: a single image, or an index whose platform images are taken (attestations, the
// unknown/unknown entries, left out, since they no longer describe the result), or only the ones
// `platforms` names.
import { ContentHash } from '../digest.js';
import { ArchiveError, InvalidArgument } from '../errors.js';
import { archiveLayer, openImageArchive, type ImageArchive } from '../image-archive/archive.js';
import type { ArchiveImage } from '../image-archive/source.js';
import { isIndex, type Descriptor, type ImageIndex, type ImageManifest } from '../oci.js';
import type { Platform, PlatformSpec } from '../platform.js';
import { splitReference } from '../reference.js';
import type { RandomAccess } from '../tar/reader.js';
import { scratchConfig } from '../append/config.js';
import {
  isPlatformImage,
  scratchPlatforms,
  selectPlatforms,
  type BaseImage,
  type BaseImages,
} from '../append/images.js';
import { DOCKER_CONFIG, OCI_CONFIG, isDockerMediaType } from '../append/media-types.js';
import type { BlobReader } from '../append/outputs.js';
import type { Registry } from './registry.js';

/** CallOptions: what every registry call of an append is given. */
export interface BaseCall {
  authConfig?: import('../credentials/auth-config.js').AuthConfig;
  signal?: AbortSignal;
  timeout?: number;
}

/** ReadBase: the base's images, how to read its layers, and where they are. */
export interface ReadBase {
  base: BaseImages;
  read: BlobReader;
  /** The registry reference of the base (undefined for scratch and archives). */
  ref: string | undefined;
  /** The base's platform manifests (by digest) that the result uses. */
  children: Descriptor[];
  /** An archive opened for the base, closed when the append ends. */
  archive: ImageArchive | undefined;
}

const PIECE = 256 * 1024;

async function* pieces(access: RandomAccess): AsyncIterable<Uint8Array> {
  for (let at = 0; at < access.size; at += PIECE) yield await access.read(at, Math.min(PIECE, access.size - at));
}

/** A docker-archive layer's descriptor, from its stored bytes: their digest, and gzip or not by their magic number. */
async function measureStored(access: RandomAccess): Promise<Descriptor> {
  const hash = new ContentHash();
  let head: Uint8Array | undefined;
  for await (const piece of pieces(access)) {
    head ??= piece;
    hash.update(piece);
  }
  const gzip = head !== undefined && head[0] === 0x1f && head[1] === 0x8b;
  return {
    mediaType: gzip
      ? 'application/vnd.docker.image.rootfs.diff.tar.gzip'
      : 'application/vnd.docker.image.rootfs.diff.tar',
    digest: hash.digest(),
    size: access.size,
  };
}

/** True when `base` names a file rather than a registry reference: a path (`/`, `./`, `../`) or a name ending in `.tar`. */
export function isArchivePath(base: string): boolean {
  return base.startsWith('/') || base.startsWith('./') || base.startsWith('../') || base.endsWith('.tar');
}

const IMAGE_CONFIGS = new Set([OCI_CONFIG, DOCKER_CONFIG]);

function checkImage(manifest: ImageManifest, what: string): void {
  if (
    manifest.config === undefined ||
    !Array.isArray(manifest.layers) ||
    !IMAGE_CONFIGS.has(manifest.config.mediaType)
  ) {
    throw new InvalidArgument(
      `base: ${what} is not an image (its config is ${JSON.stringify(manifest.config?.mediaType ?? 'missing')})`,
    );
  }
}

function platformOfConfig(config: { os?: unknown; architecture?: unknown; variant?: unknown }): Platform {
  return {
    os: String(config.os ?? 'linux'),
    architecture: String(config.architecture ?? 'amd64'),
    ...(typeof config.variant === 'string' ? { variant: config.variant } : {}),
  };
}

async function fromArchive(path: string, platforms: PlatformSpec[] | undefined): Promise<ReadBase> {
  let archive: ImageArchive;
  try {
    archive = await openImageArchive(path);
  } catch (error) {
    if (error instanceof ArchiveError || error instanceof InvalidArgument)
      throw new InvalidArgument(`base: ${path} is not an image archive (${error.message})`);
    throw error;
  }
  try {
    const all = archive.images.map((image) => ({ image, platform: image.platform ?? platformOfConfig(image.config) }));
    const chosen = selectPlatforms(all, platforms);
    const where = new Map<string, { image: ArchiveImage; index: number }>();
    const docker = archive.format === 'docker-archive';
    const images: BaseImage[] = [];
    for (const { image, platform } of chosen) {
      const layers: Descriptor[] = [];
      for (const [index, l] of image.layers.entries()) {
        // a docker-archive names its layers by diff_id, yet may hold them compressed: measured here
        const layer = docker
          ? await measureStored(await archiveLayer(archive, image, index))
          : { mediaType: l.mediaType, digest: l.digest, size: l.size };
        where.set(layer.digest, { image, index });
        layers.push(layer);
      }
      images.push({
        platform,
        manifest: { schemaVersion: 2, config: { mediaType: OCI_CONFIG, digest: image.digest, size: 0 }, layers },
        config: image.config,
      });
    }
    const first = chosen[0]?.image;
    const base: BaseImages = {
      // (a full name: a layout's tag alone names no repository)
      name: first?.names.find((name) => name.includes(':') || name.includes('/')),
      digest: docker ? undefined : first?.digest,
      images,
      index: chosen.length > 1,
      docker,
    };
    const read: BlobReader = (d) =>
      (async function* () {
        const at = where.get(d.digest);
        if (at === undefined) throw new ArchiveError(`the base archive has no blob ${d.digest}`);
        yield* pieces(await archiveLayer(archive, at.image, at.index));
      })();
    return { base, read, ref: undefined, children: [], archive };
  } catch (error) {
    await archive.close();
    throw error;
  }
}

async function fromRegistry(
  registry: Registry,
  ref: string,
  platforms: PlatformSpec[] | undefined,
  call: BaseCall,
): Promise<ReadBase> {
  const top = await registry.manifest(ref, call);
  const repository = splitReference(ref).repository;
  const read: BlobReader = (d) => registry.blob(ref, d.digest, call);
  const docker = isDockerMediaType(top.descriptor.mediaType);
  const base = { name: ref, digest: top.descriptor.digest, docker };
  if (!isIndex(top.manifest, top.descriptor.mediaType)) {
    const manifest = top.manifest as ImageManifest;
    checkImage(manifest, ref);
    const config = await registry.config(ref, call);
    const [image] = selectPlatforms([{ platform: platformOfConfig(config), manifest, config }], platforms);
    return {
      base: { ...base, images: [image!], index: false },
      read,
      ref,
      children: [top.descriptor],
      archive: undefined,
    };
  }
  const entries = (top.manifest as ImageIndex).manifests.filter(isPlatformImage) as Array<
    Descriptor & { platform: Platform }
  >;
  const chosen = selectPlatforms(entries, platforms);
  const images: BaseImage[] = [];
  for (const child of chosen) {
    const at = `${repository}@${child.digest}`;
    const { manifest } = await registry.manifest(at, call);
    if (isIndex(manifest)) throw new InvalidArgument(`base: ${ref} holds a nested index (${child.digest}): not taken`);
    checkImage(manifest, `${ref} (${child.platform.os}/${child.platform.architecture})`);
    images.push({ platform: child.platform, manifest, config: await registry.config(at, call) });
  }
  // several platforms stay an index; one asked for by name is that platform's image, as copy gives it
  const index = !(platforms !== undefined && chosen.length === 1);
  return { base: { ...base, images, index }, read, ref, children: chosen, archive: undefined };
}

/** The base `base` names, its platforms narrowed to `platforms`; a base that is not an image is InvalidArgument naming `base`. */
export async function readBase(
  registry: Registry,
  base: string,
  platforms: PlatformSpec[] | undefined,
  call: BaseCall,
): Promise<ReadBase> {
  if (typeof base !== 'string' || base === '')
    throw new InvalidArgument('base must be a registry reference, "scratch", or an image archive\u2019s path');
  if (base === 'scratch') {
    const images = scratchPlatforms(platforms).map((platform) => ({
      platform,
      manifest: undefined,
      config: scratchConfig(platform),
    }));
    const read: BlobReader = () => {
      throw new InvalidArgument('scratch has no blobs');
    };
    return {
      base: { name: undefined, digest: undefined, images, index: images.length > 1, docker: false },
      read,
      ref: undefined,
      children: [],
      archive: undefined,
    };
  }
  if (isArchivePath(base)) return fromArchive(base, platforms);
  return fromRegistry(registry, base, platforms, call);
}
