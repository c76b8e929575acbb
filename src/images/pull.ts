import { encodeAuthHeader, type AuthConfig } from '../credentials/auth-config.js';
import { APIError, ConnectionError, InvalidArgument, StreamError } from '../errors.js';
import type { ProgressEvent } from '../progress/events.js';
import type { ApiClient } from './api-client.js';
import { platformPath, type PlatformSpec } from '../platform.js';
import { progressJob, type ProgressJob } from '../progress/job.js';
import { checkTag, parseReference, registryOf } from '../reference.js';

export interface PullOptions {
  /** A tag or a digest; may also come inside the repository (`name:tag`, `name@sha256:...`). */
  tag?: string;
  /** Pull every tag of the repository. */
  allTags?: boolean;
  authConfig?: AuthConfig;
  /** `'os[/arch[/variant]]'` or `{ os, architecture, variant }`. */
  platform?: PlatformSpec;
  /**
   * Tries after a failure that may pass (default 0): the registry's rate limit (429,
   * `toomanyrequests`), a server error (5xx), a connection reset. Never after 401, 403, 404 or
   * `manifest unknown`. Each waits longer than the one before (exponential, with jitter).
   */
  retries?: number;
  /** Inactivity timeout in ms once progress streams (default: none). */
  timeout?: number;
  signal?: AbortSignal;
}

export interface PullTarget {
  repository: string;
  /** The tag or digest pulled; undefined when every tag is pulled. */
  tag: string | undefined;
}

/** Works out what a pull asks for: a tag inside `repository`, `options.tag`, or `latest`. */
export function pullTarget(repository: string, options: PullOptions = {}): PullTarget {
  const ref = parseReference(repository, 'repository');
  const inline = ref.digest ?? ref.tag;
  if (options.tag !== undefined) {
    checkTag(options.tag, 'tag');
    if (inline !== undefined && inline !== options.tag) {
      throw new InvalidArgument(`repository ${JSON.stringify(repository)} already names a tag or digest; leave out options.tag`);
    }
  }
  if (options.allTags) {
    if (inline !== undefined || options.tag !== undefined) throw new InvalidArgument('allTags cannot be combined with a tag or digest');
    return { repository: ref.repository, tag: undefined };
  }
  return { repository: ref.repository, tag: options.tag ?? inline ?? 'latest' };
}

/** POST /images/create?fromImage=: the low-level pull, a Job of the engine's events. */
export function pullImage(ctx: ApiClient, repository: string, options: PullOptions = {}): ProgressJob<ProgressEvent[]> {
  const target = pullTarget(repository, options);
  return startPull(ctx, target, options, async (log) => log);
}

export function startPull<T>(
  ctx: ApiClient,
  target: PullTarget,
  options: PullOptions,
  finish: (log: ProgressEvent[], signal: AbortSignal) => Promise<T>,
): ProgressJob<T> {
  const platform = options.platform === undefined ? undefined : platformPath(options.platform);
  const retries = options.retries ?? 0;
  if (!Number.isInteger(retries) || retries < 0) throw new InvalidArgument('retries must be a non-negative integer');
  return progressJob(
    async (signal) => {
      const auth = await ctx.credentials.resolve(registryOf(target.repository), options.authConfig);
      const response = await ctx.api.request('POST', '/images/create', {
        query: { fromImage: target.repository, tag: target.tag, platform },
        headers: { 'X-Registry-Auth': encodeAuthHeader(auth) },
        signal,
        bodyTimeout: options.timeout ?? 0,
      });
      return response.body;
    },
    finish,
    options.signal,
    retries > 0 ? { retries, transient: isTransientPullError, delay: backoff } : undefined,
  );
}

// a registry's or the engine's word for a failure that will not pass by trying again
const PERMANENT = /manifest unknown|not found|no such|unauthorized|authentication required|denied|forbidden|invalid reference|\b40[134]\b/i;
const TRANSIENT = /toomanyrequests|too many requests|rate limit|\b429\b|\b50[0234]\b|service unavailable|bad gateway|gateway time-?out|internal server error|connection reset|broken pipe|i\/o timeout|unexpected EOF/i;

/**
 * True for a pull failure that may pass: the registry's rate limit (429, `toomanyrequests`), a
 * server error (5xx), a connection that broke; false for anything that names a missing image,
 * missing or refused credentials.
 */
export function isTransientPullError(error: unknown): boolean {
  if (error instanceof ConnectionError) return true;
  if (!(error instanceof APIError) && !(error instanceof StreamError)) return false;
  const message = error instanceof APIError ? error.explanation : error.message;
  if (PERMANENT.test(message)) return false;
  if (error instanceof APIError && (error.statusCode === 429 || error.statusCode >= 500)) return true;
  return TRANSIENT.test(message);
}

/** Milliseconds before retry `n`: 0.5 s doubled each time, ±50% jitter, at most 30 s. */
export function backoff(n: number): number {
  return Math.min(30_000, 500 * 2 ** (n - 1)) * (0.5 + Math.random());
}
