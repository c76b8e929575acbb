import { ImageNotFound, InvalidArgument } from '../errors.js';
import { Repeated, formatPath } from '../http/request.js';
import type { Client } from './api-client.js';
import { checkOptions, optionNames, type Cancellable } from '../options.js';
import { platformJson, type PlatformSpec } from '../platform.js';
import { checkImageName } from '../reference.js';
import type { DeleteResponseItem } from './types.js';
import { deleteItems } from './shapes.js';

/** RemoveOptions: the options of `images.remove` and `removeImage`. */
export interface RemoveOptions extends Cancellable {
  /** Remove the image even when a container uses it, or it has several tags. */
  force?: boolean;
  /** Do not delete untagged parents. */
  noPrune?: boolean;
  /** Remove only these platforms' content of a multi-platform image (API 1.50). */
  platforms?: PlatformSpec[];
}

/** The option names of RemoveOptions. */
export const REMOVE_OPTIONS = optionNames<RemoveOptions>({ force: true, noPrune: true, platforms: true, signal: true });

/** removeImage: DELETE /images/{name}, what was untagged and deleted. */
export async function removeImage(
  client: Client,
  name: string,
  options: RemoveOptions = {},
): Promise<DeleteResponseItem[]> {
  checkOptions('removeImage', options, REMOVE_OPTIONS);
  checkImageName(name, 'image');
  let platforms: Repeated | undefined;
  if (options.platforms !== undefined) {
    if (!Array.isArray(options.platforms) || options.platforms.length === 0)
      throw new InvalidArgument('platforms must be a non-empty array of platforms');
    platforms = new Repeated(options.platforms.map((p, i) => platformJson(p, `platforms[${i}]`)));
    await client.api.requireVersion('1.50', 'remove: platforms');
  }
  return client.api.json<DeleteResponseItem[]>('DELETE', formatPath('/images/{}', name), {
    shape: deleteItems,
    query: { force: options.force, noprune: options.noPrune, platforms },
    signal: options.signal,
    notFound: (explanation) => new ImageNotFound(404, explanation),
  });
}
