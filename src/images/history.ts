import { ImageNotFound } from '../errors.js';
import { formatPath } from '../http/request.js';
import type { ApiClient } from './api-client.js';
import { platformJson, type PlatformSpec } from '../platform.js';
import { checkImageName } from '../reference.js';
import type { HistoryEntry } from './types.js';
import { historyEntries } from './shapes.js';

/** GET /images/{name}/history; `platform`: of this platform's image of a multi-platform image (API 1.48). */
export async function imageHistory(ctx: ApiClient, name: string, options: { platform?: PlatformSpec; signal?: AbortSignal } = {}): Promise<HistoryEntry[]> {
  checkImageName(name, 'name');
  const platform = options.platform === undefined ? undefined : platformJson(options.platform);
  if (platform !== undefined) await ctx.api.requireVersion('1.48', 'history: platform');
  return ctx.api.json<HistoryEntry[]>('GET', formatPath('/images/{}/history', name), {
    shape: historyEntries,
    query: { platform },
    ...(options.signal ? { signal: options.signal } : {}),
    notFound: (explanation) => new ImageNotFound(404, explanation),
  });
}
