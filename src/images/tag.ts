import { ImageNotFound } from '../errors.js';
import { formatPath } from '../http/request.js';
import type { ApiClient } from './api-client.js';
import { checkImageName, checkRepository, checkTag, splitReference } from '../reference.js';

/**
 * POST /images/{name}/tag. `repository` may carry the tag (`repo:tag`) when `tag` is not given;
 * with neither, the engine uses `latest`.
 */
export async function tagImage(
  ctx: ApiClient,
  name: string,
  repository: string,
  tag?: string,
  options: { signal?: AbortSignal } = {},
): Promise<true> {
  checkImageName(name, 'name');
  let repo = repository;
  let t = tag;
  if (t === undefined && typeof repository === 'string') {
    const ref = splitReference(repository);
    if (ref.tag !== undefined && ref.digest === undefined) {
      repo = ref.repository;
      t = ref.tag;
    }
  }
  checkRepository(repo, 'repository');
  if (t !== undefined) checkTag(t, 'tag');
  await ctx.api.call('POST', formatPath('/images/{}/tag', name), {
    query: { repo, tag: t },
    ...options,
    notFound: (explanation) => new ImageNotFound(404, explanation),
  });
  return true;
}
