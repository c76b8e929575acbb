import type { ApiClient } from './api-client.js';
import { encodeFilters, type Filters } from './filters.js';
import { InvalidArgument } from '../errors.js';

export interface PruneBuildsOptions {
  /** Bytes of cache to keep. */
  keepStorage?: number;
  /** Remove all cache, not only dangling cache. */
  all?: boolean;
  /** `until`, `id`, `parent`, `type`, `description`, `inuse`, `shared`, `private`. */
  filters?: Filters;
  signal?: AbortSignal;
}

export interface PruneBuildsResult {
  cachesDeleted: string[];
  spaceReclaimed: number;
}

/** POST /build/prune: the build cache (docker-py's prune_builds). */
export async function pruneBuilds(ctx: ApiClient, options: PruneBuildsOptions = {}): Promise<PruneBuildsResult> {
  if (options.keepStorage !== undefined && (!Number.isInteger(options.keepStorage) || options.keepStorage < 0)) {
    throw new InvalidArgument('keepStorage must be a non-negative integer (bytes)');
  }
  const result = await ctx.api.json<{ CachesDeleted: string[] | null; SpaceReclaimed: number }>('POST', '/build/prune', {
    query: { 'keep-storage': options.keepStorage, all: options.all, filters: encodeFilters(options.filters) },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { cachesDeleted: result.CachesDeleted ?? [], spaceReclaimed: result.SpaceReclaimed ?? 0 };
}
