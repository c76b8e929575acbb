import { encodeAuthHeader, type AuthConfig } from '../credentials/auth-config.js';
import { ImageNotFound, InvalidArgument } from '../errors.js';
import { formatPath } from '../http/request.js';
import type { ProgressEvent } from '../progress/events.js';
import type { ApiClient } from './api-client.js';
import { platformJson, type PlatformSpec } from '../platform.js';
import { progressJob, type ProgressJob } from '../progress/job.js';
import { checkTag, parseReference, registryOf } from '../reference.js';

export interface PushOptions {
  tag?: string;
  authConfig?: AuthConfig;
  /** Push only this platform's manifest of a multi-platform image (API 1.46). */
  platform?: PlatformSpec;
  /** Inactivity timeout in ms once progress streams (default: none). */
  timeout?: number;
  signal?: AbortSignal;
}

export interface PushResult {
  /** `sha256:...` of the pushed manifest (the last one, when several tags were pushed). */
  digest: string | undefined;
  /** Each tag pushed, with its digest and manifest size, from the engine's aux events (Podman: its `digest:` status lines). */
  pushed: Array<{ Tag: string; Digest: string; Size: number }>;
  log: ProgressEvent[];
}

/**
 * POST /images/{name}/push. A failure inside the 200 stream (auth refused, unknown blob, ...)
 * rejects the job with a StreamError; docker-py returns it as text.
 */
export function pushImage(ctx: ApiClient, repository: string, options: PushOptions = {}): ProgressJob<PushResult> {
  const ref = parseReference(repository, 'repository');
  if (ref.digest !== undefined) throw new InvalidArgument('a push names a tag, not a digest');
  if (options.tag !== undefined) checkTag(options.tag, 'tag');
  if (ref.tag !== undefined && options.tag !== undefined && ref.tag !== options.tag) {
    throw new InvalidArgument(`repository ${JSON.stringify(repository)} already names a tag; leave out options.tag`);
  }
  const tag = options.tag ?? ref.tag;
  const platform = options.platform === undefined ? undefined : platformJson(options.platform);
  const pushed: PushResult['pushed'] = [];
  return progressJob(
    async (signal) => {
      if (platform !== undefined) await ctx.api.requireVersion('1.46', 'push: platform');
      // The engine insists on X-Registry-Auth for a push; `{}` means anonymous.
      const auth = await ctx.credentials.resolve(registryOf(ref.repository), options.authConfig);
      const response = await ctx.api.request('POST', formatPath('/images/{}/push', ref.repository), {
        query: { tag, platform },
        headers: { 'X-Registry-Auth': encodeAuthHeader(auth) },
        signal,
        bodyTimeout: options.timeout ?? 0,
        notFound: (explanation) => new ImageNotFound(404, explanation),
      });
      return response.body;
    },
    async (log) => {
      for (const event of log) {
        const aux = event.aux as { Tag?: string; Digest?: string; Size?: number } | undefined;
        if (aux && typeof aux.Digest === 'string') pushed.push({ Tag: aux.Tag ?? '', Digest: aux.Digest, Size: aux.Size ?? 0 });
      }
      // Podman sends no aux, only the status line Docker also sends: "TAG: digest: sha256:... size: N"
      if (pushed.length === 0) {
        for (const event of log) {
          const m = /^(\S+): digest: (sha256:[0-9a-f]{64}) size: (\d+)$/.exec(event.status ?? '');
          if (m) pushed.push({ Tag: m[1]!, Digest: m[2]!, Size: Number(m[3]) });
        }
      }
      return { digest: pushed[pushed.length - 1]?.Digest, pushed, log };
    },
    options.signal,
  );
}
