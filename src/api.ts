// dockwire/api: everything `dockwire` exports, plus the operations as functions over a client
// (docker-py's APIClient level: `(client, …options) → the engine's raw JSON or events`) and the
// plumbing to make a client of your own. One build makes both entries: they share one copy of
// every class, so `instanceof` holds across them.
export * from './index.js';

// the Engine API and the client's parts
export { EngineApi, MAX_API_VERSION, DEFAULT_API_VERSION } from './engine-api.js';
export { Credentials } from './credentials/credentials.js';
export { Repeated } from './http/request.js';

// the operations
export { inspectImage } from './images/inspect.js';
export { listImages } from './images/list.js';
export { imageHistory } from './images/history.js';
export { tagImage } from './images/tag.js';
export { removeImage } from './images/remove.js';
export { pruneImages } from './images/prune.js';
export { searchImages } from './images/search.js';
export { inspectDistribution } from './images/distribution.js';
export { pullImage, isTransientPullError } from './images/pull.js';
export { pushImage } from './images/push.js';
export { loadImages, type LoadResult } from './images/load.js';
export { saveImages } from './images/save.js';
export { login } from './images/login.js';
export { buildImage, type BuildOutput } from './images/build.js';
export { pruneBuilds } from './images/prune-builds.js';
export { imageAttestations } from './images/attestations.js';
export { parseReference, type Reference } from './reference.js';

// where the engine is, and how to reach it
export { SocketTransport, type SocketTransportOptions } from './transport/socket-transport.js';
export type { PoolOptions, PoolStats } from './transport/pool.js';
export type { ParserLimits } from './http/response.js';
export { parseAddress, type Address } from './transport/address.js';
export { resolveEndpoint, type Endpoint } from './endpoint.js';

// the registry client's limits and deadlines, its reference parser, and the tar reader's entry
export { DEFAULT_MAX_ENTRIES, DEFAULT_MAX_PAGES, MAX_RETRY_AFTER } from './registry/registry.js';
export { DEFAULT_HEADERS_TIMEOUT, DEFAULT_ENGINE_HEADERS_TIMEOUT } from './transport/deadline.js';
export { parseRegistryReference, type RegistryReference } from './registry/name.js';
export type { TarReadEntry } from './tar/reader.js';
