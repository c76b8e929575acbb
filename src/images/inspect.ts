import { ImageNotFound, InvalidArgument } from '../errors.js';
import { formatPath } from '../http/request.js';
import type { Client } from './api-client.js';
import { checkOptions, optionNames, type Cancellable } from '../options.js';
import { platformJson, type PlatformSpec } from '../platform.js';
import { checkImageName } from '../reference.js';
import type { ImageAttrs } from './types.js';
import { imageAttrs } from './shapes.js';

/** InspectOptions: the options of `images.get` and `inspectImage`. */
export interface InspectOptions extends Cancellable {
  /** Inspect this platform's image of a multi-platform image (API 1.49). */
  platform?: PlatformSpec;
  /** Include the index's manifests, as `Manifests` (API 1.48); not with `platform`. */
  manifests?: boolean;
}

/** The option names of InspectOptions. */
export const INSPECT_OPTIONS = optionNames<InspectOptions>({ platform: true, manifests: true, signal: true });

/** inspectImage: GET /images/{name}/json. A missing image (or platform of it) is ImageNotFound. */
export async function inspectImage(client: Client, name: string, options: InspectOptions = {}): Promise<ImageAttrs> {
  checkOptions('inspectImage', options, INSPECT_OPTIONS);
  checkImageName(name, 'name');
  const platform = options.platform === undefined ? undefined : platformJson(options.platform);
  if (platform !== undefined && options.manifests)
    throw new InvalidArgument('inspect: platform and manifests cannot be asked for together');
  if (platform !== undefined) await client.api.requireVersion('1.49', 'inspect: platform');
  if (options.manifests) await client.api.requireVersion('1.48', 'inspect: manifests');
  return client.api.json<ImageAttrs>('GET', formatPath('/images/{}/json', name), {
    shape: imageAttrs,
    query: { platform, manifests: options.manifests },
    signal: options.signal,
    notFound: (explanation) => new ImageNotFound(404, explanation),
  });
}
