// The images append and mutate make, from the base's (one per platform) and the layers measured:
// per platform a config (config.ts) and a manifest naming the base's layers and then the added
// ones (the same blobs for every platform), the base's name and digest as annotations; over them
// an index when the base was one (or `scratch` for several platforms). Pure: bytes and
// descriptors, nothing read or written.
import { InvalidArgument } from '../errors.js';
import {
  DOCKER_LIST,
  DOCKER_MANIFEST,
  OCI_INDEX,
  OCI_MANIFEST,
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
} from '../oci.js';
import { ociPlatform, parsePlatform, platformMatches, type Platform, type PlatformSpec } from '../platform.js';
import { mutateConfig, type AddedLayer } from './config.js';
import { layerMediaType, type LayerBlob } from './layer.js';
import { DOCKER_CONFIG, OCI_CONFIG, ociDescriptor } from './media-types.js';
import type { AppendedPlatform, ImageChanges } from './types.js';

/** BaseImage: one platform's image of the base: its manifest (none for scratch) and config. */
export interface BaseImage {
  platform: Platform;
  manifest: ImageManifest | undefined;
  config: ImageConfig;
}

/** BaseImages: what the base holds, as append needs it. */
export interface BaseImages {
  /** The base's reference, for `org.opencontainers.image.base.name` (none for scratch). */
  name: string | undefined;
  /** The digest the base resolved to, for `org.opencontainers.image.base.digest`. */
  digest: string | undefined;
  images: BaseImage[];
  /** True when the result is an index (the base was one, or scratch with several platforms). */
  index: boolean;
  /** True when the base's manifests are Docker schema 2 (kept so unless OCI types are asked for). */
  docker: boolean;
}

/** BuiltImage: one platform's new image: its manifest, config and every layer's descriptor. */
export interface BuiltImage {
  platform: Platform;
  manifest: ImageManifest;
  manifestBytes: Uint8Array;
  descriptor: Descriptor;
  configBytes: Uint8Array;
  configDescriptor: Descriptor;
}

/** BuiltImages: the images made, and the top manifest (the index, or the only image's manifest). */
export interface BuiltImages {
  images: BuiltImage[];
  top: { bytes: Uint8Array; descriptor: Descriptor };
}

const encoder = new TextEncoder();
const ATTESTATION = 'attestation-manifest';

/** The digest of `bytes` (sha256). */
export function digestOf(bytes: Uint8Array): string {
  return `sha256:${process.getBuiltinModule('node:crypto').createHash('sha256').update(bytes).digest('hex')}`;
}

function json(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** True for an index entry that is an image of a platform (attestations, unknown/unknown, are not). */
export function isPlatformImage(d: Descriptor): boolean {
  if (d.annotations?.['vnd.docker.reference.type'] === ATTESTATION) return false;
  return d.platform !== undefined && !(d.platform.os === 'unknown' && d.platform.architecture === 'unknown');
}

/** The platforms `wanted` (each checked, InvalidArgument naming `platforms[i]`) out of `have`; all of them when none is asked for. */
export function selectPlatforms<T extends { platform: Platform }>(
  have: readonly T[],
  wanted: readonly PlatformSpec[] | undefined,
): T[] {
  if (wanted === undefined) return [...have];
  if (!Array.isArray(wanted) || wanted.length === 0) throw new InvalidArgument('platforms must be a non-empty list');
  const out: T[] = [];
  wanted.forEach((spec, i) => {
    const want = parsePlatform(spec, `platforms[${i}]`);
    const found = have.find((h) => platformMatches(h.platform, want));
    const name = [want.os, want.architecture, want.variant].filter(Boolean).join('/');
    if (found === undefined)
      throw new InvalidArgument(
        `platforms[${i}]: the base has no ${name} image; it has ${have.map((h) => [h.platform.os, h.platform.architecture, h.platform.variant].filter(Boolean).join('/')).join(', ') || 'none'}`,
      );
    if (!out.includes(found)) out.push(found);
  });
  return out;
}

/** The platforms of `scratch`: `platforms` is required, each with an os and an architecture. */
export function scratchPlatforms(wanted: readonly PlatformSpec[] | undefined): Platform[] {
  if (!Array.isArray(wanted) || wanted.length === 0)
    throw new InvalidArgument(
      'platforms: scratch has no platform of its own; give one or more (platforms: ["linux/amd64"])',
    );
  return wanted.map((spec, i) => ociPlatform(spec, `platforms[${i}]`));
}

/** The images made: `added` layers (blobs shared by every platform) and `changes` over each base image. */
export function buildImages(
  base: BaseImages,
  added: readonly LayerBlob[],
  createdBy: readonly string[],
  changes: ImageChanges,
  oci: boolean,
): BuiltImages {
  const docker = base.docker && !oci && added.every((l) => l.compression === 'gzip');
  const annotations: Record<string, string> = {
    ...(base.name !== undefined ? { 'org.opencontainers.image.base.name': base.name } : {}),
    ...(base.digest !== undefined ? { 'org.opencontainers.image.base.digest': base.digest } : {}),
    ...(changes.annotations ?? {}),
  };
  const layers: Descriptor[] = added.map((l) => ({
    mediaType: layerMediaType(l.compression, !docker),
    digest: l.digest,
    size: l.size,
  }));
  const addedLayers: AddedLayer[] = added.map((l, i) => ({
    diffId: l.diffId,
    createdBy: createdBy[i] ?? 'dockwire append',
  }));
  const images = base.images.map((b): BuiltImage => {
    const config = mutateConfig(b.config, changes.config, addedLayers, changes.created);
    const configBytes = json(config);
    const configDescriptor: Descriptor = {
      mediaType: docker ? DOCKER_CONFIG : OCI_CONFIG,
      digest: digestOf(configBytes),
      size: configBytes.length,
    };
    const baseLayers = (b.manifest?.layers ?? []).map((d) => (docker ? { ...d } : ociDescriptor(d)));
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: docker ? DOCKER_MANIFEST : OCI_MANIFEST,
      config: configDescriptor,
      layers: [...baseLayers, ...layers],
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    };
    const manifestBytes = json(manifest);
    return {
      platform: b.platform,
      manifest,
      manifestBytes,
      descriptor: {
        mediaType: manifest.mediaType!,
        digest: digestOf(manifestBytes),
        size: manifestBytes.length,
        platform: b.platform,
      },
      configBytes,
      configDescriptor,
    };
  });
  if (!base.index) {
    const only = images[0]!;
    const { platform: _, ...descriptor } = only.descriptor;
    return { images, top: { bytes: only.manifestBytes, descriptor } };
  }
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: docker ? DOCKER_LIST : OCI_INDEX,
    manifests: images.map((i) => i.descriptor),
    ...(changes.annotations && !docker ? { annotations: changes.annotations } : {}),
  };
  const bytes = json(index);
  return {
    images,
    top: { bytes, descriptor: { mediaType: index.mediaType!, digest: digestOf(bytes), size: bytes.length } },
  };
}

/** AppendResult's platforms of `built`. */
export function appendedPlatforms(built: BuiltImages): AppendedPlatform[] {
  return built.images.map((i) => ({
    platform: i.platform,
    digest: i.descriptor.digest,
    config: i.configDescriptor.digest,
  }));
}
