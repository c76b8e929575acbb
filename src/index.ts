export { Docker, type DockerOptions, type VersionInfo } from './client.js';
export { EngineApi, MAX_API_VERSION, DEFAULT_API_VERSION, type CallOptions, type EngineApiOptions } from './engine-api.js';
export * from './errors.js';
export { Job, type JobContext } from './stream/job.js';
export { JsonLinesDecoder, type JsonLinesOptions } from './stream/json-lines.js';
export { SocketTransport, type SocketTransportOptions } from './transport/socket-transport.js';
export { parseAddress, type Address } from './transport/address.js';
export type { Transport, TransportRequest, TransportResponse, ResponseBody, RequestBody } from './transport/types.js';
