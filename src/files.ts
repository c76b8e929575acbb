// The file reads the library makes. readFile and stat are promises over node:fs's callback forms
// (node:fs/promises and node:util's promisify are modules to load at import, for two functions). fileChunks reads a
// file for a request body with synchronous reads, one as the consumer asks for the next chunk
// (build-context/walk.ts says why synchronous), so memory stays flat whatever the file's size.
import { closeSync, openSync, readFile as readFileCallback, readSync, stat as statCallback, type Stats } from 'node:fs';

/** The file's bytes, or its text in `encoding`. */
export function readFile(path: string): Promise<Buffer>;
export function readFile(path: string, encoding: BufferEncoding): Promise<string>;
export function readFile(path: string, encoding?: BufferEncoding): Promise<Buffer | string> {
  return new Promise((resolve, reject) =>
    readFileCallback(path, { encoding: encoding ?? null }, (error, data) => (error ? reject(error) : resolve(data))),
  );
}

/** What stat(2) says of the file (symlinks followed). */
export function stat(path: string): Promise<Stats> {
  return new Promise((resolve, reject) => statCallback(path, (error, info) => (error ? reject(error) : resolve(info))));
}

const FILE_CHUNK = 256 * 1024;

/**
 * Where a reader keeps its one buffer when chunks are reused: every chunk is then that buffer
 * refilled, valid only until the next is asked for (for a Transport with releasesChunks). One
 * holder may serve many files read one after another.
 */
export interface ChunkBuffer {
  buffer?: Buffer;
}

/** The file's chunks; a failure to open or read it is thrown as `fail(error)`. */
export async function* fileChunks(
  path: string,
  reuse: ChunkBuffer | undefined,
  fail: (error: NodeJS.ErrnoException) => Error,
): AsyncIterable<Uint8Array> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw fail(error as NodeJS.ErrnoException);
  }
  try {
    for (;;) {
      const buffer = reuse ? (reuse.buffer ??= Buffer.allocUnsafe(FILE_CHUNK)) : Buffer.allocUnsafe(FILE_CHUNK);
      let n: number;
      try {
        n = readSync(fd, buffer, 0, FILE_CHUNK, null);
      } catch (error) {
        throw fail(error as NodeJS.ErrnoException);
      }
      if (n === 0) return;
      yield n === FILE_CHUNK ? buffer : buffer.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}
