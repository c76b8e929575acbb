// Connections to an HTTP origin (a registry, its token realm, the storage a blob redirects to):
// plain TCP or TLS (SNI, the system's CAs, or CAs given), directly or through an HTTP proxy's
// CONNECT tunnel (RFC 9110 §9.3.6). One keep-alive pool per origin, all of the same design as the
// engine's (SocketPool).
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { ConnectionError, InvalidArgument, ProtocolError, TimeoutError } from '../errors.js';
import type { ParserLimits } from '../http/response.js';
import type { Connect } from './pool.js';
import { DEFAULT_CONNECT_TIMEOUT, bracketHost, opened, serverName } from './connect.js';
import { HttpTransport } from './http-transport.js';
import type { TransportRequest, TransportResponse } from './types.js';

/** An origin: scheme, host and port (RFC 6454). */
export interface Origin {
  secure: boolean;
  /** A name or an IP address (an IPv6 one without brackets). */
  host: string;
  port: number;
}

/** A proxy to tunnel through: `http://[user:password@]host:port`. */
export interface Proxy {
  host: string;
  port: number;
  /** `user:password`, sent as Proxy-Authorization: Basic. */
  credentials?: string;
}

/** OriginTls: TLS settings of one origin (from host configuration: certs.d, hosts.toml). */
export interface OriginTls {
  /** The CAs to trust (Node's roots among them when they are still to be trusted). */
  ca?: string[];
  /** A client certificate and its key (PEM), presented when the server asks for one. */
  cert?: string;
  key?: string;
  /** False to skip verifying the server's certificate. */
  rejectUnauthorized?: boolean;
  /** Said after a TLS failure: what would fix it (the certs.d folder for the host). */
  hint?: string;
}

/** OriginSettings: what one origin has of its own (host configuration: certs.d, hosts.toml). */
export interface OriginSettings {
  /** TLS settings (an https origin's). */
  tls?: OriginTls;
  /** Milliseconds allowed to connect to it (hosts.toml `dial_timeout`). */
  connectTimeout?: number;
}

export interface OriginTransportOptions {
  /** Extra CA certificates (PEM) trusted for TLS origins, beside Node's. */
  ca?: string | Uint8Array;
  /** One origin's own TLS settings and connect timeout, read when its pool is made (undefined: the defaults). */
  origin?: (origin: Origin) => OriginSettings | undefined;
  /** Milliseconds allowed to connect (and to set up TLS and a tunnel). */
  connectTimeout?: number;
  /** The proxy for an origin, or undefined to go direct (see proxyFor). */
  proxy?: (origin: Origin) => Proxy | undefined;
  maxSockets?: number;
  limits?: ParserLimits;
}

/** `host:port` as it stands in a Host field or an authority (an IPv6 host bracketed). */
export function authority(origin: { host: string; port: number }): string {
  return `${bracketHost(origin.host)}:${origin.port}`;
}

export function originKey(origin: Origin): string {
  return `${origin.secure ? 'https' : 'http'}://${authority(origin)}`;
}

/** The origin of an absolute http(s) URL, and its path with query; anything else is ProtocolError. */
export function splitUrl(url: string): { origin: Origin; path: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ProtocolError(`not an absolute URL: ${JSON.stringify(url.slice(0, 120))}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new ProtocolError(`not an http(s) URL: ${parsed.protocol}`);
  if (parsed.username || parsed.password) throw new ProtocolError('a URL with credentials in it is refused');
  const secure = parsed.protocol === 'https:';
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    origin: { secure, host, port: parsed.port ? Number(parsed.port) : secure ? 443 : 80 },
    path: `${parsed.pathname}${parsed.search}`,
  };
}

/**
 * The proxy the environment names for `origin`, as curl and Go read it: HTTPS_PROXY for https,
 * HTTP_PROXY for http (either spelling), none when NO_PROXY lists the host (a name, a
 * `.suffix`, an IP, `host:port`, or `*`).
 */
export function proxyFor(origin: Origin, env: Record<string, string | undefined>): Proxy | undefined {
  const get = (name: string): string | undefined => env[name] ?? env[name.toLowerCase()];
  const noProxy = get('NO_PROXY');
  if (noProxy) {
    const host = origin.host.toLowerCase();
    for (const raw of noProxy.split(/[\s,]+/)) {
      const entry = raw.trim().toLowerCase();
      if (!entry) continue;
      if (entry === '*') return undefined;
      const [name, port] = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry)?.slice(1) ?? [entry, undefined];
      if (port !== undefined && Number(port) !== origin.port) continue;
      const bare = (name ?? '').replace(/^\[(.*)\]$/, '$1').replace(/^\*?\./, '.');
      if (host === bare.replace(/^\./, '') || (bare.startsWith('.') && host.endsWith(bare))) return undefined;
    }
  }
  const value = origin.secure ? get('HTTPS_PROXY') : get('HTTP_PROXY');
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new InvalidArgument(`the proxy ${origin.secure ? 'HTTPS_PROXY' : 'HTTP_PROXY'} is not a URL`);
  }
  if (url.protocol !== 'http:') throw new InvalidArgument(`only http:// proxies are supported (${url.protocol})`);
  const credentials = url.username
    ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
    : undefined;
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : 80,
    ...(credentials !== undefined ? { credentials } : {}),
  };
}

/** Makes connections to `origin`: TCP (through `proxy`'s tunnel if given), then TLS if secure. */
export function connectOrigin(
  origin: Origin,
  options: { ca?: string | Uint8Array; tls?: OriginTls | undefined; connectTimeout: number; proxy: Proxy | undefined },
): Connect {
  const where = authority(origin);
  return async (onread) => {
    const tls = origin.secure ? await import('node:tls') : undefined; // loaded only for an https origin
    const deadline = Date.now() + options.connectTimeout;
    const late = `connecting to ${where}${options.proxy ? ' through the proxy' : ''} took longer than ${options.connectTimeout} ms`;
    const to = options.proxy ?? origin;
    const tcp = await opened(
      netConnect({ host: to.host, port: to.port, ...(onread && !options.proxy ? { onread } : {}) }),
      {
        ready: 'connect',
        deadline,
        late,
        failed: (why) => `cannot connect to ${options.proxy ? `the proxy for ${where}` : where}: ${why}`,
        peer: where,
      },
    );
    if (options.proxy) await tunnel(tcp, options.proxy, where, deadline);
    if (!tls) return tcp;
    const given =
      options.ca !== undefined ? [String(typeof options.ca === 'string' ? options.ca : Buffer.from(options.ca))] : [];
    const own = options.tls;
    const roots = own?.ca ?? (given.length > 0 ? [...tls.rootCertificates] : undefined);
    const settings = {
      ...(roots !== undefined ? { ca: [...roots, ...given] } : {}),
      ...(own?.cert !== undefined && own.key !== undefined ? { cert: own.cert, key: own.key } : {}),
      ...(own?.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
    };
    return opened(tls.connect({ socket: tcp, servername: serverName(origin.host), ...settings }), {
      ready: 'secureConnect',
      deadline,
      late: `TLS with ${where} took longer than ${options.connectTimeout} ms`,
      failed: (why) => `TLS with ${where} failed: ${why}${own?.hint !== undefined ? `; ${own.hint}` : ''}`,
      peer: where,
    });
  };
}

/** Asks the proxy for a tunnel to `where` and waits for its 2xx (the head only; nothing may follow it). */
function tunnel(socket: Duplex, proxy: Proxy, where: string, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let head = '';
    const done = (error?: Error): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onEnd);
      if (error) {
        socket.destroy();
        reject(error);
      } else resolve();
    };
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) {
        if (head.length > 16_384) done(new ProtocolError(`the proxy's answer to CONNECT ${where} has no end`));
        return;
      }
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (!status) return done(new ProtocolError(`the proxy answered CONNECT ${where} with something else than HTTP`));
      if (end + 4 !== head.length)
        return done(new ProtocolError(`the proxy sent bytes after its answer to CONNECT ${where}`));
      if (!status[1]!.startsWith('2'))
        return done(new ConnectionError(`the proxy refused a tunnel to ${where}: ${status[1]}`));
      socket.pause();
      done();
    };
    const onError = (error: Error): void =>
      done(new ConnectionError(`the proxy for ${where} failed: ${error.message}`, { cause: error }));
    const onEnd = (): void => done(new ConnectionError(`the proxy closed the tunnel to ${where} before it was open`));
    const timer = setTimeout(
      () => done(new TimeoutError(`the proxy did not open a tunnel to ${where} in time`, { kind: 'connect' })),
      Math.max(0, deadline - Date.now()),
    );
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('end', onEnd);
    const auth =
      proxy.credentials !== undefined
        ? `Proxy-Authorization: Basic ${Buffer.from(proxy.credentials).toString('base64')}\r\n`
        : '';
    socket.write(`CONNECT ${where} HTTP/1.1\r\nHost: ${where}\r\n${auth}\r\n`, 'latin1');
  });
}

/** Keep-alive pools to many origins: one SocketTransport each, made on first use. */
export class OriginTransport {
  readonly #options: OriginTransportOptions;
  readonly #pools = new Map<string, HttpTransport>();

  constructor(options: OriginTransportOptions = {}) {
    this.#options = options;
  }

  request(origin: Origin, request: TransportRequest): Promise<TransportResponse> {
    return this.#pool(origin).request(request);
  }

  #pool(origin: Origin): HttpTransport {
    const key = originKey(origin);
    let pool = this.#pools.get(key);
    if (!pool) {
      const proxy = this.#options.proxy?.(origin);
      const own = this.#options.origin?.(origin);
      const connectTimeout = own?.connectTimeout ?? this.#options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
      const tls = origin.secure ? own?.tls : undefined;
      const connect = connectOrigin(origin, {
        connectTimeout,
        proxy,
        tls,
        ...(this.#options.ca !== undefined ? { ca: this.#options.ca } : {}),
      });
      pool = new HttpTransport(connect, {
        // RFC 9112 §3.2: the port is left out when it is the scheme's default
        host: origin.port === (origin.secure ? 443 : 80) ? bracketHost(origin.host) : authority(origin),
        where: originKey(origin),
        releasesChunks: true,
        ...(this.#options.maxSockets !== undefined ? { maxSockets: this.#options.maxSockets } : {}),
        ...(this.#options.limits ? { limits: this.#options.limits } : {}),
      });
      this.#pools.set(key, pool);
    }
    return pool;
  }

  /** Connections made to `origin` so far (for tests of keep-alive). */
  created(origin: Origin): number {
    return this.#pools.get(originKey(origin))?.stats.created ?? 0;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((pool) => pool.close()));
    this.#pools.clear();
  }
}
