import { ImageNotFound, InvalidArgument } from '../errors.js';
import { Repeated, formatPath } from '../http/request.js';
import type { ApiClient } from './api-client.js';
import { platformJson, type PlatformSpec } from '../platform.js';
import { checkImageName } from '../reference.js';
import type { DeleteResponseItem } from './types.js';
import { deleteItems } from './shapes.js';

export interface RemoveOptions {
  force?: boolean;
  /** Do not delete untagged parents. */
  noprune?: boolean;
  /** Remove only these platforms' content of a multi-platform image (API 1.50). */
  platforms?: PlatformSpec[];
  signal?: AbortSignal;
}

/** DELETE /images/{name}: what was untagged and deleted. */
export async function removeImage(ctx: ApiClient, name: string, options: RemoveOptions = {}): Promise<DeleteResponseItem[]> {
  checkImageName(name, 'image');
  let platforms: Repeated | undefined;
  if (options.platforms !== undefined) {
    if (!Array.isArray(options.platforms) || options.platforms.length === 0) throw new InvalidArgument('platforms must be a non-empty array of platforms');
    platforms = new Repeated(options.platforms.map((p, i) => platformJson(p, `platforms[${i}]`)));
    await ctx.api.requireVersion('1.50', 'remove: platforms');
  }
  return ctx.api.json<DeleteResponseItem[]>('DELETE', formatPath('/images/{}', name), {
    shape: deleteItems,
    query: { force: options.force, noprune: options.noprune, platforms },
    ...(options.signal ? { signal: options.signal } : {}),
    notFound: (explanation) => new ImageNotFound(404, explanation),
  });
}
