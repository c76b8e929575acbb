// Timeouts and AbortSignal on every operation (before the request and in the middle of a streamed
// body), and many requests through the pool without file-descriptor or memory growth.
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AbortError, Docker, SocketTransport, TimeoutError, parseAddress, saveImages } from '../../src/api.js';
import { pack } from '../../src/tar/packer.js';
import { makeTree } from '../support/contexts.js';
import { engine, ns, uniqueName } from '../support/engine.js';
import { engineSuite } from '../support/suite.js';
import { tagBase } from '../support/images.js';

const { docker, made } = engineSuite();

async function drain(source: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of source);
}

const openFds = (): number => readdirSync('/proc/self/fd').length;

/** Every operation, each given `options` (signal and/or timeout). */
function everyOperation(
  d: Docker,
  options: { signal?: AbortSignal; timeout?: number },
): Array<[string, () => Promise<unknown>]> {
  const ctx = makeTree({ Dockerfile: `FROM ${engine.baseImage}\n` });
  const s = options.signal ? { signal: options.signal } : {};
  const st = { ...s, ...(options.timeout !== undefined ? { timeout: options.timeout } : {}) };
  return [
    ['ping', () => d.ping(s)],
    ['version', () => d.version(s)],
    ['get', () => d.images.get(engine.baseImage, s)],
    ['list', () => d.images.list(s)],
    ['history', async () => (await d.images.get(engine.baseImage)).history(s)],
    ['tag', async () => (await d.images.get(engine.baseImage)).tag(`${ns}/never`, 'x', s)],
    ['remove', () => d.images.remove(`${ns}/never:x`, s)],
    ['prune', () => d.images.prune({ filters: { label: 'dockwire.never' }, ...s })],
    ['search', () => d.images.search(`${engine.registry}/x`, s)],
    ['getRegistryData', () => d.images.getRegistryData(`${engine.registry}/x:1`, s)],
    ['login', () => d.login({ username: 'x', password: 'y', registry: engine.registry, ...s })],
    ['pull', async () => d.images.pull(`${engine.registry}/x:1`, st)],
    ['push', async () => d.images.push(`${engine.registry}/x:1`, st)],
    ['load', async () => d.images.load(new Uint8Array(1024), st)],
    ['save', () => drain(saveImages(d, engine.baseImage, st))],
    ['build', async () => d.images.build({ path: ctx, ...st })],
    ['pruneBuilds', () => d.images.pruneBuilds(s)],
  ];
}

describe('AbortSignal on every operation', () => {
  it('an already aborted signal rejects each with AbortError, before any request', async () => {
    const transport = new SocketTransport(parseAddress(engine.host));
    const d = new Docker({ transport, version: '1.41' });
    const controller = new AbortController();
    controller.abort();
    for (const [name, run] of everyOperation(d, { signal: controller.signal })) {
      const error = await run().catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(AbortError);
    }
    expect(transport.stats.created).toBeLessThanOrEqual(1); // only the helpers' own gets
    await d.close();
  });

  it('leaving a borrowed save early closes its connection, paused or not, and the client goes on', async () => {
    // an image bigger than the read ring (4 MiB lent at most), so that a save left after its first
    // chunk cannot have arrived whole (one that had could be kept alive)
    const repo = `${ns}/borrowed-save-${uniqueName('s')}`;
    const bytes = randomBytes(12 * 1024 * 1024);
    const rootfs = pack([
      { name: 'blob', type: 'file', mode: 0o644, size: bytes.length, mtime: 0, content: () => [bytes] },
    ]);
    await docker.api.call('POST', '/images/create', { query: { fromSrc: '-', repo, tag: 'latest' }, body: rootfs });
    made.push(`${repo}:latest`);
    const image = `${repo}:latest`;
    const transport = new SocketTransport(parseAddress(engine.host), { maxSockets: 1 });
    const d = new Docker({ transport, version: '1.41' });
    let whole = 0;
    for await (const chunk of saveImages(d, image, { chunkSize: null, borrowChunks: true })) whole += chunk.length;
    expect(whole).toBeGreaterThan(12 * 1024 * 1024);
    expect(transport.stats.open).toBe(1); // read to its end: kept alive
    for (const wait of [0, 50]) {
      let seen = 0;
      for await (const chunk of saveImages(d, image, { chunkSize: null, borrowChunks: true })) {
        seen += chunk.length;
        // (with a wait, the engine fills every lent buffer and reading stops before the break)
        if (wait) await new Promise((r) => setTimeout(r, wait));
        if (seen > 0) break;
      }
      expect(transport.stats.open).toBe(0); // cut short: closed, not reused
      await d.ping();
    }
    let again = 0;
    for await (const chunk of saveImages(d, image, { chunkSize: null, borrowChunks: true })) again += chunk.length;
    expect(again).toBe(whole);
    await d.close();
  });

  it('aborting in the middle of a pull, a push and a save rejects with AbortError', async () => {
    const repo = `${engine.registry}/dockwire/abort-${uniqueName('a')}`;
    tagBase(`${repo}:v1`);
    made.push(`${repo}:v1`);
    // push: abort at the first event
    const pushAbort = new AbortController();
    const push = docker.images.push(repo, { tag: 'v1', signal: pushAbort.signal });
    const pushed = (async () => {
      for await (const _ of push) pushAbort.abort();
    })();
    await expect(pushed).rejects.toBeInstanceOf(AbortError);
    await expect(push).rejects.toBeInstanceOf(AbortError);
    await docker.images.push(repo, { tag: 'v1' }); // now for real, for the pull below
    await docker.images.remove(`${repo}:v1`);
    // pull: abort at the first event
    const pull = docker.images.pull(`${repo}:v1`);
    await expect(
      (async () => {
        for await (const _ of pull) pull.cancel();
      })(),
    ).rejects.toBeInstanceOf(AbortError);
    // save: abort after the first chunk
    const saveAbort = new AbortController();
    await expect(
      (async () => {
        for await (const _ of saveImages(docker, engine.baseImage, { chunkSize: 4096, signal: saveAbort.signal }))
          saveAbort.abort();
      })(),
    ).rejects.toBeInstanceOf(AbortError);
    expect(await docker.ping()).toBe(true);
  });

  it('aborting a load while its archive is sent is AbortError, whatever the engine answers to the cut (20 times)', async () => {
    // The archive is a well-formed start (a tar entry of 1 GiB, its first chunks): bytes the engine
    // waits for more of. (Zeros alone are an empty archive, which Docker 26+ refuses at once with
    // "unrecognized image format", before any abort.) Whatever the engine answers to the cut
    // ("unexpected EOF"), the abort wins.
    for (let round = 0; round < 20; round++) {
      const loadAbort = new AbortController();
      async function* layer() {
        for (let i = 0; ; i++) {
          if (i === 10) loadAbort.abort();
          yield new Uint8Array(64 * 1024);
          await new Promise((r) => setTimeout(r, 5));
        }
      }
      const archive = pack([
        { name: 'blobs/sha256/big', type: 'file', mode: 0o644, size: 2 ** 30, mtime: 0, content: layer },
      ]);
      await expect(
        docker.images.load(archive, { signal: loadAbort.signal }).then((x) => x),
        `round ${round}`,
      ).rejects.toBeInstanceOf(AbortError);
    }
    expect(await docker.ping()).toBe(true);
  });
});

describe('timeouts', () => {
  const dir = join(tmpdir(), `dockwire-stall-${process.pid}`);
  let server: Server;
  const sockets = new Set<Socket>();
  afterAll(() => {
    for (const s of sockets) s.destroy();
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A server that reads requests and answers `reply` (then stalls), or nothing at all. */
  async function stallingServer(reply?: (path: string) => string | undefined): Promise<string> {
    rmSync(dir, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `s-${Math.random().toString(36).slice(2)}.sock`);
    server?.close();
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.once('data', (d) => {
        const first = d.toString('latin1').split(' ')[1] ?? '';
        const answer = reply?.(first);
        if (answer) socket.write(answer);
      });
    });
    await new Promise<void>((r) => server.listen(path, r));
    return `unix://${path}`;
  }

  it('a server that never answers: every operation is a TimeoutError', async () => {
    const host = await stallingServer();
    const d = new Docker({ host, version: '1.41', timeout: 200 });
    for (const [name, run] of everyOperation(d, {})) {
      if (name === 'history' || name === 'tag') continue; // they start with a get, covered by `get`
      const error = await run().catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(TimeoutError);
    }
    await d.close();
  }, 30_000);

  it('a stream that stalls in the middle: a TimeoutError with the operation timeout', async () => {
    const stream = (first: string) =>
      `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${first.length.toString(16)}\r\n${first}\r\n`;
    const host = await stallingServer((path) =>
      path.includes('/images/create') ||
      path.includes('/push') ||
      path.includes('/images/load') ||
      path.includes('/build')
        ? stream('{"status":"Working"}\r\n')
        : path.includes('/get')
          ? stream('tar bytes')
          : undefined,
    );
    const d = new Docker({ host, version: '1.41', timeout: 5000 });
    const ctx = makeTree({ Dockerfile: 'FROM x\n' });
    const runs: Array<[string, () => Promise<unknown>]> = [
      ['pull', async () => d.images.pull('127.0.0.1:1/x:1', { timeout: 200 })],
      ['push', async () => d.images.push('127.0.0.1:1/x:1', { timeout: 200 })],
      ['load', async () => d.images.load(new Uint8Array(512), { timeout: 200 })],
      ['save', () => drain(saveImages(d, 'x:1', { timeout: 200 }))],
      ['build', async () => d.images.build({ path: ctx, timeout: 200 })],
    ];
    for (const [name, run] of runs) {
      const error = await run().catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(TimeoutError);
    }
    await d.close();
  }, 30_000);
});

describe('many requests through the pool', () => {
  it('1,000 concurrent and 10,000 sequential requests: no file-descriptor or memory growth', async () => {
    const transport = new SocketTransport(parseAddress(engine.host), { maxSockets: 16 });
    const d = new Docker({ transport });
    await d.ping();
    const fdsBefore = openFds();
    const results = await Promise.all(Array.from({ length: 1000 }, () => d.images.get(engine.baseImage)));
    expect(results.every((i) => i.id === results[0]!.id)).toBe(true);
    expect(transport.stats.created).toBeLessThanOrEqual(16);
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < 10_000; i++) await d.api.call('GET', '/_ping');
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    expect(transport.stats.created).toBeLessThanOrEqual(16);
    expect(openFds() - fdsBefore).toBeLessThanOrEqual(16);
    expect(heapGrowth).toBeLessThan(32 * 1024 * 1024);
    await d.close();
    expect(openFds()).toBeLessThanOrEqual(fdsBefore);
  }, 120_000);
});
