// A stream openImageArchive is given, read once. Its bytes are kept in memory while they are
// few, and past a bound written to a file in a new temporary folder, in large writes that go on
// while the stream is read. As the bytes pass, the archive's own tar headers are read (the
// members and where each starts), and so are the headers of any member that is itself a tar (an
// uncompressed layer): paths and offsets, never contents. The layout then needs no pass over the
// archive, and the merged view none over such a layer. Any member or archive these headers do not
// read cleanly is simply not listed: it is read again from the spool, and refused there as it
// would be from a path.
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchiveError } from '../errors.js';
import { copyHeader, readTar, type TarHeader } from '../tar/reader.js';
import { bytesAccess, handleAccess, type OwnedAccess } from './access.js';
import type { LayerEntry } from './source.js';

/** SPOOL_MEMORY: a stream up to this many bytes is kept in memory; a longer one goes to a temporary folder. */
export const SPOOL_MEMORY = 16 * 1024 * 1024;


/** One member of the archive as its header says, and, when it is a tar, its entries. */
export interface SpooledMember {
  name: string;
  type: TarHeader['type'];
  offset: number;
  size: number;
  linkname?: string;
  entries?: LayerEntry[];
}

/** What spool() gives: the bytes, and the archive's members when its headers read cleanly to its end. */
export interface Spooled {
  access: OwnedAccess;
  members: SpooledMember[] | undefined;
}

/** The most entries listed across all members while spooling (headers only); past it, members are read again later. */
const MAX_LISTED = 1_000_000;
/** Writes gather the stream's chunks into blocks of this size... */
const BLOCK = 1024 * 1024;
/** ...and the stream waits for the file while this much is not yet written. */
const UNWRITTEN = 16 * 1024 * 1024;

/** Where the bytes go: memory up to a bound, then a file written in blocks, one batch of them at a time, behind the reading. */
class Sink {
  readonly #memoryLimit: number;
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

  constructor(memoryLimit: number) {
    this.#memoryLimit = memoryLimit;
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
    this.#folder = await mkdtemp(join(tmpdir(), 'dockwire-archive-'));
    this.#handle = await open(join(this.#folder, 'archive.tar'), 'w+');
    this.#full = this.#held.splice(0) as Buffer[];
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
    return handleAccess(this.#handle, this.size, () => rm(folder, { recursive: true, force: true }));
  }

  /** Lets go of the file and removes the folder. */
  async abort(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing.catch(() => {});
    await this.#handle?.close();
    if (this.#folder !== undefined) await rm(this.#folder, { recursive: true, force: true });
  }
}

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
 * spool: the bytes of `stream`, read once (in memory up to `memoryLimit`, past it in a new
 * temporary folder that the access's close() removes), and the members of the tar they are.
 */
export async function spool(stream: AsyncIterable<Uint8Array>, memoryLimit = SPOOL_MEMORY): Promise<Spooled> {
  const sink = new Sink(memoryLimit);
  const it = stream[Symbol.asyncIterator]();
  let sourceFailed = false;
  // the stream as the header reader sees it: each chunk goes to the sink as it passes; the
  // reader stopping early does not end the stream (the rest is still spooled)
  const passing: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await it.next();
        } catch (error) {
          sourceFailed = true;
          throw error;
        }
        if (!next.done) await sink.push(next.value);
        return next;
      },
      return: async () => ({ done: true, value: undefined }),
    }),
  };
  try {
    // an archive whose headers do not read is read again from the spool, and refused there
    const unread = (error: unknown): undefined => {
      if (sourceFailed || !(error instanceof ArchiveError)) throw error;
      return undefined;
    };
    const members = await listMembers(passing, unread).catch(unread);
    for (;;) {
      const next = await it.next();
      if (next.done) break;
      await sink.push(next.value);
    }
    return { access: await sink.finish(), members };
  } catch (error) {
    await it.return?.();
    await sink.abort();
    throw error;
  }
}

/** The members of the tar `bytes` are, each member that is a tar with its entries. */
async function listMembers(
  bytes: AsyncIterable<Uint8Array>,
  unread: (error: unknown) => undefined,
): Promise<SpooledMember[]> {
  const members: SpooledMember[] = [];
  let listed = 0;
  for await (const entry of readTar(bytes)) {
    const member: SpooledMember = { name: entry.name, type: entry.type, offset: entry.offset, size: entry.size };
    if (entry.linkname !== undefined) member.linkname = entry.linkname;
    members.push(member);
    if (entry.type !== 'file' || entry.size < 1024 || listed >= MAX_LISTED) continue;
    const entries = await listEntries(entry.body, MAX_LISTED - listed).catch(unread);
    if (entries === undefined) continue;
    member.entries = entries;
    listed += entries.length;
  }
  return members;
}

/** The entries of a member that is a tar (headers only); undefined when it has more than `most`. */
async function listEntries(body: AsyncIterable<Uint8Array>, most: number): Promise<LayerEntry[] | undefined> {
  const entries: LayerEntry[] = [];
  for await (const entry of readTar(body)) {
    if (entries.length === most) return undefined;
    entries.push({ header: copyHeader(entry), offset: entry.offset });
  }
  return entries;
}
