// A bounded keep-alive pool of connections. It knows nothing of HTTP: a connection comes back
// through release(socket, reusable) and is kept only if the exchange says it is clean.
//
// Each connection gets its event listeners once, when it is made, and they dispatch to whichever
// exchange holds it (attach/detach), or, while it sits idle, close it on any sign of life: bytes
// nobody asked for, an end, an error. No listener is added or removed per request.
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

/** What an exchange listens to while it holds a connection. */
export interface ConnectionHandlers {
  onData(chunk: Buffer): void;
  onEnd(): void;
  onClose(): void;
  onError(error: NodeJS.ErrnoException): void;
  onDrain(): void;
}

interface Waiter {
  resolve(lease: Lease): void;
  reject(error: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export class SocketPool {
  readonly #connect: Connect;
  readonly #maxSockets: number;
  readonly #idleTimeout: number;
  /** idle connections, most recently used last, with the time they became idle */
  readonly #idle = new Map<Duplex, number>();
  /** The same idle connections as a stack, to take the most recent without a walk of the map;
   *  an entry whose connection was dropped since is skipped when it comes up. */
  readonly #stack: Duplex[] = [];
  readonly #handlers = new Map<Duplex, ConnectionHandlers>();
  readonly #waiters: Waiter[] = [];
  readonly #dropped = new WeakSet<Duplex>();
  #sweeper: NodeJS.Timeout | undefined;
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
    return { created: this.#created, open: this.#open, idle: this.#idle.size, waiting: this.#waiters.length };
  }

  /** An idle connection, at once, if there is one (and the pool is open and `signal` not aborted). */
  takeIdle(signal?: AbortSignal): Lease | undefined {
    if (this.#closed || signal?.aborted) return undefined;
    const idle = this.#takeIdle();
    return idle ? { socket: idle, reused: true } : undefined;
  }

  acquire(signal?: AbortSignal): Promise<Lease> {
    if (this.#closed) return Promise.reject(new Error('the client is closed'));
    if (signal?.aborted) return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
    const idle = this.takeIdle();
    if (idle) return Promise.resolve(idle);
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

  /** Routes the connection's events to `handlers` until the connection is released. */
  attach(socket: Duplex, handlers: ConnectionHandlers): void {
    this.#handlers.set(socket, handlers);
  }

  /** Gives a connection back: kept for reuse when `reusable`, destroyed otherwise. */
  release(socket: Duplex, reusable: boolean): void {
    this.#handlers.delete(socket);
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
    // An idle connection must not keep the process alive.
    (socket as { unref?: () => void }).unref?.();
    this.#idle.set(socket, Date.now());
    this.#stack.push(socket);
    this.#sweeper ??= setInterval(() => this.#sweep(), Math.max(1000, this.#idleTimeout / 2)).unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const socket of [...this.#idle.keys()]) this.#drop(socket);
    this.#stopSweeper();
    for (const waiter of this.#waiters.splice(0)) waiter.reject(new Error('the client is closed'));
  }

  #takeIdle(): Duplex | undefined {
    let last: Duplex | undefined;
    while ((last = this.#stack.pop()) !== undefined && !this.#idle.has(last));
    if (!last) return undefined;
    this.#idle.delete(last);
    // the sweeper is not stopped here: a busy pool would start and stop it on every request;
    // it stops itself when it finds nothing idle
    (last as { ref?: () => void }).ref?.();
    return last;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [socket, since] of this.#idle) if (now - since >= this.#idleTimeout) this.#drop(socket);
    // forget the dropped ones' stack entries (an idle pool would otherwise collect them)
    const live = this.#stack.filter((socket) => this.#idle.has(socket));
    this.#stack.splice(0, this.#stack.length, ...live);
    if (this.#idle.size === 0) this.#stopSweeper();
  }

  #stopSweeper(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  async #create(): Promise<Lease> {
    this.#open++;
    this.#created++;
    try {
      const socket = await this.#connect();
      this.#listen(socket);
      return { socket, reused: false };
    } catch (error) {
      this.#open--;
      this.#serveWaiter();
      throw error;
    }
  }

  #listen(socket: Duplex): void {
    // Without a holder, anything that happens to a connection makes it unusable.
    const gone = (): void => {
      if (!this.#handlers.has(socket)) this.#drop(socket);
    };
    const handlers = this.#handlers;
    socket.on('data', (chunk: Buffer) => {
      const h = handlers.get(socket);
      if (h) h.onData(chunk);
      else gone();
    });
    socket.on('end', () => {
      const h = handlers.get(socket);
      if (h) h.onEnd();
      else gone();
    });
    socket.on('close', () => {
      const h = handlers.get(socket);
      if (h) h.onClose();
      else gone();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const h = handlers.get(socket);
      if (h) h.onError(error);
      else gone();
    });
    socket.on('drain', () => handlers.get(socket)?.onDrain());
  }

  #drop(socket: Duplex): void {
    this.#idle.delete(socket);
    if (this.#idle.size === 0) this.#stopSweeper();
    this.#handlers.delete(socket);
    if (this.#dropped.has(socket)) return;
    this.#dropped.add(socket);
    this.#open--;
    socket.destroy();
    this.#serveWaiter();
  }

  #serveWaiter(): void {
    if (this.#closed || this.#open >= this.#maxSockets) return;
    const waiter = this.#waiters.shift();
    if (!waiter) return;
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
    this.#create().then(waiter.resolve, waiter.reject);
  }
}
