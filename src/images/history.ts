import { ImageNotFound } from '../errors.js';
import { formatPath } from '../http/request.js';
import type { Client } from './api-client.js';
import { checkOptions, optionNames, type Cancellable } from '../options.js';
import { platformJson, type PlatformSpec } from '../platform.js';
import { checkImageName } from '../reference.js';
import type { HistoryEntry } from './types.js';
import { historyEntries } from './shapes.js';

/** HistoryOptions: the options of `image.history` and `imageHistory`. */
export interface HistoryOptions extends Cancellable {
  /** Of this platform's image of a multi-platform image (API 1.48). */
  platform?: PlatformSpec;
}

/** The option names of HistoryOptions. */
export const HISTORY_OPTIONS = optionNames<HistoryOptions>({ platform: true, signal: true });

/** imageHistory: GET /images/{name}/history, the image's layers and the steps that made them. */
export async function imageHistory(
  client: Client,
  name: string,
  options: HistoryOptions = {},
): Promise<HistoryEntry[]> {
  checkOptions('imageHistory', options, HISTORY_OPTIONS);
  checkImageName(name, 'name');
  const platform = options.platform === undefined ? undefined : platformJson(options.platform);
  if (platform !== undefined) await client.api.requireVersion('1.48', 'history: platform');
  return client.api.json<HistoryEntry[]>('GET', formatPath('/images/{}/history', name), {
    shape: historyEntries,
    query: { platform },
    signal: options.signal,
    notFound: (explanation) => new ImageNotFound(404, explanation),
  });
}
