// What registries send (OCI image and distribution specs, and Docker's schema 2), with the
// specs' own field names.
import type { Platform } from './platform.js';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
/** A docker-archive's layer (an uncompressed tar). */
export const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar';
/** An image's config, as OCI and as Docker's schema 2 name it. */
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
/** The OCI empty descriptor's media type (image spec 1.1: its content is `{}`). */
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';

/** The manifest types asked for (Accept), an index's first. */
export const MANIFEST_TYPES = [OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST] as const;

/** Descriptor: a pointer to content (OCI image spec, descriptor.md), as registries, engines (their OCIDescriptor) and layouts send it. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  /** The content itself, base64 (small content embedded in the descriptor). */
  data?: string;
  artifactType?: string;
  platform?: Platform;
}

/** ImageManifest: an image manifest, or an artifact manifest (OCI 1.1: artifactType, subject). */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** ImageIndex: an image index, or Docker's manifest list. */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** Manifest: an image manifest or an image index. */
export type Manifest = ImageManifest | ImageIndex;

/** ImageConfig: an image's configuration (OCI image spec, config.md), its fields as written. */
export interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
  created?: string;
  author?: string;
  config?: Record<string, unknown>;
  rootfs: { type: string; diff_ids: string[] };
  history?: Array<Record<string, unknown>>;
  [field: string]: unknown;
}

/** ManifestResult: what `manifest()` gives: the manifest, its exact bytes, and the descriptor they hash to. */
export interface ManifestResult {
  descriptor: Descriptor;
  manifest: Manifest;
  bytes: Uint8Array;
}

/** platformOf: the platform an image config names (os, architecture, variant, os.version), undefined without os and architecture. */
export function platformOf(config: ImageConfig): Platform | undefined {
  if (typeof config.os !== 'string' || typeof config.architecture !== 'string') return undefined;
  const platform: Platform = { os: config.os, architecture: config.architecture };
  if (typeof config.variant === 'string') platform.variant = config.variant;
  if (typeof config['os.version'] === 'string') platform['os.version'] = config['os.version'];
  return platform;
}

/** isIndex: true for an image index or a Docker manifest list. */
export function isIndex(manifest: Manifest, mediaType?: string): manifest is ImageIndex {
  const type = manifest.mediaType ?? mediaType;
  return (
    type === OCI_INDEX ||
    type === DOCKER_LIST ||
    (type === undefined && Array.isArray((manifest as ImageIndex).manifests))
  );
}
