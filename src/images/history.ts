import { ImageNotFound } from '../errors.js';
import { formatPath } from '../http/request.js';
import type { ApiClient } from './api-client.js';
import { checkImageName } from './reference.js';
import type { HistoryEntry } from './types.js';

/** GET /images/{name}/history. */
export async function imageHistory(ctx: ApiClient, name: string, options: { signal?: AbortSignal } = {}): Promise<HistoryEntry[]> {
  checkImageName(name, 'name');
  return ctx.api.json<HistoryEntry[]>('GET', formatPath('/images/{}/history', name), {
    ...options,
    notFound: (explanation) => new ImageNotFound(404, explanation),
  });
}
