import type { ApiClient } from './api-client.js';
import { encodeFilters, type Filters } from './filters.js';
import { compareVersions } from '../engine-api.js';
import { InvalidArgument } from '../errors.js';
import { pruneBuildsAnswer } from './shapes.js';

export interface PruneBuildsOptions {
  /** Bytes of cache to keep (sent as `reserved-space` from API 1.48, its new name). */
  keepStorage?: number;
  /** Bytes of cache to keep (API 1.48; `keepStorage`'s new name). */
  reservedSpace?: number;
  /** Prune until the cache uses at most this many bytes (API 1.48). */
  maxUsedSpace?: number;
  /** Prune until at least this many bytes of disk are free (API 1.48). */
  minFreeSpace?: number;
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
  for (const key of ['keepStorage', 'reservedSpace', 'maxUsedSpace', 'minFreeSpace'] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) throw new InvalidArgument(`${key} must be a non-negative integer (bytes)`);
  }
  if (options.keepStorage !== undefined && options.reservedSpace !== undefined) throw new InvalidArgument('keepStorage and reservedSpace are one option: give one');
  for (const key of ['reservedSpace', 'maxUsedSpace', 'minFreeSpace'] as const) {
    if (options[key] !== undefined) await ctx.api.requireVersion('1.48', `pruneBuilds: ${key}`);
  }
  // keep-storage was renamed reserved-space in 1.48 (and is gone from 1.52)
  const renamed = options.keepStorage !== undefined && compareVersions(await ctx.api.apiVersion(), '1.48') >= 0;
  const reserved = options.reservedSpace ?? (renamed ? options.keepStorage : undefined);
  const result = await ctx.api.json('POST', '/build/prune', {
    shape: pruneBuildsAnswer,
    query: {
      'keep-storage': renamed ? undefined : options.keepStorage,
      'reserved-space': reserved,
      'max-used-space': options.maxUsedSpace,
      'min-free-space': options.minFreeSpace,
      all: options.all,
      filters: encodeFilters(options.filters),
    },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { cachesDeleted: result.CachesDeleted ?? [], spaceReclaimed: result.SpaceReclaimed ?? 0 };
}
