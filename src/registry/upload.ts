// Blob uploads (OCI distribution spec, "Pushing blobs"): a blob already there is not sent again
// (HEAD); bytes, or a stream of known size, go in one PUT; a stream of unknown size goes in
// chunks (PATCH with Content-Range, at least the registry's OCI-Chunk-Min-Length each), then a
// PUT with the digest. Content is hashed as it is sent and its last bytes are held back until it
// has hashed to the digest stated, so a blob that lies is never completed at the registry.
import { InvalidArgument } from '../errors.js';
import { rechunk } from '../stream/rechunk.js';
import type { TransportResponse } from '../transport/types.js';
import { ContentHash, DigestVerifier, checkDigest, digestOf, verifiedChunks, verifyBytes } from '../digest.js';

/** The chunk size of a chunked upload unless the registry asks for more. */
export const DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;

/** How an upload reaches the registry: a request on its origin, by path (the registry's Location, made relative). */
export type UploadSend = (
  method: 'HEAD' | 'POST' | 'PATCH' | 'PUT',
  path: string,
  headers: Record<string, string>,
  body?: Uint8Array | AsyncIterable<Uint8Array>,
  bodyLength?: number,
  pass?: number[],
) => Promise<TransportResponse>;

export interface UploadSource {
  /** The whole blob, or its chunks. */
  data: Uint8Array | AsyncIterable<Uint8Array>;
  /** Its length, when known. */
  size?: number;
  /** Its digest, when known (required to skip a blob the registry has). */
  digest?: string;
  /**
   * True when `data` is a stream that checks itself against `digest` (a verified blob read, as a
   * copy's source is): it throws before its last chunk unless it hashed right, so it is counted
   * here, not hashed and copied a second time.
   */
  verified?: boolean;
}

/** The path (and query) of a Location on the registry's own origin; another origin is refused. */
export type ResolveLocation = (location: string | undefined) => string;

export async function uploadBlob(
  send: UploadSend,
  repository: string,
  source: UploadSource,
  location: ResolveLocation,
  chunkSize = DEFAULT_CHUNK_SIZE,
): Promise<{ digest: string; size: number }> {
  let { data, digest } = source;
  let size = source.size;
  if (data instanceof Uint8Array) {
    if (digest === undefined) digest = digestOf(data);
    else verifyBytes(data, digest, 'the blob to push');
    if (size !== undefined && size !== data.length)
      throw new InvalidArgument(`size ${size} is not the blob's ${data.length} bytes`);
    size = data.length;
  } else if (digest !== undefined) checkDigest(digest);
  if (digest !== undefined) {
    const head = await send('HEAD', `/v2/${repository}/blobs/${digest}`, {}, undefined, undefined, [404]);
    await head.body.dump();
    if (head.statusCode === 200) return { digest, size: size ?? Number(head.headers['content-length']) };
  }
  const start = await send('POST', `/v2/${repository}/blobs/uploads/`, {});
  await start.body.dump();
  let at = location(start.headers['location']);
  const minimum = Number(start.headers['oci-chunk-min-length']);
  if (digest !== undefined && size !== undefined) {
    // one PUT: bytes as they are, a stream checked as it goes
    const body =
      data instanceof Uint8Array
        ? data
        : source.verified === true
          ? sized(data, size)
          : verified(data, new DigestVerifier(digest), size);
    const put = await send('PUT', withDigest(at, digest), { 'Content-Type': 'application/octet-stream' }, body, size);
    await put.body.dump();
    return { digest, size };
  }
  // chunks of at least the registry's minimum, hashed as they go
  const length = Math.max(chunkSize, Number.isSafeInteger(minimum) && minimum > 0 ? minimum : 0);
  const hash = digest !== undefined ? new DigestVerifier(digest) : new ContentHash();
  let offset = 0;
  for await (const chunk of rechunk(data as AsyncIterable<Uint8Array>, length)) {
    hash.update(chunk);
    const range = `${offset}-${offset + chunk.length - 1}`;
    const patch = await send(
      'PATCH',
      at,
      { 'Content-Type': 'application/octet-stream', 'Content-Range': range },
      chunk,
      chunk.length,
    );
    await patch.body.dump();
    offset += chunk.length;
    at = location(patch.headers['location'] ?? at);
  }
  if (size !== undefined && size !== offset)
    throw new InvalidArgument(`the blob was ${offset} bytes, not its stated ${size}`);
  let final: string;
  if (hash instanceof DigestVerifier) {
    hash.verify('the blob to push'); // before the PUT that would complete it
    final = hash.expected;
  } else final = hash.digest();
  const put = await send('PUT', withDigest(at, final), { 'Content-Type': 'application/octet-stream' });
  await put.body.dump();
  return { digest: final, size: offset };
}

function withDigest(path: string, digest: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
}

/** The stream's chunks, counted: more than `size` bytes is refused at once, fewer once the stream ends. */
async function* sized(source: AsyncIterable<Uint8Array>, size: number): AsyncIterable<Uint8Array> {
  let count = 0;
  for await (const chunk of source) {
    count += chunk.length;
    if (count > size) throw new InvalidArgument(`the blob is longer than its stated ${size} bytes`);
    yield chunk;
  }
  if (count !== size) throw new InvalidArgument(`the blob was ${count} bytes, not its stated ${size}`);
}

/** The stream's chunks, hashed and counted; its last one handed on only once the whole has hashed right and is `size` bytes. */
function verified(
  source: AsyncIterable<Uint8Array>,
  verifier: DigestVerifier,
  size: number,
): AsyncIterable<Uint8Array> {
  // (copied: a source may reuse its chunk's memory once the next is asked for; a short stream is
  // refused by sized() when verifiedChunks asks past its end, before the held last chunk goes on)
  return verifiedChunks(sized(source, size), verifier, 'the blob to push', { copy: true });
}
