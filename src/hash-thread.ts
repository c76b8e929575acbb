// Long content hashed on a worker thread while the reader goes on reading: node:crypto's hash
// runs on the thread that calls it, so a verified download on one thread costs its reads plus its
// hashing, where the two can run side by side. For a consumer that borrows its chunks: each read
// is copied into one of a few slots of shared memory, reused in turn; the worker hashes a slot
// in place; a chunk is handed on (a view of its slot, valid until the consumer asks for the next)
// only once the worker has hashed it, the last only once the whole has hashed to the digest. One
// worker serves the process, made on first use and keeping it alive only while it hashes.
import type { Worker } from 'node:worker_threads'; // the module is loaded where first used
import { DigestMismatch, DockerError } from './errors.js';
import { checkDigest } from './digest.js';

/** Content shorter than this is hashed on the reading thread (a worker's start costs more than hashing it). */
export const THREAD_HASH_MIN = 64 * 1024 * 1024;
/** The shared memory of one stream: SLOTS slots of SLOT bytes, each posted to the worker once full. */
const SLOT = 1024 * 1024;
const SLOTS = 8;

// The worker: a hash per stream id; `bytes` views shared memory (postMessage shares it, no copy),
// each acknowledged once hashed; `end` answered with the hex digest (nothing when dropped). It is
// valid both as a script and as a module (a parent run as a module may evaluate it as one).
export const WORKER_SOURCE = `const { parentPort } = process.getBuiltinModule('node:worker_threads');
const { createHash } = process.getBuiltinModule('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  if (m.algorithm !== undefined) { hashes.set(m.id, createHash(m.algorithm)); return; }
  const hash = hashes.get(m.id);
  if (hash === undefined) return;
  if (m.bytes !== undefined) { hash.update(m.bytes); parentPort.postMessage({ id: m.id, hashed: true }); return; }
  hashes.delete(m.id);
  parentPort.postMessage({ id: m.id, hex: m.end ? hash.digest('hex') : undefined });
});`;

interface Listener {
  onHashed(): void;
  onDigest(hex: string): void;
  onFailure(error: Error): void;
}

let worker: Worker | undefined;
let unavailable = false;
const listeners = new Map<number, Listener>();
let nextId = 1;
/** Streams in flight: the worker keeps the process alive only while there are some. */
let active = 0;

function theWorker(): Worker | undefined {
  if (worker !== undefined || unavailable) return worker;
  try {
    const { Worker } = process.getBuiltinModule('node:worker_threads') as typeof import('node:worker_threads');
    // (none of the parent's flags: its --input-type or loaders are not the hashing's)
    const made = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    made.unref();
    made.on('message', (m: { id: number; hashed?: true; hex?: string }) => {
      const listener = listeners.get(m.id);
      if (m.hashed) listener?.onHashed();
      else if (m.hex !== undefined) listener?.onDigest(m.hex);
    });
    const fail = (error: Error): void => {
      if (worker === made) worker = undefined;
      for (const listener of listeners.values()) listener.onFailure(error);
      listeners.clear();
    };
    made.on('error', fail);
    made.on('exit', (code) => fail(new Error(`it exited (${code})`)));
    worker = made;
  } catch {
    unavailable = true; // (a runtime without worker threads: the caller hashes on its own thread)
  }
  return worker;
}

interface Slot {
  memory: Uint8Array;
  used: number;
  /** The chunks cut from it, not yet handed on. */
  chunks: Uint8Array[];
  /** Posted to the worker; hashed once it answered. */
  posted: boolean;
  hashed: boolean;
}

/**
 * The chunks of `source` (which may reuse a chunk's memory once the next is asked for), hashed on
 * the worker thread and handed on as borrowed views of shared memory: each once hashed, the last
 * only once the whole has hashed to `digest` (DigestMismatch naming `what`). Undefined when no
 * worker can be had (the caller hashes on its own thread then).
 */
export function threadVerifiedChunks(
  source: AsyncIterable<Uint8Array>,
  digest: string,
  what: string,
): AsyncGenerator<Uint8Array> | undefined {
  const algorithm = checkDigest(digest);
  const thread = theWorker();
  if (thread === undefined) return undefined;
  return hashed(thread, source, algorithm, digest, what);
}

async function* hashed(
  thread: Worker,
  source: AsyncIterable<Uint8Array>,
  algorithm: string,
  digest: string,
  what: string,
): AsyncGenerator<Uint8Array> {
  const id = nextId++;
  let hex: string | undefined;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const woken = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  /** Slots in use, oldest first (posted in this order, so answered in it). */
  const queue: Slot[] = [];
  const free: Slot[] = [];
  let made = 0;
  listeners.set(id, {
    onHashed: () => {
      queue.find((s) => s.posted && !s.hashed)!.hashed = true;
      woken();
    },
    onDigest: (value) => {
      hex = value;
      woken();
    },
    onFailure: (error) => {
      failure = new DockerError(`${what}: the hashing thread stopped before the content was hashed`, {
        cause: error,
      });
      woken();
    },
  });
  const answer = (): Promise<void> => {
    if (failure) throw failure;
    return new Promise<void>((resolve) => (wake = resolve));
  };
  const post = (slot: Slot): void => {
    if (slot.posted || slot.used === 0) return;
    slot.posted = true;
    thread.postMessage({ id, bytes: slot.memory.subarray(0, slot.used) });
  };
  /** A slot to copy into: the newest while it has room, else a free one; undefined while all wait for the worker. */
  const room = (): Slot | undefined => {
    const newest = queue.at(-1);
    if (newest && !newest.posted && newest.used < SLOT) return newest;
    if (newest) post(newest);
    let slot = free.pop();
    if (slot === undefined && made < SLOTS) {
      made++;
      slot = { memory: new Uint8Array(new SharedArrayBuffer(SLOT)), used: 0, chunks: [], posted: false, hashed: false };
    }
    if (slot) queue.push(slot);
    return slot;
  };
  let ended = false;
  if (active++ === 0) thread.ref();
  thread.postMessage({ id, algorithm });
  try {
    for await (const chunk of source) {
      let offset = 0;
      while (offset < chunk.length) {
        // hand on what is hashed, all but the newest chunk; a slot is free again once the consumer asks past its last
        while (queue[0]?.hashed && (queue.length > 1 || queue[0].chunks.length > 1)) {
          const oldest = queue[0];
          if (oldest.chunks.length > 0) {
            yield oldest.chunks.shift()!;
            continue;
          }
          queue.shift();
          oldest.used = 0;
          oldest.posted = oldest.hashed = false;
          free.push(oldest);
        }
        const slot = room();
        if (slot === undefined) {
          await answer(); // (the oldest slot is posted: its answer frees room)
          continue;
        }
        const length = Math.min(chunk.length - offset, SLOT - slot.used);
        const view = slot.memory.subarray(slot.used, slot.used + length);
        view.set(chunk.subarray(offset, offset + length));
        slot.chunks.push(view);
        slot.used += length;
        offset += length;
        if (slot.used === SLOT) post(slot);
      }
    }
    const last = queue.at(-1);
    if (last) post(last);
    thread.postMessage({ id, end: true });
    while (hex === undefined) await answer();
    ended = true;
    const actual = `${algorithm}:${hex}`;
    if (actual !== digest) throw new DigestMismatch(what, digest, actual);
    for (const slot of queue) yield* slot.chunks;
  } finally {
    if (!ended) thread.postMessage({ id, end: false });
    listeners.delete(id);
    if (--active === 0) thread.unref();
  }
}
