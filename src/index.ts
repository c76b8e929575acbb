export { Docker, type DockerOptions, type VersionInfo } from './client.js';
export { EngineApi, MAX_API_VERSION, DEFAULT_API_VERSION, type CallOptions, type EngineApiOptions } from './engine-api.js';
export * from './errors.js';

// models: docker-py's high-level objects
export { Image } from './models/image.js';
export { ImageCollection } from './models/image-collection.js';
export { RegistryData, type EnginePlatform } from './models/registry-data.js';
export { parsePlatform, platformJson, platformPath, type PlatformParts, type PlatformSpec } from './platform.js';

// images/*: the low-level operations (docker-py's APIClient), raw engine JSON and events
export type { ApiClient } from './images/api-client.js';
/** @deprecated ImageContext is ApiClient's former name, kept for programs written against it. */
export type { ApiClient as ImageContext } from './images/api-client.js';
export { inspectImage, type InspectOptions } from './images/inspect.js';
export { listImages, type ListOptions } from './images/list.js';
export { imageHistory } from './images/history.js';
export { tagImage } from './images/tag.js';
export { removeImage, type RemoveOptions } from './images/remove.js';
export { pruneImages, type PruneResult } from './images/prune.js';
export { searchImages, type SearchOptions } from './images/search.js';
export { inspectDistribution } from './images/distribution.js';
export { pullImage, isTransientPullError, type PullOptions } from './images/pull.js';
export { ensureImage, EnsureFlights, type EnsureOptions, type PullPolicy } from './images/ensure.js';
export { pushImage, type PushOptions, type PushResult } from './images/push.js';
export { loadImages, type LoadOptions, type LoadResult } from './images/load.js';
export { saveImages, type SaveOptions, DEFAULT_CHUNK_SIZE } from './images/save.js';
export { login, type LoginOptions, type LoginResult } from './images/login.js';
export { BuildSession, type SecretSource, type SessionOptions } from './session/session.js';
export { buildImage, type BuildOptions, type BuildKitOptions, type BuildOutput, type ContainerLimits } from './images/build.js';
export { pruneBuilds, type PruneBuildsOptions, type PruneBuildsResult } from './images/prune-builds.js';
export { parseReference, type Reference } from './reference.js';
export type { Filters, FilterValue } from './images/filters.js';
export type * from './images/types.js';

// registry credentials
export { Credentials } from './credentials/credentials.js';
export { encodeAuthHeader, type AuthConfig } from './credentials/auth-config.js';

// build contexts (contextFromPath is docker-py's utils.tar: a folder, .dockerignore applied, as a tar stream)
export { contextFromPath, type BuildContext } from './build-context/archive.js';
export { walkContext, type WalkOptions } from './build-context/walk.js';
export { PatternMatcher } from './ignore/matcher.js';
export { parseIgnoreFile } from './ignore/ignore-file.js';
export { pack, type PackEntry } from './tar/packer.js';
export type { TarEntry, EntryType } from './tar/header.js';

// jobs, progress streams, BuildKit status
export { Job, mapJob, type JobScope } from './job.js';
/** @deprecated JobContext is JobScope's former name, kept for programs written against it. */
export type { JobScope as JobContext } from './job.js';
export type { ProgressJob } from './progress/job.js';
export { JsonLinesDecoder, type JsonLinesOptions } from './progress/json-lines.js';
export { ProgressTotals, type LayerProgress } from './progress/totals.js';
export type { ProgressEvent } from './progress/events.js';
export { BuildKitProgress, decodeTrace, decodeStatusResponse, type BuildKitEvent, type StatusResponse, type Vertex, type VertexState } from './buildkit/status.js';
export { readFields, readVarint, type Field } from './buildkit/protobuf.js';
export type { BinarySource } from './stream/body-source.js';

// where the engine is, and how to reach it
export { SocketTransport, type SocketTransportOptions, type TlsOptions } from './transport/socket-transport.js';
export { resolveEndpoint, type Endpoint } from './endpoint.js';
export { parseAddress, type Address } from './transport/address.js';
export type { SshOptions } from './transport/ssh.js';
export type { Transport, TransportRequest, TransportResponse, ResponseBody, RequestBody } from './transport/types.js';

// registries without an engine (the OCI distribution API: manifests, blobs, tags, referrers)
/** Registry: an OCI distribution client (resolve, manifest, config, platforms, blob, tags, referrers); `docker.registry` is one sharing the client's credentials. */
export { Registry, MAX_MANIFEST_SIZE, type RegistryOptions, type PlatformCallOptions, type TagsOptions, type ReferrersOptions, type BlobOptions, type PushBlobOptions, type PushManifestOptions, type AttachOptions, type RegistryCopyOptions } from './registry/registry.js';
/** Descriptor, manifests and image configs as registries send them (OCI image spec field names). */
export type { Descriptor, ImageManifest, ImageIndex, Manifest, ManifestResult, ImageConfig } from './oci.js';
/** parseChallenges: the challenges of a WWW-Authenticate field (RFC 7235). */
export { parseChallenges, type Challenge } from './registry/challenge.js';
/** parseRegistryReference: a reference as the docker CLI reads it, made into registry host, repository, tag and digest. */
export { parseRegistryReference, type RegistryReference } from './registry/name.js';

// BuildKit anywhere: BuildKit's Control API over gRPC, on a buildkitd or on the engine's own BuildKit
/** BuildKit: a client of BuildKit's Control API (builds, disk usage, prune, workers, info), on a buildkitd or an engine. */
export { BuildKit, type BuildKitClientOptions, type PruneOptions as BuildKitPruneOptions, type PruneResult as BuildKitPruneResult } from './buildkit-client/buildkit.js';
/** BuildKitBuildOptions: what buildkit.build takes; BuildKitResult: what its Job resolves to. */
export type { BuildKitBuildOptions, BuildKitResult } from './buildkit-client/solve.js';
/** BuildKitOutput: an image, a push, or an archive streamed back; CacheEntry: a cache import or export. */
export type { BuildKitOutput, CacheEntry, ArchiveDestination } from './buildkit-client/outputs.js';
/** UsageRecord, WorkerRecord, BuildkitVersion: what BuildKit reports, in its own field names. */
export type { UsageRecord, WorkerRecord, WorkerPlatform, BuildkitVersion } from './buildkit/control.js';
/** GrpcClient: gRPC calls over node:http2 (unary, streaming), as BuildKit's client uses them. */
export { GrpcClient, GrpcCall, type GrpcCallOptions, type GrpcClientOptions, type Metadata as GrpcMetadata } from './grpc/client.js';

// an image's files without running it: image archives (docker-archive, OCI layouts), merged layers, tar reading
/** openImageArchive: opens a `docker save` archive or an OCI image layout (a path, bytes or a stream) to read its images' files. */
export { openImageArchive } from './image-archive/archive.js';
/** ImageArchive: an opened image archive: its images, and each one's merged filesystem (files, readFile, export, extract). */
export { ImageArchive } from './image-archive/archive.js';
/** OpenImageArchiveOptions: how a stream is held while it is read (memoryLimit). */
export type { OpenImageArchiveOptions } from './image-archive/archive.js';
/** ImageChoice: which image of an archive (its platform, name or digest). */
export type { ImageChoice } from './image-archive/archive.js';
/** FileEntry: one path of an image's merged filesystem, with its layer and its content. */
export type { FileEntry } from './image-archive/files.js';
/** ExtractOptions: what extract makes beyond files, links and directories (devices). */
export type { ExtractOptions, ExtractResult } from './image-archive/extract.js';
/** ArchiveImage: one image an archive holds (names, digest, platform, config, layers). */
export type { ArchiveImage, LayerDescriptor } from './image-archive/source.js';
/** readTar: a streaming tar reader (ustar, pax, GNU long names, base-256); bodies streamed, hostile archives refused. */
export { readTar } from './tar/reader.js';
/** TarReadEntry: a tar entry's header and its streamed content. */
export type { TarReadEntry, TarHeader, TarType, RandomAccess } from './tar/reader.js';

// the image API to 1.55 (Docker 29): attestations
/** imageAttestations: GET /images/{name}/attestations, the in-toto statements attached to an image (API 1.55). */
export { imageAttestations } from './images/attestations.js';
/** AttestationsOptions: imageAttestations' and Image.attestations' options (platform, predicate type, statement). */
export type { AttestationsOptions } from './images/attestations.js';
