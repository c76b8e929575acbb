import { InvalidArgument } from '../errors.js';
import type { Client } from './api-client.js';
import { checkOptions, optionNames, type Cancellable } from '../options.js';
import { encodeFilters, type Filters } from './filters.js';
import { checkImageName } from '../reference.js';
import type { ImageSummary } from './types.js';
import { imageSummaries } from './shapes.js';

/** ListOptions: the options of `images.list` and `listImages`. */
export interface ListOptions extends Cancellable {
  /** Only images of this repository (a `reference` filter, as docker-py does for API ≥ 1.25). */
  name?: string;
  /** Include intermediate layers. */
  all?: boolean;
  /** `dangling` (bool), `label` (`key` or `key=value`), `reference`, `before`, `since`, ... */
  filters?: Filters;
  /** Each image's index manifests, as `Manifests` (API 1.47). */
  manifests?: boolean;
  /** Compute `SharedSize`, the bytes an image shares with others (API 1.42). */
  sharedSize?: boolean;
  /** Each manifest's `ImageData.Identity`, where the image came from (API 1.54); needs `manifests`. */
  identity?: boolean;
}

/** The option names of ListOptions. */
export const LIST_OPTIONS = optionNames<ListOptions>({
  name: true,
  all: true,
  filters: true,
  manifests: true,
  sharedSize: true,
  identity: true,
  signal: true,
});

/** listImages: GET /images/json, the engine's summaries. */
export async function listImages(client: Client, options: ListOptions = {}): Promise<ImageSummary[]> {
  checkOptions('listImages', options, LIST_OPTIONS);
  // the engine answers 400 to identity without manifests: said here, before anything is sent
  if (options.identity && !options.manifests)
    throw new InvalidArgument('list: identity needs manifests: true (identity is part of each manifest summary)');
  const filters = { ...options.filters };
  if (options.name !== undefined) {
    checkImageName(options.name, 'name');
    filters['reference'] = options.name;
  }
  if (options.identity) await client.api.requireVersion('1.54', 'list: identity');
  if (options.manifests) await client.api.requireVersion('1.47', 'list: manifests');
  if (options.sharedSize) await client.api.requireVersion('1.42', 'list: sharedSize');
  return client.api.json<ImageSummary[]>('GET', '/images/json', {
    shape: imageSummaries,
    query: {
      all: options.all,
      filters: encodeFilters(filters),
      manifests: options.manifests,
      'shared-size': options.sharedSize,
      identity: options.identity,
    },
    signal: options.signal,
  });
}
