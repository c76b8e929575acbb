import type { ApiClient } from './api-client.js';
import { encodeFilters, type Filters } from './filters.js';
import { checkImageName } from './reference.js';
import type { ImageSummary } from './types.js';

export interface ListOptions {
  /** Only images of this repository (a `reference` filter, as docker-py does for API ≥ 1.25). */
  name?: string;
  /** Include intermediate layers. */
  all?: boolean;
  /** `dangling` (bool), `label` (`key` or `key=value`), `reference`, `before`, `since`, ... */
  filters?: Filters;
  signal?: AbortSignal;
}

/** GET /images/json: the engine's summaries. */
export async function listImages(ctx: ApiClient, options: ListOptions = {}): Promise<ImageSummary[]> {
  const filters = { ...options.filters };
  if (options.name !== undefined) {
    checkImageName(options.name, 'name');
    filters['reference'] = options.name;
  }
  return ctx.api.json<ImageSummary[]>('GET', '/images/json', {
    query: { all: options.all, filters: encodeFilters(filters) },
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
