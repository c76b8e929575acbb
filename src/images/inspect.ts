import { ImageNotFound, InvalidArgument } from '../errors.js';
import { formatPath } from '../http/request.js';
import type { ApiClient } from './api-client.js';
import { platformJson, type PlatformSpec } from '../platform.js';
import { checkImageName } from '../reference.js';
import type { ImageAttrs } from './types.js';
import { imageAttrs } from './shapes.js';

export interface InspectOptions {
  /** Inspect this platform's image of a multi-platform image (API 1.49). */
  platform?: PlatformSpec;
  /** Include the index's manifests, as `Manifests` (API 1.48); not with `platform`. */
  manifests?: boolean;
  signal?: AbortSignal;
}

/** GET /images/{name}/json. A missing image (or platform of it) is ImageNotFound. */
export async function inspectImage(ctx: ApiClient, name: string, options: InspectOptions = {}): Promise<ImageAttrs> {
  checkImageName(name, 'name');
  const platform = options.platform === undefined ? undefined : platformJson(options.platform);
  if (platform !== undefined && options.manifests) throw new InvalidArgument('inspect: platform and manifests cannot be asked for together');
  if (platform !== undefined) await ctx.api.requireVersion('1.49', 'inspect: platform');
  if (options.manifests) await ctx.api.requireVersion('1.48', 'inspect: manifests');
  return ctx.api.json<ImageAttrs>('GET', formatPath('/images/{}/json', name), {
    shape: imageAttrs,
    query: { platform, manifests: options.manifests },
    ...(options.signal ? { signal: options.signal } : {}),
    notFound: (explanation) => new ImageNotFound(404, explanation),
  });
}
