// Every failure dockwire reports is one of these classes. Each carries a literal `code`
// (documented in README.md) so callers can switch on it without instanceof across realms.
// Messages never contain credentials: callers pass only names, paths and daemon messages.

/** ErrorCode: every error class's literal `code`. */
export type ErrorCode =
  | 'ERR_DOCKER'
  | 'ERR_DOCKER_API'
  | 'ERR_DOCKER_NOT_FOUND'
  | 'ERR_DOCKER_IMAGE_NOT_FOUND'
  | 'ERR_DOCKER_NOT_IMPLEMENTED'
  | 'ERR_DOCKER_BUILD'
  | 'ERR_DOCKER_IMAGE_LOAD'
  | 'ERR_DOCKER_STREAM'
  | 'ERR_DOCKER_INVALID_ARGUMENT'
  | 'ERR_DOCKER_INVALID_VERSION'
  | 'ERR_DOCKER_CONNECTION'
  | 'ERR_DOCKER_TIMEOUT'
  | 'ERR_DOCKER_PROTOCOL'
  | 'ERR_DOCKER_ABORTED'
  | 'ERR_DOCKER_CONTEXT'
  | 'ERR_DOCKER_CLIENT_CLOSED'
  | 'ERR_DOCKER_DIGEST_MISMATCH'
  | 'ERR_DOCKER_REGISTRY'
  | 'ERR_DOCKER_MANIFEST_NOT_FOUND'
  | 'ERR_DOCKER_GRPC'
  | 'ERR_DOCKER_ARCHIVE'
  | 'ERR_DOCKER_UNSUPPORTED_MEDIA_TYPE'
  | 'ERR_DOCKER_FILE_NOT_FOUND'
  | 'ERR_DOCKER_VERIFICATION'
  | 'ERR_DOCKER_CONFIG'
  | 'ERR_DOCKER_PLATFORMS_UNKNOWN';

/** DockerError: the base of every error dockwire reports; `code` says which class it is. */
export class DockerError extends Error {
  /** Which class of error this is: a literal per class, documented in the README. */
  readonly code: ErrorCode = 'ERR_DOCKER';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** APIError: the engine answered with a non-2xx status. */
export class APIError extends DockerError {
  override readonly code:
    'ERR_DOCKER_API' | 'ERR_DOCKER_NOT_FOUND' | 'ERR_DOCKER_IMAGE_NOT_FOUND' | 'ERR_DOCKER_NOT_IMPLEMENTED' =
    'ERR_DOCKER_API';
  /** The HTTP status. */
  readonly statusCode: number;
  /** The daemon's own message (its JSON `message` field, or the body text). */
  readonly explanation: string;
  constructor(statusCode: number, explanation: string, context?: string) {
    super(`${context ? `${context}: ` : ''}${statusCode} ${explanation}`.trim());
    this.statusCode = statusCode;
    this.explanation = explanation;
  }
  /** True for a 4xx status. */
  get isClientError(): boolean {
    return this.statusCode >= 400 && this.statusCode < 500;
  }
  /** True for a 5xx status. */
  get isServerError(): boolean {
    return this.statusCode >= 500;
  }
}

/** NotFound: the engine answered 404. */
export class NotFound extends APIError {
  override readonly code: 'ERR_DOCKER_NOT_FOUND' | 'ERR_DOCKER_IMAGE_NOT_FOUND' = 'ERR_DOCKER_NOT_FOUND';
}

/** ImageNotFound: no such image (or platform of it) on the engine. */
export class ImageNotFound extends NotFound {
  override readonly code: 'ERR_DOCKER_IMAGE_NOT_FOUND' = 'ERR_DOCKER_IMAGE_NOT_FOUND';
}

/**
 * NotImplemented: the engine answered 501, it cannot do this at all (attestations on an engine
 * whose image store is a graph driver).
 */
export class NotImplemented extends APIError {
  override readonly code: 'ERR_DOCKER_NOT_IMPLEMENTED' = 'ERR_DOCKER_NOT_IMPLEMENTED';
}

/** StreamError: an error line (`errorDetail` / `error`) inside a 200 progress stream. */
export class StreamError extends DockerError {
  override readonly code: 'ERR_DOCKER_STREAM' = 'ERR_DOCKER_STREAM';
  /** The daemon's `errorDetail.code`, when it sent one. */
  readonly daemonCode: number | undefined;
  /** The events received before the error line, the error line last. */
  log: unknown[];
  constructor(message: string, daemonCode?: number, log: unknown[] = []) {
    super(message);
    this.daemonCode = daemonCode;
    this.log = log;
  }
}

/** BuildError: a build failed (a step's error, or no image at the end); `log` holds its events. */
export class BuildError extends DockerError {
  override readonly code: 'ERR_DOCKER_BUILD' = 'ERR_DOCKER_BUILD';
  /** Why: the engine's message, naming the failed step when BuildKit said which. */
  readonly reason: string;
  /** The build's events up to the failure. */
  readonly log: unknown[];
  constructor(reason: string, log: unknown[]) {
    super(reason);
    this.reason = reason;
    this.log = log;
  }
}

/** ImageLoadError: the engine refused an image archive (an error line, or an error status kept as `cause`). */
export class ImageLoadError extends DockerError {
  override readonly code: 'ERR_DOCKER_IMAGE_LOAD' = 'ERR_DOCKER_IMAGE_LOAD';
  /** The load's events up to the failure. */
  readonly log: unknown[];
  constructor(message: string, log: unknown[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.log = log;
  }
}

/** InvalidArgument: bad input, refused before any byte was sent. */
export class InvalidArgument extends DockerError {
  override readonly code: 'ERR_DOCKER_INVALID_ARGUMENT' = 'ERR_DOCKER_INVALID_ARGUMENT';
}

/** InvalidVersion: an API version that is not `auto` or `major.minor`. */
export class InvalidVersion extends DockerError {
  override readonly code: 'ERR_DOCKER_INVALID_VERSION' = 'ERR_DOCKER_INVALID_VERSION';
}

/** ConnectionError: the engine could not be reached, or the connection broke. */
export class ConnectionError extends DockerError {
  override readonly code: 'ERR_DOCKER_CONNECTION' = 'ERR_DOCKER_CONNECTION';
}

/** TimeoutError: no progress (a byte sent or received) for longer than the call's timeout. */
export class TimeoutError extends DockerError {
  override readonly code: 'ERR_DOCKER_TIMEOUT' = 'ERR_DOCKER_TIMEOUT';
  /** Which limit fired (see TimeoutKind). */
  readonly kind: TimeoutKind;
  constructor(message: string, options?: { cause?: unknown; kind?: TimeoutKind }) {
    super(message, options);
    this.kind = options?.kind ?? 'deadline';
  }
}

/**
 * TimeoutKind: which limit a TimeoutError is: `headers` (the whole response head did not arrive
 * within `headersTimeout`, however it trickled), `inactivity` (no byte for `timeout` ms),
 * `deadline` (the whole call took longer than its `deadline`), `connect` (a connection, its TLS or
 * its tunnel was not set up in time).
 */
export type TimeoutKind = 'headers' | 'inactivity' | 'deadline' | 'connect';

/** ProtocolError: the peer broke HTTP/1.1 framing, or sent something dockwire refuses to parse. */
export class ProtocolError extends DockerError {
  override readonly code: 'ERR_DOCKER_PROTOCOL' = 'ERR_DOCKER_PROTOCOL';
}

/** AbortError: the call was cancelled (its signal aborted, or `job.cancel()`). */
export class AbortError extends DockerError {
  override readonly code: 'ERR_DOCKER_ABORTED' = 'ERR_DOCKER_ABORTED';
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** ContextError: a build context could not be read or archived faithfully (unreadable file, file changed while packing). */
export class ContextError extends DockerError {
  override readonly code: 'ERR_DOCKER_CONTEXT' = 'ERR_DOCKER_CONTEXT';
}

/** ClientClosed: a request on a client (or transport) after close(). */
export class ClientClosed extends DockerError {
  override readonly code: 'ERR_DOCKER_CLIENT_CLOSED' = 'ERR_DOCKER_CLIENT_CLOSED';
  constructor(message = 'the client is closed') {
    super(message);
  }
}

/** DigestMismatch: content that does not hash to the digest it was asked for or announced with. */
export class DigestMismatch extends DockerError {
  override readonly code: 'ERR_DOCKER_DIGEST_MISMATCH' = 'ERR_DOCKER_DIGEST_MISMATCH';
  /** The digest the content should have had. */
  readonly expected: string;
  /** The digest it had. */
  readonly actual: string;
  constructor(what: string, expected: string, actual: string) {
    super(`${what}: content hashes to ${actual}, not ${expected}`);
    this.expected = expected;
    this.actual = actual;
  }
}

/** RegistryErrorEntry: one entry of a registry's error answer (OCI distribution spec: `errors[]`). */
export interface RegistryErrorEntry {
  code: string;
  message?: string;
  detail?: unknown;
}

/** RegistryError: a registry refused a request; `registryCode` is its first `errors[].code` (`DENIED`, `UNAUTHORIZED`, ...). */
export class RegistryError extends DockerError {
  override readonly code: 'ERR_DOCKER_REGISTRY' | 'ERR_DOCKER_MANIFEST_NOT_FOUND' = 'ERR_DOCKER_REGISTRY';
  /** The HTTP status. */
  readonly statusCode: number;
  /** The registry's first `errors[].code`, or undefined when it sent none. */
  readonly registryCode: string | undefined;
  /** Every entry of the registry's `errors[]`. */
  readonly errors: RegistryErrorEntry[];
  constructor(context: string, statusCode: number, errors: RegistryErrorEntry[]) {
    const first = errors[0];
    super(`${context}: ${statusCode}${first ? ` ${first.code}${first.message ? `: ${first.message}` : ''}` : ''}`);
    this.statusCode = statusCode;
    this.registryCode = first?.code;
    this.errors = errors;
  }
}

/**
 * ManifestNotFound: a registry has no such manifest (it answered 404 for a tag or digest), or an
 * index holds none for the platform asked (then `statusCode` is 404 and `registryCode` is
 * `MANIFEST_UNKNOWN`, as a registry would say). A `RegistryError`, so a caller that handles every
 * registry refusal still catches it.
 */
export class ManifestNotFound extends RegistryError {
  override readonly code: 'ERR_DOCKER_MANIFEST_NOT_FOUND' = 'ERR_DOCKER_MANIFEST_NOT_FOUND';
}

/** GrpcError: a gRPC call that ended with a status other than OK (and not one of the statuses mapped to AbortError, TimeoutError or ConnectionError). */
export class GrpcError extends DockerError {
  override readonly code: 'ERR_DOCKER_GRPC' = 'ERR_DOCKER_GRPC';
  /** The gRPC status code (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
  readonly status: number;
  /** The status's name (`NOT_FOUND`). */
  readonly statusName: string;
  /** The full method name the call was made to (`/moby.buildkit.v1.Control/Solve`). */
  readonly method: string;
  /** The peer's own message (`grpc-message`). */
  readonly grpcMessage: string;
  constructor(method: string, status: number, statusName: string, grpcMessage: string) {
    super(`${method}: ${statusName}: ${grpcMessage || 'no message'}`);
    this.status = status;
    this.statusName = statusName;
    this.method = method;
    this.grpcMessage = grpcMessage;
  }
}

/**
 * ArchiveError: a tar archive or an image archive that is malformed or hostile (a bad checksum, a
 * size no archive can have, a truncated archive, a missing blob, an entry that would escape).
 */
export class ArchiveError extends DockerError {
  override readonly code: 'ERR_DOCKER_ARCHIVE' = 'ERR_DOCKER_ARCHIVE';
  /** Where in the (uncompressed) archive the fault is, in bytes from its start, when it has a place. */
  readonly offset: number | undefined;
  /** The entry's name, when the fault is one entry's. */
  readonly entry: string | undefined;
  constructor(message: string, details: { offset?: number; entry?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.offset = details.offset;
    this.entry = details.entry;
  }
}

/** UnsupportedMediaType: content this runtime cannot decode (a zstd layer where node:zlib has no zstd). */
export class UnsupportedMediaType extends DockerError {
  override readonly code: 'ERR_DOCKER_UNSUPPORTED_MEDIA_TYPE' = 'ERR_DOCKER_UNSUPPORTED_MEDIA_TYPE';
  readonly mediaType: string;
  /** The runtime and its version, as `node v20.19.0`. */
  readonly runtime: string;
  constructor(mediaType: string, runtime: string, needs: string) {
    super(`${mediaType}: ${runtime} cannot decode it (${needs})`);
    this.mediaType = mediaType;
    this.runtime = runtime;
  }
}

/** FileNotFound: a path an image does not have. */
export class FileNotFound extends DockerError {
  override readonly code: 'ERR_DOCKER_FILE_NOT_FOUND' = 'ERR_DOCKER_FILE_NOT_FOUND';
  readonly path: string;
  constructor(path: string, why = 'no such file in the image') {
    super(`${path}: ${why}`);
    this.path = path;
  }
}

/**
 * VerificationError: a signature, attestation, Sigstore bundle or TUF metadata that does not verify.
 * `reasons` holds one line per thing tried (a signature, a bundle, a role) and why it was refused.
 */
export class VerificationError extends DockerError {
  override readonly code: 'ERR_DOCKER_VERIFICATION' = 'ERR_DOCKER_VERIFICATION';
  /** Why each signature, bundle or role tried was refused, one line each. */
  readonly reasons: readonly string[];
  constructor(message: string, reasons: readonly string[] = [message], options?: { cause?: unknown }) {
    super(reasons.length > 1 || reasons[0] !== message ? `${message}: ${reasons.join('; ')}` : message, options);
    this.reasons = reasons;
  }
}

/**
 * ConfigError: a configuration file (hosts.toml, registries.conf, a certs.d folder) that cannot be
 * read or parsed, or whose entry refuses what was asked (a blocked registry). `file` names it;
 * `line` and `column` (1-based) say where, when the fault is at a place in it.
 */
export class ConfigError extends DockerError {
  override readonly code: 'ERR_DOCKER_CONFIG' = 'ERR_DOCKER_CONFIG';
  /** What is wrong, without the place. */
  readonly reason: string;
  /** The file, when one is known. */
  readonly file: string | undefined;
  /** The line of the fault (1-based), when it is at a place in the file. */
  readonly line: number | undefined;
  /** The column of the fault (1-based, in characters), when it is at a place in the file. */
  readonly column: number | undefined;
  constructor(
    reason: string,
    place: { file?: string | undefined; line?: number | undefined; column?: number | undefined } = {},
    options?: { cause?: unknown },
  ) {
    const at = place.line === undefined ? '' : `line ${place.line}, column ${place.column ?? 1}: `;
    super(`${place.file === undefined ? '' : `${place.file}: `}${at}${reason}`, options);
    this.reason = reason;
    this.file = place.file;
    this.line = place.line;
    this.column = place.column;
  }
}

/**
 * PlatformsUnknown: a question about an image's platforms that cannot be answered: the engine sent
 * none and the registry could not be asked. `cause` is why the registry could not be asked, when it
 * was tried.
 */
export class PlatformsUnknown extends DockerError {
  override readonly code: 'ERR_DOCKER_PLATFORMS_UNKNOWN' = 'ERR_DOCKER_PLATFORMS_UNKNOWN';
  /** The image the question was about. */
  readonly imageName: string;
  constructor(imageName: string, why: string, options?: { cause?: unknown }) {
    super(`${imageName}: its platforms are unknown: ${why}`, options);
    this.imageName = imageName;
  }
}

/**
 * AnyDockerError: every error class dockwire throws, as a union, so that a `switch` on `code`
 * narrows to the class that carries it (`case 'ERR_DOCKER_BUILD': error.log`).
 */
export type AnyDockerError =
  // (a base class's `code` also admits its subclasses' codes: each member here is the class with
  // its own code alone, so that a case of the switch is one class)
  | (APIError & { readonly code: 'ERR_DOCKER_API' })
  | (NotFound & { readonly code: 'ERR_DOCKER_NOT_FOUND' })
  | ImageNotFound
  | NotImplemented
  | StreamError
  | BuildError
  | ImageLoadError
  | InvalidArgument
  | InvalidVersion
  | ConnectionError
  | TimeoutError
  | ProtocolError
  | AbortError
  | ContextError
  | ClientClosed
  | DigestMismatch
  | (RegistryError & { readonly code: 'ERR_DOCKER_REGISTRY' })
  | ManifestNotFound
  | GrpcError
  | ArchiveError
  | UnsupportedMediaType
  | FileNotFound
  | VerificationError
  | ConfigError
  | PlatformsUnknown;

/** isDockerError: true for any error dockwire throws, typed as the union its `code` narrows. */
export function isDockerError(error: unknown): error is AnyDockerError {
  return error instanceof DockerError;
}
