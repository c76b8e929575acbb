// The transport over node:net: unix sockets and TCP, through a keep-alive pool.
// TLS and ssh plug in as other `Connect` functions for the same pool and exchange.
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { ConnectionError } from '../errors.js';
import type { ParserLimits } from '../http/response.js';
import { checkOptions, optionNames } from '../options.js';
import { describeAddress, type Address } from './address.js';
import { DEFAULT_CONNECT_TIMEOUT, bracketHost, opened, serverName } from './connect.js';
import { HttpTransport } from './http-transport.js';
import { connectSsh, type SshOptions } from './ssh.js';
import type { Connect, PoolOptions, PoolStats } from './pool.js';
import type { Transport, TransportRequest, TransportResponse, UpgradeRequest, UpgradeResult } from './types.js';

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
}

/** What a connection is for, beyond the engine's HTTP/1.1: its TLS ALPN protocols, and who the peer is (for messages). */
export interface ConnectPurpose {
  /** ALPN protocols to offer (`['h2']` for gRPC); the server must pick the first. */
  alpn?: string[];
  /** The peer, as messages name it (default "the Docker engine"). */
  peer?: string;
}

const SOCKET_TRANSPORT_OPTIONS = optionNames<SocketTransportOptions>({
  maxSockets: true,
  idleTimeout: true,
  connectTimeout: true,
  limits: true,
  tls: true,
  ssh: true,
});

/** Opens connections to the engine (or BuildKit) at `address`, for `purpose`. */
export function connectTo(
  address: Address,
  connectTimeout: number,
  tls: TlsOptions = {},
  ssh: SshOptions = {},
  purpose: ConnectPurpose = {},
): Connect {
  if (address.kind === 'ssh') return connectSsh(address, connectTimeout, ssh);
  const where = describeAddress(address);
  const secure = address.kind === 'tcp' && address.tls;
  const peer = purpose.peer ?? 'the Docker engine';
  return async (onread) => {
    // node:tls (and with it node:crypto) is loaded only for a tcp:// engine with TLS
    const tlsConnect = secure ? (await import('node:tls')).connect : undefined;
    const socket =
      address.kind === 'unix'
        ? netConnect({ path: address.path, onread })
        : tlsConnect
          ? tlsConnect({
              host: address.host,
              port: address.port,
              servername: serverName(address.host),
              rejectUnauthorized: tls.verify ?? true,
              ...(tls.ca !== undefined ? { ca: tls.ca as string | Buffer } : {}),
              ...(tls.cert !== undefined ? { cert: tls.cert as string | Buffer } : {}),
              ...(tls.key !== undefined ? { key: tls.key as string | Buffer } : {}),
              ...(purpose.alpn ? { ALPNProtocols: purpose.alpn } : {}),
            })
          : netConnect({ host: address.host, port: address.port, onread });
    return opened<Duplex>(socket, {
      ready: secure ? 'secureConnect' : 'connect',
      deadline: Date.now() + connectTimeout,
      late: `connecting to ${where} took longer than ${connectTimeout} ms`,
      failed: (why) => `cannot connect to ${peer} at ${where}: ${why}`,
      peer,
      check: (connected) => {
        const agreed = 'alpnProtocol' in connected ? connected.alpnProtocol : undefined;
        if (!purpose.alpn || !secure || purpose.alpn.includes(String(agreed))) return undefined;
        return new ConnectionError(`${peer} at ${where} did not agree to ${purpose.alpn.join(' or ')} (ALPN)`);
      },
    });
  };
}

/** SocketTransport: the Transport over node:net (unix sockets, TCP), TLS and ssh, with a keep-alive pool. */
export class SocketTransport implements Transport {
  readonly #http: HttpTransport;

  /** A transport to `address` (see parseAddress); an unknown option is InvalidArgument, thrown. */
  constructor(address: Address, options: SocketTransportOptions = {}) {
    checkOptions('new SocketTransport', options, SOCKET_TRANSPORT_OPTIONS);
    const connect = connectTo(address, options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT, options.tls, options.ssh);
    this.#http = new HttpTransport(connect, {
      // RFC 9112 §3.2: Host is required; over a unix socket any name will do, the engine ignores it.
      host: address.kind !== 'tcp' ? 'docker' : bracketHost(address.host),
      where: describeAddress(address),
      releasesChunks: address.kind !== 'ssh',
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.maxSockets !== undefined ? { maxSockets: options.maxSockets } : {}),
      ...(options.idleTimeout !== undefined ? { idleTimeout: options.idleTimeout } : {}),
    });
  }

  /** Sockets and TLS sockets, yes; ssh's pipes queue what they are given, so not over ssh. */
  get releasesChunks(): boolean {
    return this.#http.releasesChunks;
  }

  request(request: TransportRequest): Promise<TransportResponse> {
    return this.#http.request(request);
  }

  upgrade(request: UpgradeRequest): Promise<UpgradeResult> {
    return this.#http.upgrade(request);
  }

  /** The pool's counts: connections made, open, idle, and requests waiting. */
  get stats(): PoolStats {
    return this.#http.stats;
  }

  /** Closes idle connections and refuses new requests. */
  close(): Promise<void> {
    return this.#http.close();
  }
}
