// A stream openImageArchive is given, read once: kept in memory while it is small, and past a
// bound written to a file in a new temporary folder, in large writes that go on while the stream
// is read (not one awaited write per chunk).
import type { FileHandle } from 'node:fs/promises'; // (node:fs/promises and node:os are loaded where first used)
import { join } from 'node:path';
import { bytesAccess, handleAccess, type OwnedAccess } from './access.js';

/** SPOOL_MEMORY: a stream up to this many bytes is kept in memory; a longer one goes to a temporary folder. */
export const SPOOL_MEMORY = 16 * 1024 * 1024;

/** Writes gather the stream's chunks into blocks of this size... */
const BLOCK = 1024 * 1024;
/** ...and the stream waits for the file while this much is not yet written. */
const UNWRITTEN = 16 * 1024 * 1024;

/** Where the bytes go: memory up to a bound, then a file written in blocks, one batch of them at a time, behind the reading. */
class Sink {
  readonly #memoryLimit: number;
  readonly #prefix: string;
  #held: Uint8Array[] = [];
  size = 0;
  #folder: string | undefined;
  #handle: FileHandle | undefined;
  /** Blocks full and not yet handed to the file, and the one being filled. */
  #full: Buffer[] = [];
  #block: Buffer | undefined;
  #blockUsed = 0;
  /** Blocks written, to be filled again (fresh memory costs a page fault per page). */
  readonly #free: Buffer[] = [];
  #written = 0;
  #writing: Promise<void> | undefined;
  #failed: unknown;

  constructor(memoryLimit: number, prefix: string) {
    this.#memoryLimit = memoryLimit;
    this.#prefix = prefix;
  }

  /** Takes a copy of `chunk` (a stream may reuse a chunk's memory once it is asked for the next). */
  async push(chunk: Uint8Array): Promise<void> {
    this.size += chunk.length;
    if (this.#handle === undefined) {
      this.#held.push(Buffer.from(chunk));
      if (this.size > this.#memoryLimit) await this.#toFile();
      return;
    }
    this.#gather(chunk);
    this.#kick();
    while (this.#writing !== undefined && this.size - this.#written > UNWRITTEN) await this.#writing;
    if (this.#failed !== undefined) throw this.#failed;
  }

  async #toFile(): Promise<void> {
    const { mkdtemp, open } = process.getBuiltinModule('node:fs/promises');
    this.#folder = await mkdtemp(join(process.getBuiltinModule('node:os').tmpdir(), this.#prefix));
    this.#handle = await open(join(this.#folder, 'spooled'), 'w+');
    // in blocks too: however small the stream's chunks, a write takes a few buffers
    for (const held of this.#held.splice(0)) this.#gather(held);
    this.#kick();
  }

  #gather(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      this.#block ??= this.#free.pop() ?? Buffer.allocUnsafe(BLOCK);
      const take = Math.min(chunk.length - at, BLOCK - this.#blockUsed);
      this.#block.set(chunk.subarray(at, at + take), this.#blockUsed);
      this.#blockUsed += take;
      at += take;
      if (this.#blockUsed === BLOCK) {
        this.#full.push(this.#block);
        this.#block = undefined;
        this.#blockUsed = 0;
      }
    }
  }

  /** Starts writing what is gathered, unless a write is under way (it starts the next when it ends). */
  #kick(): void {
    if (this.#writing !== undefined || this.#full.length === 0 || this.#failed !== undefined) return;
    const batch = this.#full.splice(0);
    const at = this.#written;
    const length = batch.reduce((n, b) => n + b.length, 0);
    this.#writing = writeAll(this.#handle!, batch, at).then(
      () => {
        this.#written = at + length;
        this.#writing = undefined;
        for (const block of batch) if (block.length === BLOCK) this.#free.push(block);
        this.#kick();
      },
      (error: unknown) => {
        this.#failed = error;
        this.#writing = undefined;
      },
    );
  }

  /** The bytes, as random access: in memory, or the file once everything is written. */
  async finish(): Promise<OwnedAccess> {
    if (this.#handle === undefined) return bytesAccess(Buffer.concat(this.#held, this.size));
    if (this.#block !== undefined) this.#full.push(this.#block.subarray(0, this.#blockUsed));
    this.#block = undefined;
    this.#kick();
    while (this.#writing !== undefined) await this.#writing;
    if (this.#failed !== undefined) throw this.#failed;
    const folder = this.#folder!;
    return handleAccess(this.#handle, this.size, () => removed(folder));
  }

  /** Lets go of the file and removes the folder. */
  async abort(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing.catch(() => {});
    await this.#handle?.close();
    if (this.#folder !== undefined) await removed(this.#folder);
  }
}

const removed = (folder: string): Promise<void> =>
  process.getBuiltinModule('node:fs/promises').rm(folder, { recursive: true, force: true });

/** Writes `buffers` at `position`, all of them (a writev may write fewer bytes than it is given). */
async function writeAll(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let left = buffers;
  let at = position;
  while (left.length > 0) {
    const { bytesWritten } = await handle.writev(left, at);
    at += bytesWritten;
    let skip = bytesWritten;
    const rest: Buffer[] = [];
    for (const b of left) {
      if (skip >= b.length) skip -= b.length;
      else {
        rest.push(skip > 0 ? b.subarray(skip) : b);
        skip = 0;
      }
    }
    left = rest;
  }
}

/**
 * spool: the bytes of `stream`, read once: in memory up to `memoryLimit`, past it in a new
 * temporary folder named from `prefix` that the access's close() removes, as does a failure of
 * the stream or of the writing.
 */
export async function spool(
  stream: AsyncIterable<Uint8Array>,
  memoryLimit = SPOOL_MEMORY,
  prefix = 'dockwire-archive-',
): Promise<OwnedAccess> {
  const sink = new Sink(memoryLimit, prefix);
  const it = stream[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await it.next();
      if (next.done) break;
      await sink.push(next.value);
    }
    return await sink.finish();
  } catch (error) {
    await it.return?.();
    await sink.abort();
    throw error;
  }
}
