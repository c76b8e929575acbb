// The engine's own shapes for images, typed with the engine's field names (as docker-py keeps
// them), open to fields newer engines add.
import type { Platform } from '../platform.js';

export type { Platform };

/** ImageAttrs: an image's inspect data (GET /images/{name}/json), with the engine's field names. */
export interface ImageAttrs {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Parent?: string;
  Comment?: string;
  Created?: string;
  Author?: string;
  Architecture?: string;
  Variant?: string;
  Os?: string;
  Size?: number;
  Config?: { Labels?: Record<string, string> | null; Cmd?: string[] | null; Entrypoint?: string[] | null; Env?: string[] | null; [key: string]: unknown } | null;
  RootFS?: { Type: string; Layers?: string[] };
  /** The OCI descriptor of the image's target (API 1.48, an engine with the containerd image store). */
  Descriptor?: Descriptor;
  /** The index's manifests, when asked for (`manifests: true`, API 1.48). */
  Manifests?: ImageManifestSummary[] | null;
  [key: string]: unknown;
}

/** Descriptor: an OCI content descriptor (the engine's OCIDescriptor). */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[] | null;
  annotations?: Record<string, string> | null;
  data?: string | null;
  platform?: Platform | null;
  artifactType?: string | null;
}

/** ImageManifestSummary: one manifest of an image index, as the engine summarises it (API 1.47). */
export interface ImageManifestSummary {
  /** The manifest's digest, the platform-specific image's ID. */
  ID: string;
  Descriptor: Descriptor;
  /** Whether all of its content (config, layers) is present locally. */
  Available: boolean;
  Size: { Total: number; Content: number };
  Kind: 'image' | 'attestation' | 'unknown';
  /** For an image manifest: its platform, the containers using it, its unpacked size. */
  ImageData?: { Platform: Platform; Containers: string[]; Size: { Unpacked: number } } | null;
  /** For an attestation manifest: the digest of the image manifest it is for. */
  AttestationData?: { For: string } | null;
}

/** ImageSummary: one image of GET /images/json, with the engine's field names. */
export interface ImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  Created: number;
  Size: number;
  SharedSize: number;
  VirtualSize?: number;
  Labels: Record<string, string> | null;
  Containers: number;
  /** API 1.48, an engine with the containerd image store. */
  Descriptor?: Descriptor;
  /** When asked for (`manifests: true`, API 1.47). */
  Manifests?: ImageManifestSummary[] | null;
  [key: string]: unknown;
}

/** HistoryEntry: one layer of an image's history and the step that made it, with the engine's field names. */
export interface HistoryEntry {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
  [key: string]: unknown;
}

/** DeleteResponseItem: one name untagged or one image deleted by a remove or prune. */
export interface DeleteResponseItem {
  Untagged?: string;
  Deleted?: string;
}

/** SearchResult: one result of a registry search, with Docker's field names. */
export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
  [key: string]: unknown;
}

/** DistributionInspect: the engine's answer to GET /distribution/{name}/json. */
export interface DistributionInspect {
  Descriptor: Descriptor;
  /**
   * The platforms of a multi-platform index, or of a single image whose config the engine read;
   * null when the engine did not say (seen: a single OCI image manifest, on Docker 20.10 and 28).
   */
  Platforms: Platform[] | null;
}
