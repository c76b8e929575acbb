// A bounded keep-alive pool of connections. It knows nothing of HTTP: a connection comes back
// through release(socket, reusable) and is kept only if the exchange says it is clean.
import type { Duplex } from 'node:stream';
import { AbortError } from '../errors.js';

export type Connect = () => Promise<Duplex>;

export interface PoolOptions {
  maxSockets?: number;
  /** How long an idle connection is kept open (ms). */
  idleTimeout?: number;
}

export interface Lease {
  socket: Duplex;
  /** True when the socket served an earlier request (it may have been closed by the peer since). */
  reused: boolean;
}

interface Waiter {
  resolve(lease: Lease): void;
  reject(error: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

interface Idle {
  socket: Duplex;
  timer: NodeJS.Timeout;
  onGone: () => void;
}

export class SocketPool {
  readonly #connect: Connect;
  readonly #maxSockets: number;
  readonly #idleTimeout: number;
  readonly #idle: Idle[] = [];
  readonly #waiters: Waiter[] = [];
  readonly #dropped = new WeakSet<Duplex>();
  #open = 0;
  #created = 0;
  #closed = false;

  constructor(connect: Connect, options: PoolOptions = {}) {
    this.#connect = connect;
    this.#maxSockets = options.maxSockets ?? 16;
    this.#idleTimeout = options.idleTimeout ?? 30_000;
  }

  /** Connections opened so far, connections open now, and of those, idle ones. */
  get stats(): { created: number; open: number; idle: number; waiting: number } {
    return { created: this.#created, open: this.#open, idle: this.#idle.length, waiting: this.#waiters.length };
  }

  acquire(signal?: AbortSignal): Promise<Lease> {
    if (this.#closed) return Promise.reject(new Error('the client is closed'));
    if (signal?.aborted) return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
    const idle = this.#idle.pop();
    if (idle) return Promise.resolve(this.#lease(idle));
    if (this.#open < this.#maxSockets) return this.#create();
    return new Promise<Lease>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.#waiters.indexOf(waiter);
          if (i !== -1) this.#waiters.splice(i, 1);
          reject(new AbortError(undefined, { cause: signal?.reason }));
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Gives a connection back: kept for reuse when `reusable`, destroyed otherwise. */
  release(socket: Duplex, reusable: boolean): void {
    if (!reusable || this.#closed || socket.destroyed || !socket.readable || !socket.writable) {
      this.#drop(socket);
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve({ socket, reused: true });
      return;
    }
    const onGone = (): void => {
      const i = this.#idle.findIndex((e) => e.socket === socket);
      if (i !== -1) {
        clearTimeout(this.#idle[i]!.timer);
        this.#idle.splice(i, 1);
      }
      this.#drop(socket);
    };
    // An idle connection must not keep the process alive, and any byte it receives is
    // unsolicited: it is closed rather than handed to the next request.
    const timer = setTimeout(onGone, this.#idleTimeout).unref();
    socket.once('close', onGone).once('error', onGone).once('data', onGone).once('end', onGone);
    (socket as { unref?: () => void }).unref?.();
    this.#idle.push({ socket, timer, onGone });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const idle of this.#idle.splice(0)) {
      clearTimeout(idle.timer);
      this.#drop(idle.socket);
    }
    for (const waiter of this.#waiters.splice(0)) waiter.reject(new Error('the client is closed'));
  }

  #lease(idle: Idle): Lease {
    clearTimeout(idle.timer);
    idle.socket.off('close', idle.onGone).off('error', idle.onGone).off('data', idle.onGone).off('end', idle.onGone);
    (idle.socket as { ref?: () => void }).ref?.();
    return { socket: idle.socket, reused: true };
  }

  async #create(): Promise<Lease> {
    this.#open++;
    this.#created++;
    try {
      const socket = await this.#connect();
      return { socket, reused: false };
    } catch (error) {
      this.#open--;
      this.#serveWaiter();
      throw error;
    }
  }

  #drop(socket: Duplex): void {
    if (!this.#dropped.has(socket)) {
      this.#dropped.add(socket);
      this.#open--;
      socket.destroy();
      this.#serveWaiter();
    }
  }

  #serveWaiter(): void {
    if (this.#closed || this.#open >= this.#maxSockets) return;
    const waiter = this.#waiters.shift();
    if (!waiter) return;
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
    this.#create().then(waiter.resolve, waiter.reject);
  }
}
