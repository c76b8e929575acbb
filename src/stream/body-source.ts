// What callers may hand us as a body (a load's tarball, a build's context): bytes, a Node Readable,
// a web ReadableStream, or any async iterable of bytes. Streamed, never read whole.
import { InvalidArgument } from '../errors.js';

/** BinarySource: bytes a call streams out: a Uint8Array, a Node Readable or any AsyncIterable of bytes, or a web ReadableStream. */
export type BinarySource = Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

export function toBodySource(data: unknown, what: string): Uint8Array | AsyncIterable<Uint8Array> {
  if (data instanceof Uint8Array) return data;
  if (data !== null && typeof data === 'object') {
    if (Symbol.asyncIterator in data) return checkedChunks(data as AsyncIterable<unknown>, what);
    if (typeof (data as ReadableStream).getReader === 'function')
      return readerChunks(data as ReadableStream<unknown>, what);
  }
  throw new InvalidArgument(`${what} must be a Uint8Array, a Readable, a ReadableStream or an async iterable of bytes`);
}

async function* checkedChunks(source: AsyncIterable<unknown>, what: string): AsyncIterable<Uint8Array> {
  for await (const chunk of source) yield asBytes(chunk, what);
}

async function* readerChunks(stream: ReadableStream<unknown>, what: string): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield asBytes(value, what);
    }
  } finally {
    reader.releaseLock();
  }
}

function asBytes(chunk: unknown, what: string): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  throw new InvalidArgument(`${what} produced a chunk that is not a Uint8Array`);
}
