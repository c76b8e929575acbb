import type { Client } from './api-client.js';
import { checkOptions, optionNames, type Cancellable } from '../options.js';
import { encodeFilters, type Filters } from './filters.js';
import type { DeleteResponseItem } from './types.js';
import { pruneAnswer } from './shapes.js';

/** PruneOptions: the options of `images.prune` and `pruneImages`. */
export interface PruneOptions extends Cancellable {
  /** `dangling` (false: every unused image, not only dangling ones), `until`, `label`. */
  filters?: Filters;
}

/** The option names of PruneOptions. */
export const PRUNE_OPTIONS = optionNames<PruneOptions>({ filters: true, signal: true });

/** PruneResult: what `images.prune` removed, and the bytes it freed. */
export interface PruneResult {
  /** Each image untagged or deleted. */
  imagesDeleted: DeleteResponseItem[];
  /** Bytes freed. */
  spaceReclaimed: number;
}

/** pruneImages: POST /images/prune. `filters.dangling: false` prunes every unused image, not only dangling ones. */
export async function pruneImages(client: Client, options: PruneOptions = {}): Promise<PruneResult> {
  checkOptions('pruneImages', options, PRUNE_OPTIONS);
  const result = await client.api.json('POST', '/images/prune', {
    shape: pruneAnswer,
    query: { filters: encodeFilters(options.filters) },
    signal: options.signal,
  });
  return { imagesDeleted: result.ImagesDeleted ?? [], spaceReclaimed: result.SpaceReclaimed ?? 0 };
}
