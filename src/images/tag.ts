import { ImageNotFound } from '../errors.js';
import { formatPath } from '../http/request.js';
import type { Client } from './api-client.js';
import { checkOptions, SIGNAL_ONLY, type Cancellable } from '../options.js';
import { checkImageName, checkRepository, checkTag, splitReference } from '../reference.js';

/**
 * tagImage: POST /images/{name}/tag. `repository` may carry the tag (`repo:tag`) when `tag` is not given;
 * with neither, the engine uses `latest`.
 */
export async function tagImage(
  client: Client,
  name: string,
  repository: string,
  tag?: string,
  options: Cancellable = {},
): Promise<true> {
  checkOptions('tagImage', options, SIGNAL_ONLY);
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
  await client.api.call('POST', formatPath('/images/{}/tag', name), {
    query: { repo, tag: t },
    signal: options.signal,
    notFound: (explanation) => new ImageNotFound(404, explanation),
  });
  return true;
}
