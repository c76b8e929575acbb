// dockwire: the objects users hold, the Job classes, the errors and the types. The operations
// as functions over a client (docker-py's APIClient level), and the plumbing to make a client of
// your own, are `dockwire/api` (src/api.ts).

// the client and the objects it hands out
export { Docker, type DockerOptions } from './client.js';
export { ImageCollection, type BuildResult } from './models/image-collection.js';
export { Image, type ImageSaveOptions } from './models/image.js';
export { RegistryData } from './models/registry-data.js';

// jobs and progress
export { Job, type JobScope, type JobOptions } from './job.js';
export { ProgressJob, type ProgressState, type RetryPolicy } from './progress/job.js';
export type { ProgressTotals, LayerProgress } from './progress/totals.js';
export type { ProgressEvent } from './progress/events.js';
export type { BuildKitEvent, Vertex, VertexState } from './buildkit/status.js';

// errors
export * from './errors.js';

// the options and results of each call
export type { Cancellable } from './options.js';
export type { InspectOptions } from './images/inspect.js';
export type { ListOptions } from './images/list.js';
export type { HistoryOptions } from './images/history.js';
export type { RemoveOptions } from './images/remove.js';
export type { PruneOptions, PruneResult } from './images/prune.js';
export type { SearchOptions } from './images/search.js';
export type { DistributionOptions } from './images/distribution.js';
export type { PullOptions } from './images/pull.js';
export type { EnsureOptions, PullPolicy } from './images/ensure.js';
export type { PushOptions, PushResult, PushedTag } from './images/push.js';
export type { LoadOptions } from './images/load.js';
export type { SaveOptions } from './images/save.js';
export type { LoginOptions, LoginResult } from './images/login.js';
export type { BuildOptions, BuildKitOptions, ContainerLimits } from './images/build.js';
export type { PruneBuildsOptions, PruneBuildsResult } from './images/prune-builds.js';
export type { SecretSource } from './session/session.js';
export type { Filters, FilterValue } from './images/filters.js';
export type * from './images/types.js';
export type { PlatformSpec } from './platform.js';
export type { AuthConfig } from './credentials/auth-config.js';
export type { BinarySource } from './stream/body-source.js';

// what `docker.api` and `docker.credentials` are (their classes are in dockwire/api)
export type { EngineApi, CallOptions, EngineApiOptions, UpgradeOptions, VersionInfo } from './engine-api.js';
export type { Credentials } from './credentials/credentials.js';
export type { ConfigSource } from './credentials/config-file.js';
export type { Client } from './images/api-client.js';
export type { QueryValue, Repeated } from './http/request.js';
export type { Shape } from './shape.js';

// how requests reach the engine
export type {
  Transport,
  TransportRequest,
  TransportResponse,
  ResponseBody,
  RequestBody,
  UpgradeRequest,
  UpgradeResult,
} from './transport/types.js';
export type { TlsOptions } from './transport/socket-transport.js';
export type { SshOptions } from './transport/ssh.js';

// registries without an engine (the OCI distribution API: manifests, blobs, tags, referrers, copy)
export {
  Registry,
  type RegistryOptions,
  type RegistryCallOptions,
  type AttachBlob,
  type PlatformCallOptions,
  type TagsOptions,
  type ReferrersOptions,
  type BlobOptions,
  type BlobDescriptor,
  type ListBounds,
  type PushBlobOptions,
  type PushManifestOptions,
  type AttachOptions,
  type RegistryCopyOptions,
  type RegistrySaveOptions,
  type RegistryLoadOptions,
} from './registry/registry.js';
export type { AppendOptions, MutateOptions } from './registry/append.js';
export type {
  AppendLayer,
  PathLayer,
  FilesLayer,
  TarLayer,
  LayerFile,
  FileOwner,
  ConfigChanges,
  ImageOutput,
  FileOutput,
  StreamOutput,
  ImageChanges,
  AppendResult,
  AppendedPlatform,
} from './append/types.js';
export type { VerifyOptions, VerifyAttestationsOptions } from './registry/signatures.js';
export type { ImageTrustOptions, ImageVerification, AttestationVerification } from './signatures/verify.js';
export type { ArchiveVerifyOptions, ArchiveVerifyAttestationsOptions } from './image-archive/signatures.js';
export type { SignOptions, AttestOptions, SignResult, SigningCallOptions } from './registry/sign.js';
export type { KeySource } from './trust/signing-keys.js';
export type { Descriptor, ImageManifest, ImageIndex, Manifest, ManifestResult, ImageConfig } from './oci.js';

// BuildKit anywhere: its Control API over gRPC, on a buildkitd or on the engine's own BuildKit
export {
  BuildKit,
  type BuildKitClientOptions,
  type BuildKitPruneOptions,
  type BuildKitPruneResult,
} from './buildkit-client/buildkit.js';
export type { BuildKitBuildOptions, BuildKitResult } from './buildkit-client/solve.js';
export type { BuildKitOutput, CacheEntry, ArchiveDestination } from './buildkit-client/outputs.js';
export type { UsageRecord, WorkerRecord, WorkerPlatform, BuildkitVersion } from './buildkit/control.js';

// an image's files without running it: image archives (docker-archive, OCI layouts), merged layers
export {
  openImageArchive,
  ImageArchive,
  type OpenImageArchiveOptions,
  type ImageChoice,
} from './image-archive/archive.js';
export { fetchTrustedRoot } from './tuf/fetch-trusted-root.js';
export type { FetchTrustedRootOptions, TrustedRootDocument } from './tuf/trusted-root.js';
export type { FileEntry } from './image-archive/files.js';
export type { ExtractOptions, ExtractResult } from './image-archive/extract.js';
export type { ArchiveImage, LayerDescriptor } from './image-archive/source.js';
export type { TarHeader, TarType } from './tar/header.js';
export type { ImageFilesOptions } from './models/image.js';
export type { AttestationsOptions } from './images/attestations.js';

// supply-chain data: in-toto statements (provenance, SBOMs) from indexes, referrers and archives
export { ATTESTATION_LIMITS } from './attestations/limits.js';
export {
  PREDICATE_TYPES,
  type DecodedPredicate,
  type PredicateKind,
  type SlsaProvenanceV02,
  type SlsaProvenanceV1,
  type SlsaResourceDescriptor,
  type SpdxDocument,
  type CycloneDxBom,
  type CycloneDxComponent,
} from './attestations/predicates.js';
export type { Attestation, AttestationList, AttestationSource, SkippedAttestation } from './attestations/collect.js';
export type { RegistryAttestationsOptions } from './registry/attestations.js';
export type { ArchiveAttestationsOptions } from './image-archive/attestations.js';
export type { ArchiveReferrersOptions } from './image-archive/referrers.js';
export type { ArchiveValidation } from './image-archive/validate.js';

// trust: Sigstore bundles verified with a key or keyless, offline, over node:crypto alone
export { verifyBundle } from './trust/verify-bundle.js';
export type { VerifyBundleOptions, SignatureVerification } from './trust/verify.js';
export {
  parseTrustedRoot,
  type TrustedRoot,
  type TrustedLog,
  type TrustedAuthority,
  type ValidFor,
} from './trust/trusted-root.js';
