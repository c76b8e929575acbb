// An HTTP/1.1 transport over connections a Connect function opens, through a keep-alive pool:
// what SocketTransport (the engine's address) and OriginTransport (a registry's origin) share.
import { AbortError, ConnectionError, InvalidArgument, TimeoutError } from '../errors.js';
import { encodeRequestStart } from '../http/request.js';
import type { ParserLimits } from '../http/response.js';
import { StaleConnectionError, exchange, type ExchangeOptions } from './exchange.js';
import { SocketPool, type Connect, type PoolOptions, type PoolStats } from './pool.js';
import type { Transport, TransportRequest, TransportResponse, UpgradeRequest, UpgradeResult } from './types.js';
import { upgradeConnection } from './upgrade.js';

/** What an HttpTransport is made of besides its Connect. */
export interface HttpTransportOptions extends PoolOptions {
  /** The Host field sent (RFC 9112 §3.2). */
  host: string;
  /** The peer, as messages name it. */
  where: string;
  /** Whether the connections let go of a chunk once written (sockets do; ssh's pipes queue them). */
  releasesChunks: boolean;
  limits?: ParserLimits;
}

/** HttpTransport: requests over a keep-alive pool of the connections `connect` opens. */
export class HttpTransport implements Transport {
  readonly #pool: SocketPool;
  readonly releasesChunks: boolean;
  /** What every exchange on this transport is given (made once, not per request). */
  readonly #exchangeOptions: ExchangeOptions;
  readonly #connect: Connect;
  readonly #where: string;

  constructor(connect: Connect, options: HttpTransportOptions) {
    this.releasesChunks = options.releasesChunks;
    this.#connect = connect;
    this.#where = options.where;
    this.#pool = new SocketPool(connect, {
      ...(options.maxSockets !== undefined ? { maxSockets: options.maxSockets } : {}),
      ...(options.idleTimeout !== undefined ? { idleTimeout: options.idleTimeout } : {}),
    });
    this.#exchangeOptions = {
      host: options.host,
      ...(options.limits ? { limits: options.limits } : {}),
      attach: (socket, handlers) => this.#pool.attach(socket, handlers),
      release: (socket, reusable) => this.#pool.release(socket, reusable),
    };
  }

  async request(request: TransportRequest): Promise<TransportResponse> {
    // The head is checked (and encoded, once) before a connection is taken from the pool; so is a
    // declared body length.
    const start = encodeRequestStart({
      method: request.method,
      target: request.path,
      headers: Object.entries(request.headers ?? {}),
    });
    if (request.bodyLength !== undefined) checkBodyLength(request.bodyLength, request.body);
    const replayable =
      request.body === undefined || typeof request.body === 'string' || request.body instanceof Uint8Array;
    for (let attempt = 0; ; attempt++) {
      // an idle kept-alive connection is taken at once; otherwise wait for one (or a new one)
      const lease =
        this.#pool.takeIdle(request.signal) ??
        (await this.#pool.acquire(request.signal).catch((error: unknown) => {
          throw error instanceof AbortError || error instanceof ConnectionError || error instanceof TimeoutError
            ? error
            : new ConnectionError(String((error as Error).message ?? error));
        }));
      try {
        return await exchange(lease.socket, request, start, this.#exchangeOptions);
      } catch (error) {
        // A kept-alive connection the engine closed while it sat idle: try once on a fresh one.
        if (error instanceof StaleConnectionError) {
          if (lease.reused && replayable && attempt === 0) continue;
          throw new ConnectionError(error.message, { cause: error.cause });
        }
        throw error;
      }
    }
  }

  upgrade(request: UpgradeRequest): Promise<UpgradeResult> {
    const fields = Object.entries(request.headers ?? {}).flatMap(([name, value]) =>
      typeof value === 'string' ? [[name, value] as const] : value.map((v) => [name, v] as const),
    );
    const start = encodeRequestStart({ method: request.method, target: request.path, headers: fields });
    return upgradeConnection(
      this.#connect,
      `${start}Host: ${this.#exchangeOptions.host}\r\nContent-Length: 0\r\n`,
      this.#where,
      {
        ...(request.timeout ? { timeout: request.timeout } : {}),
        signal: request.signal,
      },
    );
  }

  /** The pool's counts: connections made, open, idle, and requests waiting. */
  get stats(): PoolStats {
    return this.#pool.stats;
  }

  /** Closes idle connections and refuses new requests. */
  close(): Promise<void> {
    return this.#pool.close();
  }
}

/** A declared body length: a whole number of bytes, and a body of bytes' own length. */
function checkBodyLength(length: number, body: TransportRequest['body']): void {
  if (!(Number.isSafeInteger(length) && length >= 0))
    throw new InvalidArgument('bodyLength must be a whole number of bytes');
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body instanceof Uint8Array ? body.length : length;
  if (size !== length) throw new InvalidArgument(`bodyLength ${length} is not the body's ${size} bytes`);
}
