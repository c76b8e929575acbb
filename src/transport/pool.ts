// A bounded keep-alive pool of connections. It knows nothing of HTTP: a connection comes back
// through release(socket, reusable) and is kept only if the exchange says it is clean.
//
// Each connection gets its event listeners once, when it is made, and they dispatch to whichever
// exchange holds it (attach/detach), or, while it sits idle, close it on any sign of life: bytes
// nobody asked for, an end, an error. No listener is added or removed per request.
import type { Duplex } from 'node:stream';
import { ClientClosed } from '../errors.js';
import { abortError } from './deadline.js';

/** What a connection's own reads may fill (each chunk is copied out of it); Node's own suggestion. A lent read (read-ring.ts) may fill more. */
const READ_SIZE = 64 * 1024;

/**
 * Makes a connection. A node:net socket is made with `onread` (the socket then reads into the
 * memory the pool gives it, and calls back instead of emitting 'data'); other streams ignore it.
 */
export type Connect = (onread?: ReadInto) => Promise<Duplex>;

/** node:net's `onread` option. */
export interface ReadInto {
  buffer: () => Uint8Array;
  callback: (length: number, buffer: Uint8Array) => boolean;
}

/** PoolStats: a connection pool's counts, for tests and monitoring. */
export interface PoolStats {
  /** Connections made since the pool started. */
  created: number;
  /** Connections open now, busy or idle. */
  open: number;
  /** Open connections waiting for a request. */
  idle: number;
  /** Requests waiting for a connection. */
  waiting: number;
}

/** PoolOptions: how many connections a pool keeps, and for how long. */
export interface PoolOptions {
  /** Most connections open at once (default 16). */
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
  /**
   * Bytes received. `transient`: the memory is read into again after this call (a node:net
   * socket's own buffer or the holder's ring), so a chunk kept past it must be copied or held.
   */
  data(chunk: Uint8Array, transient: boolean): void;
  /** The memory for the next read, when the holder lends reads to its consumer (a ReadRing). */
  readBuffer(): Uint8Array | undefined;
  end(): void;
  close(): void;
  error(error: NodeJS.ErrnoException): void;
  drain(): void;
}

interface Waiter {
  resolve(lease: Lease): void;
  reject(error: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** What the pool knows of one connection; made once, when the connection is. */
interface Connection {
  socket: Duplex;
  /** What a node:net socket reads into while no holder lends its own (its bytes are copied out). */
  spare: Buffer | undefined;
  /** The exchange holding the connection, if one does. */
  handlers: ConnectionHandlers | undefined;
  /** When it became idle (ms), or 0 while it is held or once it is dropped. */
  idleSince: number;
  dropped: boolean;
}

export class SocketPool {
  readonly #connect: Connect;
  readonly #maxSockets: number;
  readonly #idleTimeout: number;
  // Per-request bookkeeping writes fields of a connection's record, never adds to or deletes from
  // a Map or Set (whose tables reallocate as they fill and empty): a request is cheaper that way.
  readonly #connections = new WeakMap<Duplex, Connection>();
  /** Idle connections, most recently released last; an entry dropped since is skipped and swept. */
  readonly #idle: Connection[] = [];
  #idleCount = 0;
  readonly #waiters: Waiter[] = [];
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
  get stats(): PoolStats {
    return { created: this.#created, open: this.#open, idle: this.#idleCount, waiting: this.#waiters.length };
  }

  /** An idle connection, at once, if there is one (and the pool is open and `signal` not aborted). */
  takeIdle(signal?: AbortSignal): Lease | undefined {
    if (this.#closed || signal?.aborted) return undefined;
    let connection: Connection | undefined;
    while ((connection = this.#idle.pop()) !== undefined && connection.idleSince === 0);
    if (!connection) return undefined;
    connection.idleSince = 0;
    this.#idleCount--;
    // the sweeper is not stopped here: a busy pool would start and stop it on every request;
    // it stops itself when it finds nothing idle
    (connection.socket as { ref?: () => void }).ref?.();
    return { socket: connection.socket, reused: true };
  }

  acquire(signal?: AbortSignal): Promise<Lease> {
    if (this.#closed) return Promise.reject(new ClientClosed());
    if (signal?.aborted) return Promise.reject(abortError(signal.reason));
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
          reject(abortError(signal?.reason));
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Routes the connection's events to `handlers` until the connection is released. */
  attach(socket: Duplex, handlers: ConnectionHandlers): void {
    const connection = this.#connections.get(socket);
    if (connection) connection.handlers = handlers;
  }

  /** Gives a connection back: kept for reuse when `reusable`, destroyed otherwise. */
  release(socket: Duplex, reusable: boolean): void {
    const connection = this.#connections.get(socket);
    if (!connection) {
      socket.destroy(); // not one of ours: never kept
      return;
    }
    connection.handlers = undefined;
    if (!reusable || this.#closed || socket.destroyed || !socket.readable || !socket.writable) {
      this.#drop(connection);
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
    connection.idleSince = Date.now();
    this.#idle.push(connection);
    this.#idleCount++;
    this.#sweeper ??= setInterval(() => this.#sweep(), Math.max(1000, this.#idleTimeout / 2)).unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const connection of this.#idle.splice(0)) if (connection.idleSince !== 0) this.#drop(connection);
    this.#stopSweeper();
    for (const waiter of this.#waiters.splice(0)) waiter.reject(new ClientClosed());
  }

  #sweep(): void {
    const now = Date.now();
    for (const connection of this.#idle) {
      if (connection.idleSince !== 0 && now - connection.idleSince >= this.#idleTimeout) this.#drop(connection);
    }
    // forget the entries of connections taken or dropped since (an idle pool would collect them)
    let kept = 0;
    for (const connection of this.#idle) if (connection.idleSince !== 0) this.#idle[kept++] = connection;
    this.#idle.length = kept;
    if (this.#idleCount === 0) this.#stopSweeper();
  }

  #stopSweeper(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  async #create(): Promise<Lease> {
    this.#open++;
    this.#created++;
    // made before the socket, whose reads it routes from the start
    const connection: Connection = {
      socket: undefined as unknown as Duplex,
      spare: undefined,
      handlers: undefined,
      idleSince: 0,
      dropped: false,
    };
    const onread: ReadInto = {
      buffer: () => connection.handlers?.readBuffer() ?? (connection.spare ??= Buffer.allocUnsafeSlow(READ_SIZE)),
      callback: (length, buffer) => {
        const chunk = buffer.subarray(0, length);
        if (connection.handlers) connection.handlers.data(chunk, true);
        else this.#drop(connection);
        return true;
      },
    };
    try {
      const socket = await this.#connect(onread);
      connection.socket = socket;
      this.#listen(connection);
      return { socket, reused: false };
    } catch (error) {
      this.#open--;
      this.#serveWaiter();
      throw error;
    }
  }

  #listen(connection: Connection): void {
    const socket = connection.socket;
    this.#connections.set(socket, connection);
    // Without a holder, anything that happens to a connection makes it unusable. ('data' comes
    // only from streams made without `onread`: TLS, ssh's pipes.)
    socket.on('data', (chunk: Buffer) => {
      if (connection.handlers) connection.handlers.data(chunk, false);
      else this.#drop(connection);
    });
    socket.on('end', () => {
      if (connection.handlers) connection.handlers.end();
      else this.#drop(connection);
    });
    socket.on('close', () => {
      if (connection.handlers) connection.handlers.close();
      else this.#drop(connection);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (connection.handlers) connection.handlers.error(error);
      else this.#drop(connection);
    });
    socket.on('drain', () => connection.handlers?.drain());
  }

  #drop(connection: Connection): void {
    if (connection.idleSince !== 0) {
      connection.idleSince = 0;
      this.#idleCount--;
      if (this.#idleCount === 0) this.#stopSweeper();
    }
    connection.handlers = undefined;
    if (connection.dropped) return;
    connection.dropped = true;
    this.#open--;
    connection.socket.destroy();
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
