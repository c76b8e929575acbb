import { ImageNotFound } from '../errors.js';
import { formatPath } from '../http/request.js';
import type { ApiClient } from './api-client.js';
import { checkImageName } from './reference.js';
import type { DeleteResponseItem } from './types.js';

export interface RemoveOptions {
  force?: boolean;
  /** Do not delete untagged parents. */
  noprune?: boolean;
  signal?: AbortSignal;
}

/** DELETE /images/{name}: what was untagged and deleted. */
export async function removeImage(ctx: ApiClient, name: string, options: RemoveOptions = {}): Promise<DeleteResponseItem[]> {
  checkImageName(name, 'image');
  return ctx.api.json<DeleteResponseItem[]>('DELETE', formatPath('/images/{}', name), {
    query: { force: options.force, noprune: options.noprune },
    ...(options.signal ? { signal: options.signal } : {}),
    notFound: (explanation) => new ImageNotFound(404, explanation),
  });
}
