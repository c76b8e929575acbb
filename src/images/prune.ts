import type { ApiClient } from './api-client.js';
import { encodeFilters, type Filters } from './filters.js';
import type { DeleteResponseItem } from './types.js';
import { pruneAnswer } from './shapes.js';

export interface PruneResult {
  imagesDeleted: DeleteResponseItem[];
  spaceReclaimed: number;
}

/** POST /images/prune. `filters.dangling: false` prunes every unused image, not only dangling ones. */
export async function pruneImages(ctx: ApiClient, options: { filters?: Filters; signal?: AbortSignal } = {}): Promise<PruneResult> {
  const result = await ctx.api.json('POST', '/images/prune', {
    shape: pruneAnswer,
    query: { filters: encodeFilters(options.filters) },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { imagesDeleted: result.ImagesDeleted ?? [], spaceReclaimed: result.SpaceReclaimed ?? 0 };
}
