import type { Client } from './api-client.js';
import { checkOptions, optionNames, type Cancellable } from '../options.js';
import { encodeFilters, type Filters } from './filters.js';
import { compareVersions } from '../engine-api.js';
import { InvalidArgument } from '../errors.js';
import { pruneBuildsAnswer } from './shapes.js';

/** PruneBuildsOptions: the options of `images.pruneBuilds` and `pruneBuilds`. */
export interface PruneBuildsOptions extends Cancellable {
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
}

/** The option names of PruneBuildsOptions. */
export const PRUNE_BUILDS_OPTIONS = optionNames<PruneBuildsOptions>({
  keepStorage: true,
  reservedSpace: true,
  maxUsedSpace: true,
  minFreeSpace: true,
  all: true,
  filters: true,
  signal: true,
});

/** PruneBuildsResult: the build cache records `pruneBuilds` removed, and the bytes it freed. */
export interface PruneBuildsResult {
  /** The IDs of the cache records removed. */
  cachesDeleted: string[];
  /** Bytes freed. */
  spaceReclaimed: number;
}

/** pruneBuilds: POST /build/prune, the build cache (docker-py's prune_builds). */
export async function pruneBuilds(client: Client, options: PruneBuildsOptions = {}): Promise<PruneBuildsResult> {
  checkOptions('pruneBuilds', options, PRUNE_BUILDS_OPTIONS);
  for (const key of ['keepStorage', 'reservedSpace', 'maxUsedSpace', 'minFreeSpace'] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 0))
      throw new InvalidArgument(`${key} must be a non-negative integer (bytes)`);
  }
  if (options.keepStorage !== undefined && options.reservedSpace !== undefined)
    throw new InvalidArgument('keepStorage and reservedSpace are one option: give one');
  for (const key of ['reservedSpace', 'maxUsedSpace', 'minFreeSpace'] as const) {
    if (options[key] !== undefined) await client.api.requireVersion('1.48', `pruneBuilds: ${key}`);
  }
  // keep-storage was renamed reserved-space in 1.48 (and is gone from 1.52)
  const renamed = options.keepStorage !== undefined && compareVersions(await client.api.apiVersion(), '1.48') >= 0;
  const reserved = options.reservedSpace ?? (renamed ? options.keepStorage : undefined);
  const result = await client.api.json('POST', '/build/prune', {
    shape: pruneBuildsAnswer,
    query: {
      'keep-storage': renamed ? undefined : options.keepStorage,
      'reserved-space': reserved,
      'max-used-space': options.maxUsedSpace,
      'min-free-space': options.minFreeSpace,
      all: options.all,
      filters: encodeFilters(options.filters),
    },
    signal: options.signal,
  });
  return { cachesDeleted: result.CachesDeleted ?? [], spaceReclaimed: result.SpaceReclaimed ?? 0 };
}
