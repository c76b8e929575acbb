// A layer's stored bytes as the tar they hold. The compression is read from the bytes' magic
// numbers (a docker-archive names no media types, and a mislabelled blob is decoded as what it
// is); the media type only names the layer in errors. An uncompressed layer stays random access,
// so listing it seeks past file contents.
import { ArchiveError, DockerError, UnsupportedMediaType } from '../errors.js';
import { isRandomAccess, type RandomAccess } from '../tar/reader.js';
import { accessChunks } from './access.js';
import type { BlobBytes } from './source.js';

/** The runtime as errors name it: `node v20.19.0`, `bun 1.4.0`, `deno 2.9.0`. */
export function runtimeName(): string {
  const g = globalThis as { Deno?: { version?: { deno?: string } } };
  if (g.Deno?.version?.deno) return `deno ${g.Deno.version.deno}`;
  if (process.versions['bun']) return `bun ${process.versions['bun']}`;
  return `node ${process.version}`;
}

/** The first bytes of a stream, and the stream again from its start. */
async function peek(
  stream: AsyncIterable<Uint8Array>,
): Promise<{ head: Uint8Array; stream: AsyncIterable<Uint8Array> }> {
  const it = stream[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done ? new Uint8Array(0) : first.value;
  async function* again(): AsyncIterable<Uint8Array> {
    try {
      if (!first.done) yield head;
      for (;;) {
        const next = await it.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      await it.return?.();
    }
  }
  return { head, stream: again() };
}

const GZIP = [0x1f, 0x8b];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];
const starts = (head: Uint8Array, magic: number[]): boolean => magic.every((b, i) => head[i] === b);

/** The uncompressed tar of a layer: random access when it was stored uncompressed and could be read so, else a stream. */
export async function layerTar(
  bytes: BlobBytes,
  mediaType: string,
  what: string,
): Promise<RandomAccess | AsyncIterable<Uint8Array>> {
  let head: Uint8Array;
  let stream: AsyncIterable<Uint8Array>;
  if (isRandomAccess(bytes)) {
    head = await bytes.read(0, 4);
    if (!starts(head, GZIP) && !starts(head, ZSTD)) return bytes;
    stream = accessChunks(bytes);
  } else {
    ({ head, stream } = await peek(bytes));
    if (!starts(head, GZIP) && !starts(head, ZSTD)) return stream;
  }
  const zlib = await import('node:zlib'); // loaded only for compressed layers
  let decoder: import('node:stream').Transform;
  if (starts(head, GZIP)) decoder = zlib.createGunzip();
  else {
    const create = (zlib as { createZstdDecompress?: () => import('node:stream').Transform }).createZstdDecompress;
    if (typeof create !== 'function')
      throw new UnsupportedMediaType(
        mediaType || 'a zstd-compressed layer',
        runtimeName(),
        'zstd needs node:zlib createZstdDecompress, Node 22.15 or 23.8 and later',
      );
    decoder = create();
  }
  return decode(stream, decoder, what);
}

async function* decode(
  source: AsyncIterable<Uint8Array>,
  decoder: import('node:stream').Transform,
  what: string,
): AsyncIterable<Uint8Array> {
  const { Readable } = await import('node:stream');
  const input = Readable.from(source, { objectMode: false });
  input.on('error', (error) => decoder.destroy(error));
  input.pipe(decoder);
  try {
    for await (const chunk of decoder) yield chunk as Uint8Array;
  } catch (error) {
    if (error instanceof DockerError) throw error;
    throw new ArchiveError(`${what} does not decompress: ${(error as Error).message}`, { cause: error });
  } finally {
    input.destroy();
    decoder.destroy();
  }
}
