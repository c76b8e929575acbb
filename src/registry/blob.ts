// A blob as it arrives, hashed on the way: each chunk is handed out only once the next one has
// arrived, and the last only after the whole blob hashed to its digest, so a consumer never
// sees the end of content that turns out false. A connection that breaks mid-way is resumed
// with a Range request from the first byte not yet received. A consumer that borrows its chunks
// (each valid until it asks for the next) gets the connection's reads as they are, up to 1 MiB
// each (transport/read-ring.ts): no allocation or copy per chunk, and few hash updates; with the
// blob's length known, only its last chunk waits for the check.
import { ConnectionError, ProtocolError } from '../errors.js';
import type { TransportResponse } from '../transport/types.js';
import { DigestVerifier, verifiedChunks } from '../digest.js';
import { checkContentLength } from './answer.js';

/** Resumes after broken connections, for one blob. */
const MAX_RESUMES = 5;

/** Opens the blob's GET with these extra header fields (a Range on resumption); its reads lent when the blob is borrowed. */
export type OpenBlob = (headers: Record<string, string>, signal: AbortSignal | undefined) => Promise<TransportResponse>;

/**
 * The blob `digest` as it arrives, verified. Of `size` bytes when a descriptor says so: a response
 * whose Content-Length disagrees is refused before its body, a body longer than `size` one byte
 * past it (ProtocolError, "longer than its descriptor").
 */
export async function* readBlob(
  open: OpenBlob,
  digest: string,
  what: string,
  signal: AbortSignal | undefined,
  size?: number,
  borrowed = false,
): AsyncGenerator<Uint8Array> {
  let length = size;
  const source = resumed(open, what, signal, size, (contentLength) => (length ??= contentLength));
  if (!borrowed) {
    yield* verifiedChunks(source, new DigestVerifier(digest), what);
    return;
  }
  // the first chunk is read before the rest: by then the answer's length is known
  const first = await source.next();
  const chunks = first.done
    ? source
    : (async function* () {
        yield first.value;
        yield* source;
      })();
  yield* verifiedChunks(chunks, new DigestVerifier(digest), what, length === undefined ? { copy: true } : { length });
}

/** The blob's bytes, across the connections it takes (each resumed where the last broke). */
async function* resumed(
  open: OpenBlob,
  what: string,
  signal: AbortSignal | undefined,
  size: number | undefined,
  onLength: (contentLength: number) => void,
): AsyncGenerator<Uint8Array> {
  let received = 0;
  for (let resumes = 0; ; resumes++) {
    const response = await open(received > 0 ? { Range: `bytes=${received}-` } : {}, signal);
    // a server that ignores Range sends it all again (200): the bytes already had are skipped
    let skip = 0;
    if (received > 0) {
      if (response.statusCode === 206) {
        const range = /^bytes (\d+)-/.exec(response.headers['content-range'] ?? '');
        if (!range || Number(range[1]) !== received) {
          response.body.cancel();
          throw new ProtocolError(`${what}: the registry resumed at another offset than ${received}`);
        }
      } else skip = received;
    }
    if (size !== undefined) checkContentLength(response, skip > 0 || received === 0 ? size : size - received, what);
    const contentLength = Number(response.headers['content-length'] ?? NaN);
    if (received === 0 && Number.isSafeInteger(contentLength)) onLength(contentLength);
    try {
      for await (let chunk of response.body) {
        if (skip > 0) {
          if (chunk.length <= skip) {
            skip -= chunk.length;
            continue;
          }
          chunk = chunk.subarray(skip);
          skip = 0;
        }
        received += chunk.length;
        if (size !== undefined && received > size) {
          response.body.cancel();
          throw new ProtocolError(`${what} is longer than its descriptor's ${size} bytes: refused`);
        }
        yield chunk;
      }
      break;
    } catch (error) {
      if (resumes >= MAX_RESUMES || signal?.aborted || !broken(error)) throw error;
    }
  }
}

/** A connection that broke (reset, or closed before the body's end): worth resuming. */
function broken(error: unknown): boolean {
  return (
    error instanceof ConnectionError ||
    (error instanceof ProtocolError && error.message.startsWith('connection closed'))
  );
}
