// Every failure dockwire reports is one of these classes. Each carries a literal `code`
// (documented in README.md) so callers can switch on it without instanceof across realms.
// Messages never contain credentials: callers pass only names, paths and daemon messages.

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
  | 'ERR_DOCKER_DIGEST_MISMATCH';

/** DockerError: the base of every error dockwire reports; `code` says which class it is. */
export class DockerError extends Error {
  readonly code: ErrorCode = 'ERR_DOCKER';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The engine answered with a non-2xx status. */
export class APIError extends DockerError {
  override readonly code: 'ERR_DOCKER_API' | 'ERR_DOCKER_NOT_FOUND' | 'ERR_DOCKER_IMAGE_NOT_FOUND' | 'ERR_DOCKER_NOT_IMPLEMENTED' = 'ERR_DOCKER_API';
  readonly statusCode: number;
  /** The daemon's own message (its JSON `message` field, or the body text). */
  readonly explanation: string;
  constructor(statusCode: number, explanation: string, context?: string) {
    super(`${context ? `${context}: ` : ''}${statusCode} ${explanation}`.trim());
    this.statusCode = statusCode;
    this.explanation = explanation;
  }
  get isClientError(): boolean {
    return this.statusCode >= 400 && this.statusCode < 500;
  }
  get isServerError(): boolean {
    return this.statusCode >= 500;
  }
}

export class NotFound extends APIError {
  override readonly code: 'ERR_DOCKER_NOT_FOUND' | 'ERR_DOCKER_IMAGE_NOT_FOUND' = 'ERR_DOCKER_NOT_FOUND';
}

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

/** An error line (`errorDetail` / `error`) inside a 200 progress stream. */
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

export class BuildError extends DockerError {
  override readonly code: 'ERR_DOCKER_BUILD' = 'ERR_DOCKER_BUILD';
  readonly reason: string;
  readonly buildLog: unknown[];
  constructor(reason: string, buildLog: unknown[]) {
    super(reason);
    this.reason = reason;
    this.buildLog = buildLog;
  }
}

export class ImageLoadError extends DockerError {
  override readonly code: 'ERR_DOCKER_IMAGE_LOAD' = 'ERR_DOCKER_IMAGE_LOAD';
  readonly log: unknown[];
  constructor(message: string, log: unknown[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.log = log;
  }
}

/** Bad input, refused before any byte was sent. */
export class InvalidArgument extends DockerError {
  override readonly code: 'ERR_DOCKER_INVALID_ARGUMENT' = 'ERR_DOCKER_INVALID_ARGUMENT';
}

export class InvalidVersion extends DockerError {
  override readonly code: 'ERR_DOCKER_INVALID_VERSION' = 'ERR_DOCKER_INVALID_VERSION';
}

/** The engine could not be reached, or the connection broke. */
export class ConnectionError extends DockerError {
  override readonly code: 'ERR_DOCKER_CONNECTION' = 'ERR_DOCKER_CONNECTION';
}

export class TimeoutError extends DockerError {
  override readonly code: 'ERR_DOCKER_TIMEOUT' = 'ERR_DOCKER_TIMEOUT';
}

/** The peer broke HTTP/1.1 framing (or sent something we refuse to parse). */
export class ProtocolError extends DockerError {
  override readonly code: 'ERR_DOCKER_PROTOCOL' = 'ERR_DOCKER_PROTOCOL';
}

export class AbortError extends DockerError {
  override readonly code: 'ERR_DOCKER_ABORTED' = 'ERR_DOCKER_ABORTED';
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A build context could not be read or archived faithfully (unreadable file, file changed while packing). */
export class ContextError extends DockerError {
  override readonly code: 'ERR_DOCKER_CONTEXT' = 'ERR_DOCKER_CONTEXT';
}

/** A request on a client (or transport) after close(). */
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

/**
 * AnyDockerError: every error class dockwire throws, as a union, so that a `switch` on `code`
 * narrows to the class that carries it (`case 'ERR_DOCKER_BUILD': error.buildLog`).
 */
export type AnyDockerError =
  | APIError
  | NotFound
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
  | DigestMismatch;

/** isDockerError: true for any error dockwire throws, typed as the union its `code` narrows. */
export function isDockerError(error: unknown): error is AnyDockerError {
  return error instanceof DockerError;
}
