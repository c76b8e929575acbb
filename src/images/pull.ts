import { encodeAuthHeader, type AuthConfig } from '../credentials/auth-config.js';
import { InvalidArgument } from '../errors.js';
import type { ProgressEvent } from '../progress/events.js';
import type { ApiClient } from './api-client.js';
import { platformPath, type PlatformSpec } from './platform.js';
import { progressJob, type ProgressJob } from '../progress/job.js';
import { checkTag, parseReference, registryOf } from './reference.js';

export interface PullOptions {
  /** A tag or a digest; may also come inside the repository (`name:tag`, `name@sha256:...`). */
  tag?: string;
  /** Pull every tag of the repository. */
  allTags?: boolean;
  authConfig?: AuthConfig;
  /** `'os[/arch[/variant]]'` or `{ os, architecture, variant }`. */
  platform?: PlatformSpec;
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
  );
}
