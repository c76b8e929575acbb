// Random access over what openImageArchive is given: a file (read at offsets), bytes in memory,
// or the file a stream was spooled to (spool.ts).
import type { FileHandle } from 'node:fs/promises';
import { ArchiveError } from '../errors.js';
import type { RandomAccess } from '../tar/reader.js';

/** The bytes of each read when random access is read through as a stream. */
const PIECE = 256 * 1024;

/** Random access that holds something to let go of (a file handle, a temporary folder). */
export interface OwnedAccess extends RandomAccess {
  close(): Promise<void>;
}

export function bytesAccess(bytes: Uint8Array): OwnedAccess {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
    close: async () => {},
  };
}

/** `size` bytes of `access` from `offset`, as random access of their own. */
export function sliceAccess(access: RandomAccess, offset: number, size: number): RandomAccess {
  const slice: RandomAccess = { size, read: (at, length) => access.read(offset + at, Math.min(length, size - at)) };
  const readInto = access.readInto?.bind(access);
  if (readInto)
    slice.readInto = (at, target) =>
      readInto(offset + at, target.subarray(0, Math.max(0, Math.min(target.length, size - at))));
  return slice;
}

/** Random access over an open file of `size` bytes; close() closes it, then calls `onClose`. */
export async function handleAccess(
  handle: FileHandle,
  size: number,
  onClose: () => Promise<void>,
): Promise<OwnedAccess> {
  const readInto = async (offset: number, target: Uint8Array): Promise<number> => {
    const length = Math.max(0, Math.min(target.length, size - offset));
    let got = 0;
    while (got < length) {
      const { bytesRead } = await handle.read(target, got, length - got, offset + got);
      if (bytesRead === 0)
        throw new ArchiveError(
          `the archive file is shorter than it was when it was opened (${offset + got} of ${size} bytes)`,
        );
      got += bytesRead;
    }
    return got;
  };
  return {
    size,
    readInto,
    async read(offset, length) {
      const buffer = Buffer.allocUnsafe(Math.max(0, Math.min(length, size - offset)));
      await readInto(offset, buffer);
      return buffer;
    },
    async close() {
      await handle.close();
      await onClose();
    },
  };
}

/** The bytes of `access` in order, `piece` bytes a read. */
export async function* accessChunks(access: RandomAccess, piece = PIECE): AsyncIterable<Uint8Array> {
  for (let at = 0; at < access.size; at += piece) yield await access.read(at, Math.min(piece, access.size - at));
}

export async function fileAccess(path: string): Promise<OwnedAccess> {
  const handle = await process.getBuiltinModule('node:fs/promises').open(path, 'r');
  const { size } = await handle.stat();
  return handleAccess(handle, size, async () => {});
}
