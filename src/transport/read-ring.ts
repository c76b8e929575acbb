// The memory a socket reads into (node:net's `onread`), when a response's consumer borrows its
// chunks (TransportRequest.borrowBody): a few buffers taken in turn, each reused once every chunk
// cut from it has been given back: reads go into memory that is already mapped and warm, with no
// allocation per read, so a long save runs at flat memory.
//
// A chunk is held from the moment the parser cuts it from a read until the consumer asks for the
// next one (or stops). The buffer the socket will read into next must have no held chunk: the
// exchange stops reading until it has none (see `nextHeld`).

/** What one read into the ring may fill: large, so that a long body costs few reads (and few hash updates). */
export const RING_READ_SIZE = 1024 * 1024;
const BUFFERS = 4;

export class ReadRing {
  /** (made as the socket first asks for each: a TLS or ssh connection, read without onread, asks for none) */
  readonly #buffers: Buffer[] = [];
  readonly #held = new Int32Array(BUFFERS);
  /** The buffer the socket will be given next. */
  #next = 0;
  /** The buffer the socket reads into now (the last one handed out), or -1. */
  #reading = -1;

  /** The socket's next read buffer (called by node:net after every read). */
  take(): Buffer {
    this.#reading = this.#next;
    this.#next = (this.#next + 1) % BUFFERS;
    return (this.#buffers[this.#reading] ??= Buffer.allocUnsafeSlow(RING_READ_SIZE));
  }

  /** The ring buffer `chunk` is cut from, or -1 when it is other memory. */
  #indexOf(chunk: Uint8Array): number {
    for (let i = 0; i < this.#buffers.length; i++) if (this.#buffers[i]!.buffer === chunk.buffer) return i;
    return -1;
  }

  /** True when `chunk` is cut from the ring. */
  owns(chunk: Uint8Array): boolean {
    return this.#indexOf(chunk) !== -1;
  }

  /** Marks `chunk` as held when it is cut from the ring; false when it is other memory. */
  hold(chunk: Uint8Array): boolean {
    const i = this.#indexOf(chunk);
    if (i === -1) return false;
    this.#held[i]!++;
    return true;
  }

  /** The consumer is done with `chunk` (one that hold() accepted). */
  release(chunk: Uint8Array): void {
    const i = this.#indexOf(chunk);
    if (i !== -1) this.#held[i]!--;
  }

  /**
   * True when the buffer a read would go into now still holds a borrowed chunk. Asked inside a
   * read's callback, that is the buffer the socket is given right after it (the next); asked
   * while reading is stopped, it is the one the socket already has.
   */
  nextHeld(inRead: boolean): boolean {
    return this.#held[inRead ? this.#next : this.#reading]! > 0;
  }
}
