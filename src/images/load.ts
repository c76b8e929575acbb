import { APIError, ImageLoadError, InvalidArgument, StreamError } from '../errors.js';
import { fileChunks, stat } from '../files.js';
import { toBodySource, type BinarySource } from '../stream/body-source.js';
import { sized } from '../stream/sized.js';
import { Job } from '../job.js';
import type { ProgressEvent } from '../progress/events.js';
import { readProgress } from '../progress/read.js';
import type { Client } from './api-client.js';
import { checkOptions, optionNames, signalOf, type Cancellable } from '../options.js';
import type { PlatformSpec } from '../platform.js';
import { platformSelection } from './platform-selection.js';

/** LoadResult: what `loadImages` resolves to, the names the engine loaded and the log. */
export interface LoadResult {
  /** What the engine reported loaded: `name:tag` for tagged images, `sha256:...` for untagged ones. */
  loaded: string[];
  /** Every event of the load, in order. */
  log: ProgressEvent[];
}

/**
 * The archive at `path`, checked before anything is sent, and its size: then read as the socket
 * takes it, through one reused buffer when the transport is done with each chunk before the next.
 */
async function archiveFile(
  path: string,
  reuse: boolean,
): Promise<{ body: AsyncIterable<Uint8Array>; bodyLength: number }> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new InvalidArgument(`data: cannot read ${path}: ${error.code ?? error.message}`);
  });
  if (!info.isFile()) throw new InvalidArgument(`data: ${path} is not a file`);
  const chunks = fileChunks(
    path,
    reuse ? {} : undefined,
    (error) => new ImageLoadError(`cannot read ${path}: ${error.code ?? error.message}`, []),
  );
  return { body: ofSize(chunks, info.size, path), bodyLength: info.size };
}

/**
 * The chunks of the file at `path`, which must come to `size` bytes (the Content-Length sent
 * ahead of them): a file that grows or shrinks while it is read fails the load.
 */
export function ofSize(chunks: AsyncIterable<Uint8Array>, size: number, path: string): AsyncIterable<Uint8Array> {
  return sized(chunks, size, (read) =>
    read > size
      ? new ImageLoadError(`${path} grew while it was being sent (expected ${size} bytes)`, [])
      : new ImageLoadError(`${path} shrank while it was being sent (${read} of ${size} bytes)`, []),
  );
}

/**
 * loadImages: POST /images/load, streams a `docker save` tarball to the engine without reading it whole:
 * bytes, a stream of them, or the path of a file that holds them (as dockerode's loadImage).
 * Resolves to the names and IDs from the engine's `Loaded image:` / `Loaded image ID:` lines
 * (Podman lists several names on one line, comma-separated). The engine refusing the archive
 * rejects with ImageLoadError, whether it says so in an error line (Docker) or with an error
 * status (Podman: 500); the status is kept as the error's `cause`, an APIError.
 */
export function loadImages(
  client: Client,
  data: BinarySource | string,
  options: LoadOptions = {},
): Job<LoadResult, ProgressEvent> {
  return new Job<LoadResult, ProgressEvent>(async (scope) => {
    checkOptions('loadImages', options, LOAD_OPTIONS);
    const given = typeof data === 'string' ? undefined : toBodySource(data, 'data');
    const platforms = platformSelection('load', options.platform, options.platforms);
    if (platforms.needs) await client.api.requireVersion(...platforms.needs);
    // a file goes with its size as Content-Length, as curl -T sends it: no chunked framing for
    // the engine to take apart
    const { body, bodyLength } = given
      ? { body: given, bodyLength: undefined }
      : await archiveFile(data as string, client.api.bodyChunksReusable);
    const response = await client.api
      .request('POST', '/images/load', {
        query: { quiet: false, platform: platforms.query },
        headers: { 'Content-Type': 'application/x-tar' },
        body,
        ...(bodyLength !== undefined ? { bodyLength } : {}),
        signal: scope.signal,
        bodyTimeout: options.timeout ?? 0,
      })
      .catch((error: unknown) => {
        throw error instanceof APIError ? new ImageLoadError(error.message, [], { cause: error }) : error;
      });
    let log: ProgressEvent[];
    try {
      log = await readProgress(response.body, (event) => scope.emit(event), { keep: 'all' });
    } catch (error) {
      if (error instanceof StreamError) throw new ImageLoadError(error.message, error.log);
      throw error;
    }
    const loaded: string[] = [];
    for (const event of log) {
      const m = /^Loaded image(?: ID)?: (\S+)/.exec(event.stream ?? '');
      // a comma is never part of a reference: Podman's "Loaded image: a:1,b:2" names two
      if (m) loaded.push(...m[1]!.split(','));
    }
    if (loaded.length === 0) throw new ImageLoadError('the engine reported no loaded image', log);
    return { loaded, log };
  }, signalOf(options));
}

/** LoadOptions: the options of `images.load` and `loadImages`. */
export interface LoadOptions extends Cancellable {
  /** Load only this platform of a multi-platform archive (API 1.48); else every platform in it. */
  platform?: PlatformSpec;
  /** Load only these platforms of a multi-platform archive (API 1.52); not with `platform`. */
  platforms?: PlatformSpec[];
  /** Inactivity timeout in ms once the engine answers (default: none). */
  timeout?: number;
}

/** The option names of LoadOptions. */
export const LOAD_OPTIONS = optionNames<LoadOptions>({ platform: true, platforms: true, timeout: true, signal: true });
