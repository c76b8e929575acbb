// Loopback proxies for tests that must see or change what passes between two real parties:
// one in front of the engine that counts the requests it forwards, one in front of a registry
// that answers some requests with 429 Too Many Requests.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './temp.js';

export interface EngineProxy {
  /** unix:// address to give a client instead of the engine's. */
  host: string;
  /** The request lines forwarded so far (`POST /v1.41/images/create?...`). */
  requests: string[];
  close(): Promise<void>;
}

/** Forwards a unix socket to the engine at `engineHost`, noting every request line it passes on. */
export async function engineProxy(engineHost: string): Promise<EngineProxy> {
  const path = join(tempDir('dockwire-proxy-'), 'engine.sock');
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(engineHost.replace(/^unix:\/\//, ''));
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      for (const m of chunk
        .toString('latin1')
        .matchAll(/(?:^|\r\n)((?:GET|POST|PUT|DELETE|HEAD) \/\S* HTTP\/1\.1)\r\n/g))
        requests.push(m[1]!);
    });
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await listen(server, path);
  return {
    host: `unix://${path}`,
    requests,
    close: () => closeServer(server, sockets),
  };
}

export interface RateLimitedRegistry {
  /** host:port of the proxy, for image names. */
  address: string;
  /** How many manifest requests were answered 429. */
  limited: number;
  close(): Promise<void>;
}

/**
 * A plain HTTP proxy on a loopback port in front of the registry at `upstream` (host:port) that
 * answers manifest requests (GET or HEAD /v2/.../manifests/...) with 429 and a registry's
 * TOOMANYREQUESTS error while `limiting()` says so, and forwards everything else unchanged. (An
 * engine may ask for a manifest more than once in one pull, HEAD then GET: a test says which
 * pulls to limit, rather than how many requests.)
 */
export async function rateLimitedRegistry(upstream: string, limiting: () => boolean): Promise<RateLimitedRegistry> {
  const [upstreamHost, upstreamPort] = upstream.split(':') as [string, string];
  const sockets = new Set<Socket>();
  const state = { limited: 0 };
  const server = createServer((client) => {
    sockets.add(client);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      // an engine tries TLS first, then plain HTTP: a TLS handshake (0x16) gets the answer a
      // plain HTTP server gives it (as the registry itself does), on which engines fall back
      if (head.length === 0 && chunk[0] === 0x16) {
        client.end('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      client.off('data', onData);
      const line = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      if (/^(GET|HEAD) \/v2\/\S+\/manifests\/\S+ /.test(line) && limiting()) {
        state.limited++;
        const body = '{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit."}]}';
        client.end(
          `HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${line.startsWith('HEAD') ? '' : body}`,
        );
        return;
      }
      // forwarded with Connection: close, so the registry closes after its answer and the
      // engine's next request comes on a new connection, whose head this proxy reads again
      const forwarded = Buffer.concat([
        Buffer.from(
          head
            .subarray(0, end)
            .toString('latin1')
            .replace(/\r\nConnection:[^\r]*/gi, '') + '\r\nConnection: close',
          'latin1',
        ),
        head.subarray(end),
      ]);
      const server = connect(Number(upstreamPort), upstreamHost);
      sockets.add(server);
      server.write(forwarded);
      client.pipe(server).pipe(client);
      const close = (): void => {
        client.destroy();
        server.destroy();
      };
      server.on('error', close).on('close', close);
    };
    client.on('data', onData);
    client.on('error', () => client.destroy());
  });
  await listen(server, 0);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    address: `127.0.0.1:${address.port}`,
    get limited() {
      return state.limited;
    },
    close: () => closeServer(server, sockets),
  };
}

function listen(server: Server, where: string | number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    if (typeof where === 'string') server.listen(where, resolve);
    else server.listen(where, '127.0.0.1', resolve);
  });
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}
