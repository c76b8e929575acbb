import { encodeAuthHeader, type AuthConfig } from '../credentials/auth-config.js';
import { ImageNotFound, InvalidArgument } from '../errors.js';
import { formatPath } from '../http/request.js';
import type { ProgressEvent } from '../progress/events.js';
import type { Client } from './api-client.js';
import { platformJson, type PlatformSpec } from '../platform.js';
import { checkOptions, optionNames, signalOf, type Cancellable } from '../options.js';
import { progressJob, type ProgressJob } from '../progress/job.js';
import { checkTag, parseReference, registryOf } from '../reference.js';

/** PushOptions: the options of `images.push` and `pushImage`. */
export interface PushOptions extends Cancellable {
  /** The tag to push (default: every tag of the repository, or the one inside `repository`). */
  tag?: string;
  /** Credentials for the registry (default: the client's). */
  authConfig?: AuthConfig;
  /** Push only this platform's manifest of a multi-platform image (API 1.46). */
  platform?: PlatformSpec;
  /** Inactivity timeout in ms once progress streams (default: none). */
  timeout?: number;
}

/** The option names of PushOptions. */
export const PUSH_OPTIONS = optionNames<PushOptions>({
  tag: true,
  authConfig: true,
  platform: true,
  timeout: true,
  signal: true,
});

/** PushedTag: one tag a push sent, as dockwire reads it from the engine's events. */
export interface PushedTag {
  /** The tag. */
  tag: string;
  /** `sha256:...` of its manifest. */
  digest: string;
  /** The manifest's size in bytes. */
  size: number;
}

/**
 * PushResult: what a push did, computed by dockwire from the engine's events (so camelCase); the
 * events themselves, in `log`, keep the engine's field names.
 */
export interface PushResult {
  /** `sha256:...` of the pushed manifest (the last one, when several tags were pushed). */
  digest: string | undefined;
  /** Each tag pushed, with its digest and manifest size (from the engine's aux events; Podman: its `digest:` status lines). */
  pushed: PushedTag[];
  /** Every event of the push, in order. */
  log: ProgressEvent[];
}

/**
 * pushImage: POST /images/{name}/push. A failure inside the 200 stream (auth refused, unknown
 * blob, ...) rejects the job with a StreamError; docker-py returns it as text.
 */
export function pushImage(client: Client, repository: string, options: PushOptions = {}): ProgressJob<PushResult> {
  return progressJob(signalOf(options), () => {
    checkOptions('pushImage', options, PUSH_OPTIONS);
    const ref = parseReference(repository, 'repository');
    if (ref.digest !== undefined) throw new InvalidArgument('a push names a tag, not a digest');
    if (options.tag !== undefined) checkTag(options.tag, 'tag');
    if (ref.tag !== undefined && options.tag !== undefined && ref.tag !== options.tag) {
      throw new InvalidArgument(`repository ${JSON.stringify(repository)} already names a tag; leave out options.tag`);
    }
    const tag = options.tag ?? ref.tag;
    const platform = options.platform === undefined ? undefined : platformJson(options.platform);
    return {
      open: async (signal) => {
        if (platform !== undefined) await client.api.requireVersion('1.46', 'push: platform');
        // The engine insists on X-Registry-Auth for a push; `{}` means anonymous.
        const auth = await client.credentials.resolve(registryOf(ref.repository), options.authConfig);
        const response = await client.api.request('POST', formatPath('/images/{}/push', ref.repository), {
          query: { tag, platform },
          headers: { 'X-Registry-Auth': encodeAuthHeader(auth) },
          signal,
          bodyTimeout: options.timeout ?? 0,
          notFound: (explanation) => new ImageNotFound(404, explanation),
        });
        return response.body;
      },
      finish: async (log) => {
        const pushed = pushedTags(log);
        return { digest: pushed[pushed.length - 1]?.digest, pushed, log };
      },
    };
  });
}

/** The tags a push's events say were pushed: the aux events, or (Podman) the status lines Docker also sends. */
function pushedTags(log: readonly ProgressEvent[]): PushedTag[] {
  const pushed: PushedTag[] = [];
  for (const event of log) {
    const aux = event.aux as { Tag?: string; Digest?: string; Size?: number } | undefined;
    if (aux && typeof aux.Digest === 'string')
      pushed.push({ tag: aux.Tag ?? '', digest: aux.Digest, size: aux.Size ?? 0 });
  }
  if (pushed.length > 0) return pushed;
  // "TAG: digest: sha256:... size: N"
  for (const event of log) {
    const m = /^(\S+): digest: (sha256:[0-9a-f]{64}) size: (\d+)$/.exec(event.status ?? '');
    if (m) pushed.push({ tag: m[1]!, digest: m[2]!, size: Number(m[3]) });
  }
  return pushed;
}
