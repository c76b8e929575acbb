// One request to a registry, with everything around it: the Authorization its origin asked for
// (learned from the first 401's challenge, then sent up front), a token per scope from the cache,
// 429 and 5xx tried again through the RetryPolicy (a 429 after its Retry-After), and redirects
// followed a bounded number of hops, the Authorization left behind when they leave the origin.
import type { AuthConfig } from '../credentials/auth-config.js';
import { ConnectionError, ProtocolError, RegistryError } from '../errors.js';
import { abortError } from '../transport/deadline.js';
import type { RetryPolicy } from '../progress/job.js';
import { OriginTransport, originKey, splitUrl, type Origin } from '../transport/origin.js';
import type { TransportRequest, TransportResponse } from '../transport/types.js';
import { codeForStatus, readBounded, registryErrors } from './answer.js';
import { basicAuthorization, fetchToken, whoIs } from './auth.js';
import { parseChallenges, type Challenge } from './challenge.js';
import { TokenCache } from './token-cache.js';
import { MAX_RETRY_AFTER } from './bounds.js';

/** Most redirects followed for one request (Go's net/http stops after 10; registries use one). */
export const MAX_REDIRECTS = 5;
const ERROR_BODY_LIMIT = 64 * 1024;

export interface RegistryRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path and query on the registry's origin. */
  path: string;
  headers?: Record<string, string>;
  /** What the token must allow: `repository:NAME:pull` and the like. */
  scopes: string[];
  signal?: AbortSignal;
  timeout: number;
  /** The whole-head deadline of each response (TransportRequest.headersTimeout). */
  headersTimeout: number;
  /** Follow 3xx answers (blob downloads: to storage or a CDN, often another origin). */
  followRedirects?: boolean;
  /** The caller copies each body chunk before it asks for the next (TransportRequest.borrowBody). */
  borrowBody?: boolean;
  /** Statuses handed back to the caller as they are (a 404 the caller reads as "none"). */
  pass?: readonly number[];
  body?: TransportRequest['body'];
  bodyLength?: number;
  /** Not tried again after a 429, a 5xx or a broken connection (a mirror with another endpoint after it). */
  once?: boolean;
}

export interface Target {
  /** How credentials name the registry (`docker.io`, `host:port`). */
  registry: string;
  origin: Origin;
}

export interface RequesterOptions {
  transport: OriginTransport;
  /** The credentials for a registry (call's, login memory, config.json); called only when a challenge needs them. */
  credentials: (registry: string) => Promise<AuthConfig | undefined>;
  retry: RetryPolicy;
  tokens?: TokenCache;
  /** Whether a Bearer challenge's realm may be asked for a token (RegistryOptions.allowRealm). */
  allowRealm?: (realm: URL) => boolean | Promise<boolean>;
}

/** What an origin asked for last (so that the next request sends it up front). */
type Scheme = { kind: 'basic' } | { kind: 'bearer'; challenge: Challenge };

export class Requester {
  readonly transport: OriginTransport;
  readonly tokens: TokenCache;
  readonly #credentials: RequesterOptions['credentials'];
  readonly #retry: RetryPolicy;
  readonly #allowRealm: RequesterOptions['allowRealm'];
  readonly #schemes = new Map<string, Scheme>();
  /**
   * The registries (`host:port`) that answered a referrers API request with 404: they have no
   * such API (OCI distribution 1.1: one that has it never answers 404), so their referrers are
   * read from the fallback tag at once.
   */
  readonly withoutReferrersApi = new Set<string>();
  /**
   * The blobs this client is putting into a repository (`host/repository@digest`: a HEAD, a mount
   * or an upload), so that copies running at once put each once: two links of one blob at once
   * can hide it from a manifest put between them (distribution's filesystem links are rewritten
   * in place).
   */
  readonly puttingBlobs = new Map<string, Promise<void>>();

  constructor(options: RequesterOptions) {
    this.transport = options.transport;
    this.#credentials = options.credentials;
    this.#retry = options.retry;
    this.#allowRealm = options.allowRealm;
    this.tokens = options.tokens ?? new TokenCache();
  }

  /**
   * Sends `request` to `target`, and answers the response once it is a 2xx (or a status in
   * `pass`); any other answer is read and thrown as RegistryError carrying the registry's
   * `errors[].code` (the caller maps a 404 it expects through `pass`).
   */
  async send(
    target: Target,
    request: RegistryRequest,
    what: string,
    explicit?: AuthConfig,
  ): Promise<TransportResponse> {
    // a streamed body cannot be sent twice
    const replayable =
      !request.once &&
      (request.body === undefined || typeof request.body === 'string' || request.body instanceof Uint8Array);
    for (let tries = 1; ; tries++) {
      let response: TransportResponse;
      try {
        response = await this.#authorized(target, request, explicit);
      } catch (error) {
        if (await this.#again(error, tries, request.signal, undefined, replayable)) continue;
        throw error;
      }
      const status = response.statusCode;
      if ((status >= 200 && status < 300) || request.pass?.includes(status)) return response;
      const body = await readBounded(response.body, ERROR_BODY_LIMIT, `the registry's error answer to ${what}`).catch(
        () => new Uint8Array(),
      );
      const error = new RegistryError(what, status, registryErrors(body, codeForStatus(status)));
      const retryAfter = status === 429 ? response.headers['retry-after'] : undefined;
      if (
        (status === 429 || status >= 500) &&
        (await this.#again(error, tries, request.signal, retryAfter, replayable))
      )
        continue;
      throw error;
    }
  }

  /** Waits before try `tries + 1` when the policy allows it; false to give up. */
  async #again(
    error: unknown,
    tries: number,
    signal: AbortSignal | undefined,
    retryAfter: string | undefined,
    replayable: boolean,
  ): Promise<boolean> {
    if (tries > this.#retry.retries || signal?.aborted || !this.#retry.transient(error) || !replayable) return false;
    let wait = this.#retry.delay(tries);
    if (retryAfter !== undefined) {
      const seconds = /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) * 1000 : Date.parse(retryAfter) - Date.now();
      if (!Number.isFinite(seconds) || seconds > MAX_RETRY_AFTER) return false;
      wait = Math.max(wait, seconds);
    }
    await sleep(wait, signal);
    return true;
  }

  /** The request with the Authorization its origin wants, once more after a 401 with a fresh one; redirects followed. */
  async #authorized(
    target: Target,
    request: RegistryRequest,
    explicit: AuthConfig | undefined,
  ): Promise<TransportResponse> {
    const key = originKey(target.origin);
    let auth: AuthConfig | undefined;
    let authLoaded = false;
    const credentials = async (): Promise<AuthConfig | undefined> => {
      if (!authLoaded) {
        auth = explicit ?? (await this.#credentials(target.registry));
        authLoaded = true;
      }
      return auth;
    };
    let refreshed = false;
    for (;;) {
      const scheme = this.#schemes.get(key);
      const authorization = scheme
        ? await this.#authorization(scheme, target, request, await credentials())
        : undefined;
      const response = await this.#follow(target.origin, request, authorization);
      if (response.statusCode !== 401 || refreshed) return response;
      const header = response.headers['www-authenticate'];
      if (header === undefined) return response;
      await response.body.dump().catch(() => undefined);
      const challenges = parseChallenges(header);
      const bearer = challenges.find((c) => c.scheme === 'bearer');
      const basic = challenges.find((c) => c.scheme === 'basic');
      const next: Scheme | undefined = bearer
        ? { kind: 'bearer', challenge: bearer }
        : basic
          ? { kind: 'basic' }
          : undefined;
      if (!next) {
        const offered = challenges.map((c) => c.scheme).join(', ') || 'none';
        throw new RegistryError(
          `${request.method} ${target.registry}: no supported authentication scheme (${offered})`,
          401,
          [{ code: 'UNAUTHORIZED' }],
        );
      }
      // a token the registry no longer takes (revoked, or its scope grew) is fetched afresh once
      if (scheme?.kind === 'bearer') this.tokens.delete(tokenKey(key, request.scopes, await credentials()));
      refreshed = true;
      if (next.kind === 'basic' && basicAuthorization(await credentials()) === undefined) {
        // nothing to answer Basic with: the registry's own 401 is the answer
        return this.#follow(target.origin, request, undefined);
      }
      // remembered only once it has worked, so that a challenge we cannot meet is not sent again
      await this.#authorization(next, target, request, await credentials());
      this.#schemes.set(key, next);
    }
  }

  async #authorization(
    scheme: Scheme,
    target: Target,
    request: RegistryRequest,
    auth: AuthConfig | undefined,
  ): Promise<string | undefined> {
    if (scheme.kind === 'basic') return basicAuthorization(auth);
    if (auth?.registrytoken) return `Bearer ${auth.registrytoken}`;
    const key = tokenKey(originKey(target.origin), request.scopes, auth);
    const token = await this.tokens.obtain(key, () =>
      fetchToken((origin, r) => this.transport.request(origin, r), {
        challenge: scheme.challenge,
        scopes: request.scopes,
        auth,
        timeout: request.timeout,
        headersTimeout: request.headersTimeout,
        ...(this.#allowRealm ? { allowRealm: this.#allowRealm } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      }),
    );
    return `Bearer ${token}`;
  }

  /** Sends on `origin`, following redirects when asked; the Authorization stays with `origin`. */
  async #follow(
    origin: Origin,
    request: RegistryRequest,
    authorization: string | undefined,
  ): Promise<TransportResponse> {
    let where = origin;
    let path = request.path;
    let method = request.method;
    for (let hops = 0; ; hops++) {
      const sameOrigin = originKey(where) === originKey(origin);
      const headers = {
        ...request.headers,
        ...(authorization !== undefined && sameOrigin ? { Authorization: authorization } : {}),
      };
      const response = await this.transport.request(where, {
        method,
        path,
        headers,
        timeout: request.timeout,
        headersTimeout: request.headersTimeout,
        ...(request.signal ? { signal: request.signal } : {}),
        ...(request.body !== undefined && hops === 0 ? { body: request.body } : {}),
        ...(request.bodyLength !== undefined && hops === 0 ? { bodyLength: request.bodyLength } : {}),
        ...(request.borrowBody ? { borrowBody: true } : {}),
      });
      const status = response.statusCode;
      if (!request.followRedirects || ![301, 302, 303, 307, 308].includes(status)) return response;
      const location = response.headers['location'];
      if (location === undefined) return response;
      await response.body.dump().catch(() => undefined);
      if (hops + 1 > MAX_REDIRECTS)
        throw new ProtocolError(
          `more than ${MAX_REDIRECTS} redirects for ${request.method} ${request.path.split('?')[0]}`,
        );
      const next = splitUrl(new URL(location, `${originKey(where)}${path}`).href);
      // RFC 9110 §15.4.4: a 303 is followed with GET
      if (status === 303 && method !== 'HEAD') method = 'GET';
      where = next.origin;
      path = next.path;
    }
  }
}

function tokenKey(origin: string, scopes: string[], auth: AuthConfig | undefined): string {
  return `${origin} ${scopes.slice().sort().join(' ')} ${whoIs(auth)}`;
}

/** The RetryPolicy registry calls use unless given one: three more tries on 429, 5xx and broken connections. */
export const DEFAULT_RETRY: RetryPolicy = {
  retries: 3,
  transient: (error) =>
    (error instanceof RegistryError && (error.statusCode === 429 || error.statusCode >= 500)) ||
    error instanceof ConnectionError,
  delay: (n) => 250 * 2 ** (n - 1),
};

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal.reason));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
