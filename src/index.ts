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

// the image API to 1.55 (Docker 29): attestations
/** imageAttestations: GET /images/{name}/attestations, the in-toto statements attached to an image (API 1.55). */
export { imageAttestations } from './images/attestations.js';
/** AttestationsOptions: imageAttestations' and Image.attestations' options (platform, predicate type, statement). */
export type { AttestationsOptions } from './images/attestations.js';
