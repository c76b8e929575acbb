import { encodeAuthHeader, type AuthConfig } from '../credentials/auth-config.js';
import { APIError, ConnectionError, InvalidArgument, StreamError } from '../errors.js';
import type { ProgressEvent } from '../progress/events.js';
import type { Client } from './api-client.js';
import { platformPath, type PlatformSpec } from '../platform.js';
import { checkOptions, optionNames, signalOf, type Cancellable } from '../options.js';
import { progressJob, type ProgressJob } from '../progress/job.js';
import { checkTag, parseReference, registryOf } from '../reference.js';

/** PullOptions: the options of `images.pull` and `pullImage`. */
export interface PullOptions extends Cancellable {
  /** A tag or a digest; may also come inside the repository (`name:tag`, `name@sha256:...`). */
  tag?: string;
  /** Pull every tag of the repository. */
  allTags?: boolean;
  /** Credentials for the registry (default: the client's). */
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
}

/** The option names of PullOptions. */
export const PULL_OPTIONS = optionNames<PullOptions>({
  tag: true,
  allTags: true,
  authConfig: true,
  platform: true,
  retries: true,
  timeout: true,
  signal: true,
});

/** What a pull asks the engine for. */
export interface PullTarget {
  /** The repository, without tag or digest. */
  repository: string;
  /** The tag or digest pulled; undefined when every tag is pulled. */
  tag: string | undefined;
}

/** pullTarget: what a pull asks for: a tag inside `repository`, `options.tag`, or `latest`. */
export function pullTarget(repository: string, options: PullOptions = {}): PullTarget {
  const ref = parseReference(repository, 'repository');
  const inline = ref.digest ?? ref.tag;
  if (options.tag !== undefined) {
    checkTag(options.tag, 'tag');
    if (inline !== undefined && inline !== options.tag) {
      throw new InvalidArgument(
        `repository ${JSON.stringify(repository)} already names a tag or digest; leave out options.tag`,
      );
    }
  }
  if (options.allTags) {
    if (inline !== undefined || options.tag !== undefined)
      throw new InvalidArgument('allTags cannot be combined with a tag or digest');
    return { repository: ref.repository, tag: undefined };
  }
  return { repository: ref.repository, tag: options.tag ?? inline ?? 'latest' };
}

/** pullImage: POST /images/create?fromImage=, the low-level pull, a ProgressJob of the engine's events. */
export function pullImage(client: Client, repository: string, options: PullOptions = {}): ProgressJob<ProgressEvent[]> {
  return startPull(client, repository, options, 'pullImage', async (_target, log) => log);
}

/**
 * The pull of `repository` as `options` say, checked inside the job (bad input rejects it, and
 * nothing is sent), finished by `finish` with what was pulled and the log.
 */
export function startPull<T>(
  client: Client,
  repository: string,
  options: PullOptions,
  where: string,
  finish: (target: PullTarget, log: ProgressEvent[], signal: AbortSignal) => Promise<T>,
): ProgressJob<T> {
  return progressJob(signalOf(options), () => {
    checkOptions(where, options, PULL_OPTIONS);
    const target = pullTarget(repository, options);
    const platform = options.platform === undefined ? undefined : platformPath(options.platform);
    const retries = checkRetries(options.retries ?? 0);
    return {
      open: async (signal) => {
        const auth = await client.credentials.resolve(registryOf(target.repository), options.authConfig);
        const response = await client.api.request('POST', '/images/create', {
          query: { fromImage: target.repository, tag: target.tag, platform },
          headers: { 'X-Registry-Auth': encodeAuthHeader(auth) },
          signal,
          bodyTimeout: options.timeout ?? 0,
        });
        return response.body;
      },
      finish: (log, signal) => finish(target, log, signal),
      retry: retries > 0 ? { retries, transient: isTransientPullError, delay: backoff } : undefined,
    };
  });
}

/** `retries`, checked: a whole number, 0 or more. */
export function checkRetries(retries: unknown): number {
  if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0)
    throw new InvalidArgument('retries must be a non-negative integer');
  return retries;
}

// a registry's or the engine's word for a failure that will not pass by trying again
const PERMANENT =
  /manifest unknown|not found|no such|unauthorized|authentication required|denied|forbidden|invalid reference|\b40[134]\b/i;
const TRANSIENT =
  /toomanyrequests|too many requests|rate limit|\b429\b|\b50[0234]\b|service unavailable|bad gateway|gateway time-?out|internal server error|connection reset|broken pipe|i\/o timeout|unexpected EOF/i;

/**
 * isTransientPullError: true for a pull failure that may pass: the registry's rate limit (429, `toomanyrequests`), a
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
