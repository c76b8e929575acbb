import { readdirSync, readlinkSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  APIError,
  AbortError,
  ConnectionError,
  Docker,
  InvalidArgument,
  InvalidVersion,
  MAX_API_VERSION,
  NotFound,
  SocketTransport,
  parseAddress,
} from '../../src/api.js';
import { compareVersions } from '../../src/engine-api.js';
import { client, engine, podman } from '../support/engine.js';

function openSockets(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) n++;
    } catch {
      // closed while listing
    }
  }
  return n;
}

describe('Docker client against the real engine', () => {
  const docker = client();
  afterAll(() => docker.close());

  it('pings', async () => {
    expect(await docker.ping()).toBe(true);
  });

  it('negotiates the API version automatically, once: one GET /_ping for many calls at once', async () => {
    const socket = new SocketTransport(parseAddress(engine.host));
    const paths: string[] = [];
    const d = new Docker({
      transport: {
        request: (request) => {
          paths.push(request.path);
          return socket.request(request);
        },
        close: () => socket.close(),
      },
    });
    const [v, again] = await Promise.all([d.api.apiVersion(), d.api.apiVersion(), d.images.list(), d.images.list()]);
    expect(v).toMatch(/^1\.\d+$/);
    expect(again).toBe(v);
    const info = await d.version();
    // /version says the engine's newest version; we speak the older of that and ours
    expect(v).toBe(compareVersions(info.ApiVersion, MAX_API_VERSION) > 0 ? MAX_API_VERSION : info.ApiVersion);
    expect(await d.api.apiVersion()).toBe(v);
    expect(paths.filter((path) => path === '/_ping')).toHaveLength(1);
    expect(paths.filter((path) => path.startsWith(`/v${v}/images/json`))).toHaveLength(2);
    await d.close();
  });

  it('uses an explicit version as given', async () => {
    const d = client({ version: '1.41' });
    expect(await d.api.apiVersion()).toBe('1.41');
    const info = await d.version();
    expect(info.Os).toBe('linux');
    await d.close();
    expect(() => client({ version: 'latest' })).toThrow(InvalidVersion);
  });

  it('a real 404 becomes NotFound carrying the daemon message', async () => {
    const error = await docker.api.json('GET', '/images/dockwire-no-such-image:1/json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFound);
    expect(error).toBeInstanceOf(APIError);
    expect((error as NotFound).statusCode).toBe(404);
    expect((error as NotFound).explanation).toMatch(/no such image/i);
    expect((error as NotFound).code).toBe('ERR_DOCKER_NOT_FOUND');
  });

  it('a real 400 becomes APIError with the daemon message', async () => {
    const error = await docker.api
      .json('GET', '/images/json', { query: { filters: { nosuchfilter: ['x'] } } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error).not.toBeInstanceOf(NotFound);
    expect((error as APIError).statusCode).toBe(podman ? 500 : 400); // Podman answers a bad filter with 500
    expect((error as APIError).explanation).toMatch(/nosuchfilter/);
  });

  it('200 sequential requests reuse one kept-alive connection', async () => {
    const transport = new SocketTransport(parseAddress(engine.host), { maxSockets: 4 });
    const d = new Docker({ transport });
    const before = openSockets();
    // (GET /_ping: it costs the engine nothing, where a list grows with the images the suite has
    // made on the containerd store and Podman's /version asks its runtimes for theirs)
    for (let i = 0; i < 200; i++) expect(await d.ping()).toBe(true);
    expect(transport.stats.created).toBe(1);
    expect(openSockets() - before).toBeLessThanOrEqual(1);
    await d.close();
  });

  it('concurrent requests never open more than the pool size', async () => {
    const transport = new SocketTransport(parseAddress(engine.host), { maxSockets: 4 });
    const d = new Docker({ transport });
    const results = await Promise.all(Array.from({ length: 64 }, () => d.api.json<unknown[]>('GET', '/images/json')));
    expect(results.every(Array.isArray)).toBe(true);
    expect(transport.stats.created).toBeLessThanOrEqual(4);
    expect(transport.stats.open).toBeLessThanOrEqual(4);
    await d.close();
    expect(transport.stats.open).toBe(0);
  });

  it('a request aborted mid-stream frees its connection', async () => {
    const transport = new SocketTransport(parseAddress(engine.host), { maxSockets: 1 });
    const d = new Docker({ transport });
    const controller = new AbortController();
    const response = await d.api.request('GET', `/images/${engine.baseImage}/get`, { signal: controller.signal });
    const iterator = response.body[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    controller.abort();
    await expect(iterator.next()).rejects.toBeInstanceOf(AbortError);
    expect(transport.stats.open).toBe(0);
    // the single slot is free again: the next request gets a fresh connection and succeeds
    expect(await d.ping()).toBe(true);
    expect(transport.stats.created).toBe(2);
    await d.close();
  });

  it('breaking out of a body iteration frees its connection', async () => {
    const transport = new SocketTransport(parseAddress(engine.host), { maxSockets: 1 });
    const d = new Docker({ transport });
    const response = await d.api.request('GET', `/images/${engine.baseImage}/get`);
    for await (const _ of response.body) break;
    expect(transport.stats.open).toBe(0);
    expect(await d.ping()).toBe(true);
    await d.close();
  });

  it('a body sent with its declared length (bodyLength) must come to it: longer, shorter or no length fails, the connection is closed', async () => {
    const transport = new SocketTransport(parseAddress(engine.host), { maxSockets: 1 });
    const d = new Docker({ transport });
    async function* bytes(n: number): AsyncIterable<Uint8Array> {
      yield new Uint8Array(n);
    }
    const cases: Array<[number, number, typeof ConnectionError | typeof InvalidArgument, RegExp]> = [
      [1000, 10, InvalidArgument, /the request body ended after 10 of its declared 1000 bytes/],
      [10, 1000, InvalidArgument, /the request body is longer than its declared 10 bytes/],
      [-1, 10, InvalidArgument, /bodyLength must be a whole number of bytes/],
    ];
    for (const [declared, given, type, message] of cases) {
      const attempt = d.api.request('POST', '/images/load', {
        body: bytes(given),
        bodyLength: declared,
        headers: { 'Content-Type': 'application/x-tar' },
      });
      await expect(attempt).rejects.toThrow(message);
      await expect(attempt).rejects.toBeInstanceOf(type);
      expect(transport.stats.open).toBe(0);
    }
    // a byte body's length is known: a different one is refused before a connection is taken
    await expect(d.api.request('POST', '/images/load', { body: new Uint8Array(5), bodyLength: 6 })).rejects.toThrow(
      new InvalidArgument("bodyLength 6 is not the body's 5 bytes"),
    );
    expect(transport.stats.created).toBe(2);
    // the single slot is free again
    expect(await d.ping()).toBe(true);
    await d.close();
  });

  it('an unreachable engine is a ConnectionError naming the address', async () => {
    const d = new Docker({ host: 'unix:///nonexistent/docker.sock' });
    const error = await d.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain('/nonexistent/docker.sock');
    await d.close();
  });

  it('fromEnv reads DOCKER_HOST', async () => {
    const d = Docker.fromEnv({ DOCKER_HOST: engine.host });
    expect(await d.ping()).toBe(true);
    await d.close();
  });
});
