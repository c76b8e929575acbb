import { ImageNotFound } from '../errors.js';
import { formatPath } from '../http/request.js';
import type { ApiClient } from './api-client.js';
import { checkImageName } from './reference.js';
import type { ImageAttrs } from './types.js';

/** GET /images/{name}/json. A missing image is ImageNotFound. */
export async function inspectImage(ctx: ApiClient, name: string, options: { signal?: AbortSignal } = {}): Promise<ImageAttrs> {
  checkImageName(name, 'name');
  return ctx.api.json<ImageAttrs>('GET', formatPath('/images/{}/json', name), {
    ...options,
    notFound: (explanation) => new ImageNotFound(404, explanation),
  });
}
