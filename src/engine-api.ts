// The Engine API over a Transport: version prefix (negotiated once, lazily), query encoding, and
// the mapping of non-2xx answers to APIError / NotFound with the daemon's own message.
// images/* are functions over it.
import { APIError, InvalidArgument, InvalidVersion, NotFound } from './errors.js';
import { encodeQuery, type QueryValue } from './http/request.js';
import { checkOptions, optionNames, SIGNAL_ONLY, type Cancellable } from './options.js';
import { checkShape, object, string, type Shape } from './shape.js';
import type { Duplex } from 'node:stream';
import type { Transport, TransportRequest, TransportResponse } from './transport/types.js';
import { DEFAULT_ENGINE_HEADERS_TIMEOUT, callDeadline } from './transport/deadline.js';
import { deadlineBody } from './transport/deadline-stream.js';

/** MAX_API_VERSION: the newest Engine API version dockwire knows; `auto` never negotiates above it. */
export const MAX_API_VERSION = '1.55';
/** DEFAULT_API_VERSION: the version used when the engine does not say which it speaks. */
export const DEFAULT_API_VERSION = '1.41';

/** CallOptions: one Engine API request's options, the transport request's with the query as an object. */
export interface CallOptions extends Pick<
  TransportRequest,
  'headers' | 'body' | 'bodyLength' | 'signal' | 'timeout' | 'bodyTimeout' | 'headersTimeout' | 'borrowBody'
> {
  /** The query parameters, encoded by `encodeQuery` (objects as JSON, booleans as 1/0). */
  query?: Record<string, QueryValue>;
  /** Maps a 404 to a more specific error (e.g. ImageNotFound). */
  notFound?: (explanation: string) => APIError;
  /** The whole request's deadline, in ms, its body read included (a streamed body until it ends): then TimeoutError, kind `deadline` (default none). */
  deadline?: number;
}

const CALL_NAMES: { [K in keyof Required<CallOptions>]: true } = {
  headers: true,
  body: true,
  bodyLength: true,
  signal: true,
  timeout: true,
  bodyTimeout: true,
  headersTimeout: true,
  borrowBody: true,
  query: true,
  notFound: true,
  deadline: true,
};
const CALL_OPTIONS = optionNames<CallOptions>(CALL_NAMES);

/** EngineApiOptions: the options of `new EngineApi(transport, options)`. */
export interface EngineApiOptions {
  /** `auto` (default) or an explicit `major.minor`. */
  version?: string;
  /** Default inactivity timeout for calls, in ms (default 60 s; 0 = none). */
  timeout?: number;
  /** Default whole-head deadline of calls: ms from the request sent to the response head received, however it trickles (default 30 s; 0 = none). */
  headersTimeout?: number;
}

const ENGINE_API_OPTIONS = optionNames<EngineApiOptions>({ version: true, timeout: true, headersTimeout: true });

/** UpgradeOptions: the options of `EngineApi.upgrade`. */
export interface UpgradeOptions extends Cancellable {
  /** Header fields to send; a field given several values is sent once per value. */
  headers?: Record<string, string | readonly string[]>;
  /** Milliseconds without progress before TimeoutError (default: the EngineApi's). */
  timeout?: number;
}

const UPGRADE_OPTIONS = optionNames<UpgradeOptions>({ headers: true, timeout: true, signal: true });

/** VersionInfo: the engine's answer to GET /version, with the engine's field names. */
export interface VersionInfo {
  /** The engine's release (`29.0.0`). */
  Version: string;
  /** The newest API version it speaks. */
  ApiVersion: string;
  /** The oldest API version it speaks. */
  MinAPIVersion?: string;
  /** Its operating system (`linux`). */
  Os: string;
  /** Its architecture (`amd64`). */
  Arch: string;
  [key: string]: unknown;
}

const versionAnswer = object<VersionInfo>({ Version: string, ApiVersion: string, Os: string, Arch: string });

/** compareVersions: negative, zero or positive as API version `a` is older than, the same as, or newer than `b`. */
export function compareVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}

const JSON_OPTIONS = optionNames<CallOptions & { shape?: Shape<unknown> }>({ ...CALL_NAMES, shape: true });
const VERSION = /^[0-9]+\.[0-9]+$/;
const MAX_ERROR_BODY = 64 * 1024;

/**
 * EngineApi: the Engine API over a Transport: versioned requests (the version negotiated once),
 * non-2xx answers as APIError / NotFound with the engine's message, JSON answers checked.
 * `docker.api` is one; the operations of `dockwire/api` send through it.
 */
export class EngineApi {
  /** The transport the requests go through. */
  readonly transport: Transport;
  /** The default inactivity timeout of a call, in ms. */
  readonly timeout: number;
  /** The default whole-head deadline of a call, in ms. */
  readonly headersTimeout: number;
  readonly #requested: string;
  #version: Promise<string> | undefined;
  /** The version once known: requests then start without waiting a tick for it. */
  #known: string | undefined;

  /** Makes an Engine API client over `transport`; throws InvalidArgument or InvalidVersion on bad options. */
  constructor(transport: Transport, options: EngineApiOptions = {}) {
    checkOptions('new EngineApi', options, ENGINE_API_OPTIONS);
    const version = options.version ?? 'auto';
    if (version !== 'auto' && !VERSION.test(version)) {
      throw new InvalidVersion(`API version must be "auto" or major.minor, got ${JSON.stringify(version)}`);
    }
    this.transport = transport;
    this.timeout = options.timeout ?? 60_000;
    this.headersTimeout = options.headersTimeout ?? DEFAULT_ENGINE_HEADERS_TIMEOUT;
    for (const name of ['timeout', 'headersTimeout'] as const) {
      const value = options[name];
      if (value !== undefined && !(Number.isFinite(value) && value >= 0))
        throw new InvalidArgument(`${name} must be a number of ms (0 for none)`);
    }
    this.#requested = version;
    if (version !== 'auto') {
      this.#version = Promise.resolve(version);
      this.#known = version;
    }
  }

  /**
   * True when a request body's chunks may share memory: the transport is done with each chunk
   * before it asks for the next (Transport.releasesChunks), so a reader can refill one buffer.
   */
  get bodyChunksReusable(): boolean {
    return this.transport.releasesChunks === true;
  }

  /** The API version in use; with `auto`, asks the engine once (GET /_ping) and caches it. */
  apiVersion(): Promise<string> {
    if (!this.#version) {
      const negotiation = this.#negotiate();
      this.#version = negotiation;
      // a failed negotiation is retried by the next call rather than cached
      negotiation.catch(() => {
        if (this.#version === negotiation) this.#version = undefined;
      });
    }
    return this.#version;
  }

  /**
   * Refuses, with InvalidArgument naming the version it needs, an option the negotiated API
   * version lacks: an older engine ignores a parameter it does not know (a 1.41 engine asked to
   * save one platform saves them all), so the request must not be sent at all.
   */
  async requireVersion(minimum: string, option: string): Promise<void> {
    const version = this.#known ?? (await this.apiVersion());
    if (compareVersions(version, minimum) < 0) {
      throw new InvalidArgument(`${option} needs API ${minimum}; the engine and dockwire speak ${version}`);
    }
  }

  async #negotiate(): Promise<string> {
    const response = await this.#send('GET', '/_ping', {});
    await response.body.dump();
    const offered = response.headers['api-version'];
    const version =
      !offered || !VERSION.test(offered)
        ? DEFAULT_API_VERSION
        : compareVersions(offered, MAX_API_VERSION) > 0
          ? MAX_API_VERSION
          : offered;
    this.#known = version;
    return version;
  }

  /** Sends a versioned request; resolves on 2xx, rejects with APIError (or NotFound) otherwise. */
  request(method: string, path: string, options: CallOptions = {}): Promise<TransportResponse> {
    try {
      checkOptions(`${method} ${path}`, options, CALL_OPTIONS);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#versioned(method, path, options);
  }

  #versioned(method: string, path: string, options: CallOptions): Promise<TransportResponse> {
    // (not async: once the version is known, no extra promise between the caller and the wire)
    const known = this.#known;
    if (known !== undefined) return this.#send(method, `/v${known}${path}`, options);
    return this.apiVersion().then((version) => this.#send(method, `/v${version}${path}`, options));
  }

  /**
   * A request whose 2xx answer is JSON; with `shape`, checked to have it (a ProtocolError naming
   * `method path` and what was wrong, otherwise).
   */
  async json<T>(method: string, path: string, options: CallOptions & { shape?: Shape<T> } = {}): Promise<T> {
    checkOptions(`${method} ${path}`, options, JSON_OPTIONS);
    const response = await this.#versioned(method, path, options);
    const value = await response.body.json<unknown>();
    return options.shape ? checkShape(value, options.shape, `${method} ${path}`) : (value as T);
  }

  /** A request whose 2xx answer carries nothing we need. */
  async call(method: string, path: string, options: CallOptions = {}): Promise<void> {
    const response = await this.request(method, path, options);
    await response.body.dump();
  }

  /** An unversioned request (/_ping, /version work without a prefix). */
  async #send(method: string, path: string, options: CallOptions): Promise<TransportResponse> {
    const request: TransportRequest = {
      method,
      path: path + encodeQuery(options.query),
      timeout: options.timeout ?? this.timeout,
    };
    request.headersTimeout = options.headersTimeout ?? this.headersTimeout;
    if (options.bodyTimeout !== undefined) request.bodyTimeout = options.bodyTimeout;
    if (options.headers) request.headers = options.headers;
    if (options.body !== undefined) request.body = options.body;
    if (options.bodyLength !== undefined) request.bodyLength = options.bodyLength;
    const deadline =
      options.deadline === undefined ? undefined : callDeadline(options.deadline, `${method} ${path}`, options.signal);
    if (deadline) request.signal = deadline.signal;
    else if (options.signal) request.signal = options.signal;
    if (options.borrowBody) request.borrowBody = true;
    try {
      const response = await this.transport.request(request);
      if (response.statusCode >= 200 && response.statusCode < 300)
        // the deadline covers the body the call hands back, and ends with it
        return deadline ? { ...response, body: deadlineBody(response.body, deadline) } : response;
      throw await refusal(response, options);
    } catch (error) {
      deadline?.clear();
      throw error;
    }
  }

  /** True when the transport can hand a connection over to another protocol (see upgrade). */
  get canUpgrade(): boolean {
    return typeof this.transport.upgrade === 'function';
  }

  /**
   * A versioned POST that hands its connection over to another protocol (`POST /session`: HTTP/2
   * for a BuildKit session). Resolves to the connection on 101; any other answer is an APIError
   * (NotFound on 404, as from an engine without sessions).
   */
  async upgrade(path: string, options: UpgradeOptions = {}): Promise<Duplex> {
    checkOptions(`POST ${path} (upgrade)`, options, UPGRADE_OPTIONS);
    if (!this.transport.upgrade)
      throw new InvalidArgument('this transport cannot hand a connection over to another protocol (it has no upgrade)');
    const version = this.#known ?? (await this.apiVersion());
    const result = await this.transport.upgrade({
      method: 'POST',
      path: `/v${version}${path}`,
      headers: { Connection: 'Upgrade', ...options.headers },
      timeout: options.timeout ?? this.timeout,
      signal: options.signal,
    });
    if (result.statusCode === 101 && result.socket) return result.socket;
    const explanation =
      messageOf(new TextDecoder().decode(result.body.subarray(0, MAX_ERROR_BODY)).trim()) || result.statusMessage;
    if (result.statusCode === 404) throw new NotFound(404, explanation);
    throw new APIError(result.statusCode, explanation || 'the engine did not switch protocols');
  }

  /** True when the engine answers GET /_ping with OK (unversioned: it works before negotiation). */
  async ping(options: Cancellable = {}): Promise<boolean> {
    checkOptions('ping', options, SIGNAL_ONLY);
    const response = await this.#send('GET', '/_ping', options);
    return (await response.body.text()) === 'OK';
  }

  /** GET /version: the engine's release, API versions and platform. */
  async version(options: Cancellable = {}): Promise<VersionInfo> {
    checkOptions('version', options, SIGNAL_ONLY);
    return this.json('GET', '/version', { shape: versionAnswer, signal: options.signal });
  }
}

/** The error a non-2xx `response` is: NotFound (or the call's own) on 404, else APIError; its body read. */
async function refusal(response: TransportResponse, options: CallOptions): Promise<APIError> {
  const explanation = await readErrorMessage(response);
  if (response.statusCode === 404)
    return options.notFound ? options.notFound(explanation) : new NotFound(404, explanation);
  return new APIError(response.statusCode, explanation);
}

/** The daemon's `{"message": ...}` or the body's text, bounded; the connection is left clean. */
async function readErrorMessage(response: TransportResponse): Promise<string> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const part of response.body) {
    if (size < MAX_ERROR_BODY) {
      parts.push(part);
      size += part.length;
    }
  }
  const text = new TextDecoder().decode(Buffer.concat(parts).subarray(0, MAX_ERROR_BODY)).trim();
  return messageOf(text) || response.statusMessage;
}

/** The daemon's `message` from a JSON error body, or the text itself. */
function messageOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: use the text itself
  }
  return text;
}
