// The transport over node:net: unix sockets and TCP, through a keep-alive pool.
// TLS and ssh plug in as other `Connect` functions for the same pool and exchange.
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { AbortError, ConnectionError, TimeoutError } from '../errors.js';
import { encodeRequestStart } from '../http/request.js';
import type { ParserLimits } from '../http/response.js';
import { describeAddress, type Address } from './address.js';
import { StaleConnectionError, exchange } from './exchange.js';
import { SocketPool, type Connect, type PoolOptions } from './pool.js';
import type { Transport, TransportRequest, TransportResponse } from './types.js';

export interface SocketTransportOptions extends PoolOptions {
  /** Milliseconds allowed for establishing a connection (default 10 s). */
  connectTimeout?: number;
  limits?: ParserLimits;
}

export function connectTo(address: Address, connectTimeout: number): Connect {
  const where = describeAddress(address);
  return () =>
    new Promise<Duplex>((resolve, reject) => {
      if (address.kind === 'tcp' && address.tls) {
        reject(new ConnectionError(`TLS connections (${where}) are not supported yet`));
        return;
      }
      const socket =
        address.kind === 'unix' ? netConnect({ path: address.path }) : netConnect({ host: address.host, port: address.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TimeoutError(`connecting to ${where} took longer than ${connectTimeout} ms`));
      }, connectTimeout);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        socket.setNoDelay(true);
        resolve(socket);
      });
      const onError = (error: NodeJS.ErrnoException): void => {
        clearTimeout(timer);
        reject(new ConnectionError(`cannot connect to the Docker engine at ${where}: ${error.code ?? error.message}`, { cause: error }));
      };
      socket.once('error', onError);
    });
}

export class SocketTransport implements Transport {
  readonly pool: SocketPool;
  readonly #host: string;
  readonly #limits: ParserLimits | undefined;

  constructor(address: Address, options: SocketTransportOptions = {}) {
    this.pool = new SocketPool(connectTo(address, options.connectTimeout ?? 10_000), options);
    // RFC 9112 §3.2: Host is required; over a unix socket any name will do, the engine ignores it.
    this.#host = address.kind === 'unix' ? 'docker' : address.host.includes(':') ? `[${address.host}]` : address.host;
    this.#limits = options.limits;
  }

  async request(request: TransportRequest): Promise<TransportResponse> {
    // The head is checked (and encoded, once) before a connection is taken from the pool.
    const start = encodeRequestStart({ method: request.method, target: request.path, headers: Object.entries(request.headers ?? {}) });
    const replayable = request.body === undefined || typeof request.body === 'string' || request.body instanceof Uint8Array;
    for (let attempt = 0; ; attempt++) {
      const lease = await this.pool.acquire(request.signal).catch((error: unknown) => {
        throw error instanceof AbortError || error instanceof ConnectionError || error instanceof TimeoutError
          ? error
          : new ConnectionError(String((error as Error).message ?? error));
      });
      try {
        return await exchange(lease.socket, request, start, {
          host: this.#host,
          ...(this.#limits ? { limits: this.#limits } : {}),
          attach: (socket, handlers) => this.pool.attach(socket, handlers),
          release: (socket, reusable) => this.pool.release(socket, reusable),
        });
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

  close(): Promise<void> {
    return this.pool.close();
  }
}
