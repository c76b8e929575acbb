// The transport over node:net: unix sockets and TCP, through a keep-alive pool.
// TLS and ssh plug in as other `Connect` functions for the same pool and exchange.
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { AbortError, ConnectionError, InvalidArgument, TimeoutError } from '../errors.js';
import { encodeRequestStart } from '../http/request.js';
import type { ParserLimits } from '../http/response.js';
import { checkOptions, optionNames } from '../options.js';
import { describeAddress, type Address } from './address.js';
import { StaleConnectionError, exchange, type ExchangeOptions } from './exchange.js';
import { describeTlsError } from './tls-errors.js';
import { connectSsh, type SshOptions } from './ssh.js';
import { SocketPool, type Connect, type PoolOptions, type PoolStats } from './pool.js';
import type { Transport, TransportRequest, TransportResponse, UpgradeRequest, UpgradeResult } from './types.js';
import { upgradeConnection } from './upgrade.js';

/** TlsOptions: TLS material for tcp:// engines (`DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`, or given directly). */
export interface TlsOptions {
  /** The CA that signed the engine's certificate (PEM). */
  ca?: string | Uint8Array;
  /** Our client certificate and its key (PEM), for engines started with --tlsverify. */
  cert?: string | Uint8Array;
  /** The client certificate's key (PEM). */
  key?: string | Uint8Array;
  /** Check the engine's certificate against `ca` (default true). */
  verify?: boolean;
}

/** SocketTransportOptions: the options of `new SocketTransport(address, options)`. */
export interface SocketTransportOptions extends PoolOptions {
  /** Milliseconds allowed for establishing a connection (default 10 s). */
  connectTimeout?: number;
  /** Bounds on what the response parser accepts. */
  limits?: ParserLimits;
  /** TLS material, for a tcp:// address with TLS. */
  tls?: TlsOptions;
  /** ssh's arguments, for an ssh:// address. */
  ssh?: SshOptions;
  /** How connections are made, instead of from the address (a registry's origin, through a proxy). */
  connect?: Connect;
  /** The Host field, instead of the address's host (a registry's `host:port`). */
  hostHeader?: string;
}

/** What a connection is for, beyond the engine's HTTP/1.1: its TLS ALPN protocols, and who the peer is (for messages). */
export interface ConnectPurpose {
  /** ALPN protocols to offer (`['h2']` for gRPC); the server must pick the first. */
  alpn?: string[];
  /** The peer, as messages name it (default "the Docker engine"). */
  peer?: string;
}

const SOCKET_TRANSPORT_OPTIONS = optionNames<SocketTransportOptions>({ maxSockets: true, idleTimeout: true, connectTimeout: true, limits: true, tls: true, ssh: true, connect: true, hostHeader: true });

export function connectTo(address: Address, connectTimeout: number, tls: TlsOptions = {}, ssh: SshOptions = {}, purpose: ConnectPurpose = {}): Connect {
  if (address.kind === 'ssh') return connectSsh(address, connectTimeout, ssh);
  const where = describeAddress(address);
  const secure = address.kind === 'tcp' && address.tls;
  return async (onread) => {
    // node:tls (and with it node:crypto) is loaded only for a tcp:// engine with TLS
    const tlsConnect = secure ? (await import('node:tls')).connect : undefined;
    return new Promise<Duplex>((resolve, reject) => {
      const socket =
        address.kind === 'unix'
          ? netConnect({ path: address.path, onread })
          : tlsConnect
            ? tlsConnect({
                host: address.host,
                port: address.port,
                servername: /^[0-9.]+$|:/.test(address.host) ? '' : address.host,
                rejectUnauthorized: tls.verify ?? true,
                ...(tls.ca !== undefined ? { ca: tls.ca as string | Buffer } : {}),
                ...(tls.cert !== undefined ? { cert: tls.cert as string | Buffer } : {}),
                ...(tls.key !== undefined ? { key: tls.key as string | Buffer } : {}),
                ...(purpose.alpn ? { ALPNProtocols: purpose.alpn } : {}),
              })
            : netConnect({ host: address.host, port: address.port, onread });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TimeoutError(`connecting to ${where} took longer than ${connectTimeout} ms`));
      }, connectTimeout);
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        const agreed = 'alpnProtocol' in socket ? socket.alpnProtocol : undefined;
        if (purpose.alpn && secure && !purpose.alpn.includes(String(agreed))) {
          socket.destroy();
          reject(new ConnectionError(`${purpose.peer ?? 'the Docker engine'} at ${where} did not agree to ${purpose.alpn.join(' or ')} (ALPN)`));
          return;
        }
        socket.setNoDelay(true);
        resolve(socket);
      });
      const onError = (error: NodeJS.ErrnoException): void => {
        clearTimeout(timer);
        const why = describeTlsError(error) ?? error.code ?? error.message;
        reject(new ConnectionError(`cannot connect to ${purpose.peer ?? 'the Docker engine'} at ${where}: ${why}`, { cause: error }));
      };
      socket.once('error', onError);
    });
  };
}

/** SocketTransport: the Transport over node:net (unix sockets, TCP), TLS and ssh, with a keep-alive pool. */
export class SocketTransport implements Transport {
  readonly #pool: SocketPool;
  /** Sockets and TLS sockets, yes; ssh's pipes queue what they are given, so not over ssh. */
  readonly releasesChunks: boolean;
  /** What every exchange on this transport is given (made once, not per request). */
  readonly #exchangeOptions: ExchangeOptions;
  readonly #connect: Connect;
  readonly #where: string;

  /** A transport to `address` (see parseAddress); an unknown option is InvalidArgument, thrown. */
  constructor(address: Address, options: SocketTransportOptions = {}) {
    checkOptions('new SocketTransport', options, SOCKET_TRANSPORT_OPTIONS);
    this.releasesChunks = address.kind !== 'ssh';
    this.#connect = options.connect ?? connectTo(address, options.connectTimeout ?? 10_000, options.tls, options.ssh);
    this.#where = describeAddress(address);
    this.#pool = new SocketPool(this.#connect, options);
    // RFC 9112 §3.2: Host is required; over a unix socket any name will do, the engine ignores it.
    const host = options.hostHeader ?? (address.kind !== 'tcp' ? 'docker' : address.host.includes(':') ? `[${address.host}]` : address.host);
    this.#exchangeOptions = {
      host,
      ...(options.limits ? { limits: options.limits } : {}),
      attach: (socket, handlers) => this.#pool.attach(socket, handlers),
      release: (socket, reusable) => this.#pool.release(socket, reusable),
    };
  }

  async request(request: TransportRequest): Promise<TransportResponse> {
    // The head is checked (and encoded, once) before a connection is taken from the pool; so is a
    // declared body length.
    const start = encodeRequestStart({ method: request.method, target: request.path, headers: Object.entries(request.headers ?? {}) });
    if (request.bodyLength !== undefined) checkBodyLength(request.bodyLength, request.body);
    const replayable = request.body === undefined || typeof request.body === 'string' || request.body instanceof Uint8Array;
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
    const fields = Object.entries(request.headers ?? {}).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value] as const] : value.map((v) => [name, v] as const)));
    const start = encodeRequestStart({ method: request.method, target: request.path, headers: fields });
    return upgradeConnection(this.#connect, `${start}Host: ${this.#exchangeOptions.host}\r\nContent-Length: 0\r\n`, this.#where, {
      ...(request.timeout ? { timeout: request.timeout } : {}),
      signal: request.signal,
    });
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
  if (!(Number.isSafeInteger(length) && length >= 0)) throw new InvalidArgument('bodyLength must be a whole number of bytes');
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body instanceof Uint8Array ? body.length : length;
  if (size !== length) throw new InvalidArgument(`bodyLength ${length} is not the body's ${size} bytes`);
}
