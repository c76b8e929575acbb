// A layer blob made on the fly: its tar (replayable: a folder walked again, files packed again, a
// tar file read again) compressed with gzip or zstd. A first pass measures it (the blob's digest
// and size, the tar's diff_id) with memory flat; each later read makes the same bytes again and
// checks them against that digest before their last chunk is handed on (a file that changed in
// between is a DigestMismatch, never a layer that lies). gzip is written at one level with a
// fixed header (no time, no OS byte: 255 as Go writes it), so that the same tar gives the same
// blob wherever the same zlib runs.
import { Readable } from 'node:stream';
import { DigestMismatch, UnsupportedMediaType } from '../errors.js';
import { runtimeName } from '../image-archive/decompress.js';

/** Compression of an added layer. */
export type Compression = 'gzip' | 'zstd';

const GZIP_LEVEL = 1;
const OS_BYTE = 9;

/** LayerBlob: a layer measured, and its bytes made again on demand. */
export interface LayerBlob {
  digest: string;
  /** The digest of the uncompressed tar (rootfs.diff_ids). */
  diffId: string;
  size: number;
  compression: Compression;
  /** The blob's bytes, made again and checked against `digest`. */
  open(): AsyncIterable<Uint8Array>;
}

/** The media type of a layer so compressed, in the OCI or the Docker family. */
export function layerMediaType(compression: Compression, oci: boolean): string {
  if (compression === 'zstd') return 'application/vnd.oci.image.layer.v1.tar+zstd';
  return oci ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.docker.image.rootfs.diff.tar.gzip';
}

async function compressor(compression: Compression): Promise<import('node:stream').Transform> {
  const zlib = await import('node:zlib');
  if (compression === 'gzip') return zlib.createGzip({ level: GZIP_LEVEL });
  const create = (zlib as { createZstdCompress?: () => import('node:stream').Transform }).createZstdCompress;
  if (typeof create !== 'function')
    throw new UnsupportedMediaType(
      'application/vnd.oci.image.layer.v1.tar+zstd',
      runtimeName(),
      'zstd needs node:zlib createZstdCompress, Node 22.15 or 23.8 and later',
    );
  return create();
}

/** Refuses a compression this runtime cannot write (UnsupportedMediaType), before anything is read. */
export async function checkCompression(compression: Compression): Promise<void> {
  (await compressor(compression)).destroy();
}

/** `tar` compressed; `onTar` sees each uncompressed chunk first. */
async function* compressed(
  tar: AsyncIterable<Uint8Array>,
  compression: Compression,
  onTar: (chunk: Uint8Array) => void,
): AsyncIterable<Uint8Array> {
  const encoder = await compressor(compression);
  const input = Readable.from(
    (async function* () {
      for await (const chunk of tar) {
        onTar(chunk);
        yield chunk;
      }
    })(),
    { objectMode: false },
  );
  input.on('error', (error) => encoder.destroy(error));
  input.pipe(encoder);
  let first = compression === 'gzip';
  try {
    for await (const chunk of encoder) {
      const bytes = chunk as Buffer;
      if (first && bytes.length > OS_BYTE) {
        bytes[OS_BYTE] = 0xff;
        first = false;
      }
      yield bytes;
    }
  } finally {
    input.destroy();
    encoder.destroy();
  }
}

/** Measures the layer `tar()` makes, compressed with `compression`. */
export async function measureLayer(tar: () => AsyncIterable<Uint8Array>, compression: Compression): Promise<LayerBlob> {
  const diff = process.getBuiltinModule('node:crypto').createHash('sha256');
  const blob = process.getBuiltinModule('node:crypto').createHash('sha256');
  let size = 0;
  for await (const chunk of compressed(tar(), compression, (c) => diff.update(c))) {
    blob.update(chunk);
    size += chunk.length;
  }
  const digest = `sha256:${blob.digest('hex')}`;
  return {
    digest,
    diffId: `sha256:${diff.digest('hex')}`,
    size,
    compression,
    open: () =>
      checked(
        compressed(tar(), compression, () => {}),
        digest,
        'an added layer',
      ),
  };
}

/** The chunks of `source`, hashed; the last one handed on only once the whole hashes to `digest`. */
export async function* checked(
  source: AsyncIterable<Uint8Array>,
  digest: string,
  what: string,
): AsyncIterable<Uint8Array> {
  const [algorithm, hex] = digest.split(':') as [string, string];
  const hash = process.getBuiltinModule('node:crypto').createHash(algorithm === 'sha512' ? 'sha512' : 'sha256');
  let held: Uint8Array | undefined;
  for await (const chunk of source) {
    hash.update(chunk);
    if (held) yield held;
    held = chunk.slice();
  }
  const actual = hash.digest('hex');
  if (actual !== hex) throw new DigestMismatch(`${what} changed while it was read`, digest, `${algorithm}:${actual}`);
  if (held) yield held;
}
