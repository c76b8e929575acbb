// The engine's own shapes for images, typed with the engine's field names (as docker-py keeps
// them), open to fields newer engines add.
import type { InTotoStatement } from '../attestations/statement.js';

export type { InTotoStatement };
import type { Platform } from '../platform.js';
import type { Descriptor } from '../oci.js';

export type { Platform };

/**
 * ImageAttrs: GET /images/{name}/json. From API 1.52 the engine leaves out `Parent`, `Comment`,
 * `DockerVersion` and `Author` when empty, and each of `Config`'s fields when unset.
 */
export interface ImageAttrs {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Parent?: string;
  Comment?: string;
  Created?: string;
  DockerVersion?: string;
  Author?: string;
  Architecture?: string;
  Variant?: string;
  Os?: string;
  Size?: number;
  Config?: {
    Labels?: Record<string, string> | null;
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
    Env?: string[] | null;
    [key: string]: unknown;
  } | null;
  /** Where the image came from, as the engine verified it (API 1.53). */
  Identity?: ImageIdentity | null;
  /** Empty (`{}`) for a platform's manifest whose config is not here (seen: Docker 29.7, inspect with `platform`). */
  RootFS?: { Type?: string; Layers?: string[] };
  /** The OCI descriptor of the image's target (API 1.48, an engine with the containerd image store). */
  Descriptor?: Descriptor;
  /** The index's manifests, when asked for (`manifests: true`, API 1.48). */
  Manifests?: ImageManifestSummary[] | null;
  [key: string]: unknown;
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
  /** For an image manifest: its platform, the containers using it (null when none: Docker 28.5 and 29 send null), its unpacked size. */
  ImageData?: {
    Platform: Platform;
    Containers?: string[] | null;
    Size: { Unpacked: number };
    Identity?: ImageIdentity | null;
  } | null;
  /** For an attestation manifest: the digest of the image manifest it is for. */
  AttestationData?: { For: string } | null;
}

/**
 * ImageIdentity: the engine's `Identity`, what it verified of an image's origin (API 1.53 in
 * inspect; API 1.54 in list's manifest summaries, asked for with `identity`).
 */
export interface ImageIdentity {
  /** The image's verified signatures. */
  Signature?: SignatureIdentity[] | null;
  /** The repositories it was pulled from (or pushed to). */
  Pull?: PullIdentity[] | null;
  /** The builds that made it. */
  Build?: BuildIdentity[] | null;
  [key: string]: unknown;
}

/** BuildIdentity: a build that made the image (its BuildKit history reference, when it ran). */
export interface BuildIdentity {
  Ref?: string;
  CreatedAt?: string;
  [key: string]: unknown;
}

/** PullIdentity: a repository the image was pulled from (the original one when pulled through a mirror). */
export interface PullIdentity {
  Repository?: string;
  [key: string]: unknown;
}

/** SignatureIdentity: one verified (or failed: `Error`) signature of the image. */
export interface SignatureIdentity {
  Name?: string;
  Timestamps?: Array<{ Type?: 'Tlog' | 'TimestampAuthority' | (string & {}); URI?: string; Timestamp?: string }> | null;
  KnownSigner?: 'DHI' | (string & {});
  DockerReference?: string;
  /** The signing certificate's fields (`CertificateIssuer`, `SubjectAlternativeName`, `Issuer`, `SourceRepositoryURI`...). */
  Signer?: Record<string, string> | null;
  SignatureType?: 'bundle-v0.3' | 'simplesigning-v1' | (string & {});
  Error?: string;
  Warnings?: string[] | null;
  [key: string]: unknown;
}

/**
 * AttestationStatement: one in-toto statement attached to an image (GET
 * /images/{name}/attestations, API 1.55): the statement layer's descriptor, its predicate type,
 * and, when asked for, the statement itself, decoded.
 */
export interface AttestationStatement {
  Descriptor: Descriptor;
  PredicateType: string;
  /** The in-toto statement (`_type`, `subject`, `predicateType`, `predicate`); only with `statement: true`. */
  Statement?: InTotoStatement;
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
