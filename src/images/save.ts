import { ImageNotFound, InvalidArgument } from '../errors.js';
import { Repeated, encodeQuery, formatPath } from '../http/request.js';
import { rechunk } from '../stream/rechunk.js';
import type { Client } from './api-client.js';
import { checkOptions, optionNames, type Cancellable } from '../options.js';
import type { PlatformSpec } from '../platform.js';
import { checkImageName } from '../reference.js';
import { platformSelection } from './platform-selection.js';

const DEFAULT_CHUNK_SIZE = 2 * 1024 * 1024;

/** SaveOptions: the options of `image.save` and `saveImages`. */
export interface SaveOptions extends Cancellable {
  /** Bytes per yielded chunk (default 2 MiB); `null` yields chunks as they arrive. */
  chunkSize?: number | null;
  /** Inactivity timeout in ms once the archive streams (default: none). */
  timeout?: number;
  /**
   * Borrow the chunks instead of owning them: each is valid only until the next is asked for
   * (or the loop ends), then its memory is reused. For a loop that writes every chunk out before
   * asking for the next (`for await (const c of save) await file.write(c)`), not for one that
   * keeps them (an array, a stream.Readable's queue): no allocation per chunk, flat memory.
   */
  borrowChunks?: boolean;
  /** Save only this platform of a multi-platform image (API 1.48); else every platform present. */
  platform?: PlatformSpec;
  /** Save only these platforms of a multi-platform image (API 1.52); not with `platform`. */
  platforms?: PlatformSpec[];
}

/** The option names of SaveOptions. */
export const SAVE_OPTIONS = optionNames<SaveOptions>({
  chunkSize: true,
  timeout: true,
  signal: true,
  borrowChunks: true,
  platform: true,
  platforms: true,
});

/**
 * saveImages: GET /images/{name}/get (one image) or /images/get?names= (several), the tarball as
 * an async iterable of chunks, streamed. The input is checked and the request made when iteration
 * starts: bad input is thrown by the first `next()`, as every other failure of the save is.
 */
export async function* saveImages(
  client: Client,
  names: string | readonly string[],
  options: SaveOptions = {},
): AsyncIterable<Uint8Array> {
  checkOptions('saveImages', options, SAVE_OPTIONS);
  const list = typeof names === 'string' ? [names] : Array.isArray(names) ? [...(names as readonly string[])] : [];
  if (list.length === 0) throw new InvalidArgument('names must name at least one image');
  for (const name of list) checkImageName(name, 'name');
  const chunkSize = options.chunkSize === undefined ? DEFAULT_CHUNK_SIZE : options.chunkSize;
  if (chunkSize !== null && (!Number.isInteger(chunkSize) || chunkSize < 1))
    throw new InvalidArgument('chunkSize must be a positive integer or null');
  const borrowed = options.borrowChunks === true;
  const platforms = platformSelection('save', options.platform, options.platforms);
  const path =
    list.length === 1
      ? formatPath('/images/{}/get', list[0]!)
      : `/images/get${encodeQuery({ names: new Repeated(list) })}`;
  if (platforms.needs) await client.api.requireVersion(...platforms.needs);
  const response = await client.api.request('GET', path, {
    query: { platform: platforms.query },
    bodyTimeout: options.timeout ?? 0,
    signal: options.signal,
    notFound: (explanation) => new ImageNotFound(404, explanation),
    // regrouped chunks are copied out of what was read, so reads can be borrowed then too
    borrowBody: borrowed || chunkSize !== null,
  });
  yield* chunkSize === null ? response.body : rechunk(response.body, chunkSize, borrowed);
}
