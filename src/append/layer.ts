// A layer blob made once: its tar (a folder walked, files packed, a tar read) compressed with gzip
// or zstd, measured as it streams (the blob's digest and size, the tar's diff_id) and kept as it
// is measured: in memory up to a bound, past it in a temporary folder (image-archive's spool), so
// memory stays flat and nothing is packed twice. Each read reads the kept bytes back and checks
// them against the digest before their last chunk is handed on; close() lets them go. gzip is
// written at one level with a fixed header (no time, no OS byte: 255 as Go writes it), so that
// the same tar gives the same blob wherever the same zlib runs.
import { Readable } from 'node:stream';
import { DigestVerifier, verifiedChunks } from '../digest.js';
import { UnsupportedMediaType } from '../errors.js';
import { accessChunks } from '../image-archive/access.js';
import { spool } from '../image-archive/spool.js';
import { runtimeName } from '../image-archive/decompress.js';

/** Compression of an added layer. */
export type Compression = 'gzip' | 'zstd';

const GZIP_LEVEL = 1;
const OS_BYTE = 9;
/** The size of gzip's output chunks (node:zlib's default is 16 KiB): fewer, larger pieces to hash and keep. */
const GZIP_CHUNK = 256 * 1024;
/** A layer's blob up to this size is kept in memory; a larger one in a temporary folder. */
const KEPT_IN_MEMORY = 1024 * 1024;

/** LayerBlob: a layer measured, and its bytes kept to be read again. */
export interface LayerBlob {
  digest: string;
  /** The digest of the uncompressed tar (rootfs.diff_ids). */
  diffId: string;
  size: number;
  compression: Compression;
  /** The blob's bytes, read back from where they were kept and checked against `digest`. */
  open(): AsyncIterable<Uint8Array>;
  /** Lets the kept bytes go (their temporary folder removed). */
  close(): Promise<void>;
}

/** The media type of a layer so compressed, in the OCI or the Docker family. */
export function layerMediaType(compression: Compression, oci: boolean): string {
  if (compression === 'zstd') return 'application/vnd.oci.image.layer.v1.tar+zstd';
  return oci ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.docker.image.rootfs.diff.tar.gzip';
}

async function compressor(compression: Compression): Promise<import('node:stream').Transform> {
  const zlib = await import('node:zlib');
  if (compression === 'gzip') return zlib.createGzip({ level: GZIP_LEVEL, chunkSize: GZIP_CHUNK });
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

/** MeasureOptions: how measureLayer keeps what it measures. */
export interface MeasureOptions {
  /** Stops the measuring (the kept bytes let go). */
  signal?: AbortSignal;
  /** Bytes kept in memory before the blob goes to a temporary folder (1 MiB unless given). */
  memoryLimit?: number;
}

/**
 * Measures the layer `tar` makes, compressed with `compression`, and keeps the blob: in memory
 * up to a bound, past it in a temporary folder that close() removes (as does a failure or an
 * abort while measuring).
 */
export async function measureLayer(
  tar: AsyncIterable<Uint8Array>,
  compression: Compression,
  options: MeasureOptions = {},
): Promise<LayerBlob> {
  const { signal } = options;
  signal?.throwIfAborted();
  const diff = process.getBuiltinModule('node:crypto').createHash('sha256');
  const blob = process.getBuiltinModule('node:crypto').createHash('sha256');
  let size = 0;
  const kept = await spool(
    (async function* () {
      for await (const chunk of compressed(tar, compression, (c) => diff.update(c))) {
        signal?.throwIfAborted();
        blob.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    })(),
    options.memoryLimit ?? KEPT_IN_MEMORY,
    'dockwire-layer-',
  );
  const digest = `sha256:${blob.digest('hex')}`;
  return {
    digest,
    diffId: `sha256:${diff.digest('hex')}`,
    size,
    compression,
    open: () =>
      verifiedChunks(accessChunks(kept), new DigestVerifier(digest), 'an added layer, kept since it was measured'),
    close: () => kept.close(),
  };
}
