// The limits a call is given reach the transport: headersTimeout (the engine's and the
// registries'), and bad limits are InvalidArgument before any request. An engine call's deadline
// covers the body it hands back, and ends with it.
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_HEADERS_TIMEOUT, DEFAULT_HEADERS_TIMEOUT, EngineApi, SocketTransport } from '../../src/api.js';
import { Docker, InvalidArgument, NotFound, Registry, TimeoutError } from '../../src/index.js';
import { runningCallDeadlines } from '../../src/transport/deadline.js';
import type { Transport, TransportRequest } from '../../src/transport/types.js';

function recorder(): Transport & { sent: TransportRequest[] } {
  const sent: TransportRequest[] = [];
  return {
    sent,
    request: async (request) => {
      sent.push(request);
      throw new Error('not sent');
    },
    close: async () => {},
  };
}

describe('headersTimeout reaches the transport', () => {
  it('an EngineApi sends its default (300 s: the engine answers some calls when their work is done), its own, and a call\u2019s', async () => {
    const transport = recorder();
    await new EngineApi(transport, { version: '1.41' }).request('GET', '/a').catch(() => {});
    await new EngineApi(transport, { version: '1.41', headersTimeout: 1234 }).request('GET', '/b').catch(() => {});
    await new EngineApi(transport, { version: '1.41', headersTimeout: 1234 })
      .request('GET', '/c', { headersTimeout: 0 })
      .catch(() => {});
    expect(transport.sent.map((r) => r.headersTimeout)).toEqual([DEFAULT_ENGINE_HEADERS_TIMEOUT, 1234, 0]);
    expect(DEFAULT_ENGINE_HEADERS_TIMEOUT).toBe(300_000);
    expect(DEFAULT_HEADERS_TIMEOUT).toBe(30_000);
  });

  it('new Docker({ headersTimeout }) gives it to its EngineApi', async () => {
    const transport = recorder();
    const docker = new Docker({ transport, headersTimeout: 777 });
    expect(docker.api.headersTimeout).toBe(777);
    await docker.api.request('GET', '/_ping').catch(() => {});
    expect(transport.sent[0]?.headersTimeout).toBe(777);
  });
});

describe('bad limits are InvalidArgument before any request', () => {
  // nothing listens on 127.0.0.1:1: a request sent would be a ConnectionError
  const ref = '127.0.0.1:1/app:latest';
  const digest = `sha256:${'a'.repeat(64)}`;

  it.each([
    ['new Registry headersTimeout', () => new Registry({ headersTimeout: -1 })],
    ['new Registry allowRealm', () => new Registry({ allowRealm: 'no' as never })],
    ['new EngineApi headersTimeout', () => new EngineApi(recorder(), { headersTimeout: Number.NaN })],
  ])('%s', (_what, make) => {
    expect(make).toThrow(InvalidArgument);
  });

  it.each([
    ['deadline 0', (r: Registry) => r.manifest(ref, { deadline: 0 })],
    ['deadline not a number', (r: Registry) => r.config(ref, { deadline: '5' as never })],
    ['maxPages 0', (r: Registry) => r.tags('127.0.0.1:1/app', { maxPages: 0 })],
    ['maxEntries 1.5', (r: Registry) => r.referrers(`127.0.0.1:1/app@${digest}`, { maxEntries: 1.5 })],
    [
      'blob size -1',
      async (r: Registry) => {
        for await (const _ of r.blob(ref, { digest, size: -1 }));
      },
    ],
    [
      'blob without a digest',
      async (r: Registry) => {
        for await (const _ of r.blob(ref, { size: 1 } as never));
      },
    ],
  ])('%s', async (_what, call) => {
    const registry = new Registry({ env: {}, configDir: '/nonexistent' });
    await expect(call(registry)).rejects.toBeInstanceOf(InvalidArgument);
    await registry.close();
  });

  it('TimeoutError says which limit fired; one made elsewhere is a deadline', () => {
    expect(new TimeoutError('x', { kind: 'headers' }).kind).toBe('headers');
    expect(new TimeoutError('x').kind).toBe('deadline');
  });
});

describe('an engine call\u2019s deadline', () => {
  it('a body trickled a byte every 100 ms (never idle long) ends at the call\u2019s deadline, TimeoutError kind deadline', async () => {
    let sent = 0;
    const server = createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n');
        const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : (sent++, socket.write('x'))), 100);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const transport = new SocketTransport({ kind: 'tcp', host: '127.0.0.1', port, tls: false });
    const api = new EngineApi(transport, { version: '1.41', timeout: 1000 });
    const error = await api
      .request('GET', '/logs', { deadline: 800 })
      .then((r) => r.body.text())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).kind).toBe('deadline');
    expect(sent).toBeLessThan(30);
    await transport.close();
    await new Promise<void>((r) => server.close(() => r()));
  });
});

describe('an engine call\u2019s deadline ends with the call, or with the body it hands back', () => {
  /** An engine on 127.0.0.1 answering every path with 1 MiB, but /missing with 404; `api` over it, both closed by `done`. */
  async function engine(): Promise<{ api: EngineApi; done: () => Promise<void> }> {
    const body = Buffer.alloc(1 << 20, 0x61);
    const server = createHttpServer((request, response) => {
      if (request.url?.endsWith('/missing')) response.writeHead(404).end('{"message":"no such thing"}');
      else response.writeHead(200, { 'Content-Length': body.length }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const transport = new SocketTransport({ kind: 'tcp', host: '127.0.0.1', port, tls: false });
    return {
      api: new EngineApi(transport, { version: '1.41' }),
      done: async () => {
        await transport.close();
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      },
    };
  }

  it.each([
    [
      'read to its end',
      async (api: EngineApi) => {
        await (await api.request('GET', '/a', { deadline: 60_000 })).body.bytes();
      },
    ],
    [
      'left by break half-way',
      async (api: EngineApi) => {
        for await (const _ of (await api.request('GET', '/a', { deadline: 60_000 })).body) break;
      },
    ],
    [
      'a Readable made from it destroyed half-way',
      async (api: EngineApi) => {
        const readable = Readable.from((await api.request('GET', '/a', { deadline: 60_000 })).body);
        await new Promise((r) => readable.once('data', r));
        readable.destroy();
        await new Promise((r) => readable.once('close', r));
      },
    ],
    ['cancelled', async (api: EngineApi) => (await api.request('GET', '/a', { deadline: 60_000 })).body.cancel()],
    ['api.call', (api: EngineApi) => api.call('GET', '/a', { deadline: 60_000 })],
    [
      'refused (404)',
      async (api: EngineApi) =>
        expect(api.request('GET', '/missing', { deadline: 60_000 })).rejects.toBeInstanceOf(NotFound),
    ],
  ])('%s: no deadline left running', async (_what, use) => {
    const { api, done } = await engine();
    const before = runningCallDeadlines();
    await use(api);
    expect(runningCallDeadlines() - before).toBe(0);
    await done();
  });

  it('a body read to its end within the deadline held it running until then', async () => {
    const { api, done } = await engine();
    const before = runningCallDeadlines();
    const response = await api.request('GET', '/a', { deadline: 60_000 });
    expect(runningCallDeadlines() - before).toBe(1);
    await response.body.dump();
    expect(runningCallDeadlines() - before).toBe(0);
    await done();
  });
});
