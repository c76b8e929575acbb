// The registry client against hostile registries: fake servers on 127.0.0.1, since no real
// registry can be made to send these. Each row ends with the right typed error within a bound its
// options set (headersTimeout, timeout, deadline, maxPages, maxEntries, a descriptor's size), and
// with bounded memory: the bytes the fake got to send are counted and bounded.
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProtocolError, RegistryError, TimeoutError } from '../../../src/errors.js';
import { Registry } from '../../../src/registry/registry.js';

interface Request {
  method: string;
  path: string;
}
type Handler = (request: Request, reply: Reply) => void | Promise<void>;

/** What a handler answers with, every byte counted. */
class Reply {
  sent = 0;
  constructor(
    readonly socket: Socket,
    readonly port: number,
  ) {}
  write(data: string | Uint8Array): boolean {
    if (this.socket.destroyed) return false;
    this.sent += data.length;
    return this.socket.write(data);
  }
  /** Writes `count` chunks from `make` with backpressure, until the client goes away. */
  async pump(count: number, make: (i: number) => string | Uint8Array): Promise<void> {
    for (let i = 0; i < count && !this.socket.destroyed; i++) {
      if (!this.write(make(i)))
        await new Promise<void>((r) => {
          this.socket.once('drain', r);
          this.socket.once('close', r);
        });
    }
  }
  /** Writes `text` one byte every `ms`, until the client goes away. */
  async trickle(text: string, ms: number): Promise<void> {
    for (const byte of text) {
      if (this.socket.destroyed) return;
      this.write(byte);
      await new Promise((r) => setTimeout(r, ms));
    }
  }
  json(body: unknown, headers = ''): void {
    const bytes = Buffer.from(JSON.stringify(body));
    this.write(
      `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${bytes.length}\r\n${headers}\r\n`,
    );
    this.write(bytes);
  }
}

const servers: Server[] = [];
const sockets = new Set<Socket>();
const registries: Registry[] = [];
afterEach(async () => {
  await Promise.all(registries.splice(0).map((r) => r.close()));
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** A fake registry on `host`: its port, the requests it got, and the bytes it sent in all. */
async function fake(
  handler: Handler,
  host = '127.0.0.1',
): Promise<{ port: number; requests: Request[]; sent: () => number }> {
  const requests: Request[] = [];
  const replies: Reply[] = [];
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    let buffered = '';
    socket.on('data', (d) => {
      buffered += d.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
        const [method = '', path = ''] = buffered.slice(0, end).split(' ');
        buffered = buffered.slice(end + 4);
        const request = { method, path };
        requests.push(request);
        const reply = new Reply(socket, port);
        replies.push(reply);
        void handler(request, reply);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as { port: number }).port;
  return { port, requests, sent: () => replies.reduce((n, r) => n + r.sent, 0) };
}

function registry(options: ConstructorParameters<typeof Registry>[0] = {}): Registry {
  const r = new Registry({
    env: {},
    configDir: '/nonexistent',
    retry: { retries: 0, transient: () => false, delay: () => 0 },
    ...options,
  });
  registries.push(r);
  return r;
}

const sha256 = (bytes: Uint8Array | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const MiB = 1024 * 1024;
const config = Buffer.from(
  JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
);
const manifest = {
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
  layers: [],
};

/** Answers the manifest; `blob` answers everything else. */
function withManifest(blob: Handler): Handler {
  return (request, reply) => {
    if (request.path.includes('/manifests/'))
      return reply.json(manifest, 'Content-Type: application/vnd.oci.image.manifest.v1+json\r\n');
    return blob(request, reply);
  };
}

const chunk = (bytes: Uint8Array | string): string => `${Buffer.byteLength(bytes).toString(16)}\r\n${bytes}\r\n`;

describe('the registry client against hostile registries', () => {
  it('trickled headers (a byte every 300 ms): TimeoutError kind headers at headersTimeout, though each byte came within the inactivity timeout', async () => {
    const { port, sent } = await fake((_, reply) =>
      reply.trickle(
        'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: ' + 'a'.repeat(200) + '\r\n\r\n',
        300,
      ),
    );
    const error = await registry({ headersTimeout: 1500, timeout: 5000 })
      .manifest(`127.0.0.1:${port}/slow:latest`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).kind).toBe('headers');
    expect((error as Error).message).toMatch(/headersTimeout/);
    expect(sent()).toBeLessThan(100);
  });

  it('trickled headers: the per-call headersTimeout wins over the Registry\u2019s', async () => {
    const { port } = await fake((_, reply) => reply.trickle('HTTP/1.1 200 OK\r\n' + 'X: y\r\n'.repeat(100), 300));
    const error = await registry({ headersTimeout: 60_000 })
      .manifest(`127.0.0.1:${port}/slow:latest`, { headersTimeout: 1000 })
      .catch((e: unknown) => e);
    expect((error as TimeoutError).kind).toBe('headers');
  });

  it('a stalled body: TimeoutError kind inactivity', async () => {
    const { port } = await fake(
      withManifest(
        (_, reply) =>
          void reply.write(`HTTP/1.1 200 OK\r\nContent-Length: ${config.length}\r\n\r\n${config.subarray(0, 5)}`),
      ),
    );
    const error = await registry({ timeout: 500 })
      .config(`127.0.0.1:${port}/stall:latest`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).kind).toBe('inactivity');
  });

  it('a trickled body (a byte every 300 ms, never idle long): TimeoutError kind deadline at the call\u2019s deadline', async () => {
    const { port, sent } = await fake(
      withManifest(async (_, reply) => {
        reply.write(`HTTP/1.1 200 OK\r\nContent-Length: ${config.length}\r\n\r\n`);
        await reply.trickle(config.toString('latin1'), 300);
      }),
    );
    const error = await registry({ timeout: 2000 })
      .config(`127.0.0.1:${port}/trickle:latest`, { deadline: 1500 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).kind).toBe('deadline');
    expect(sent()).toBeLessThan(1000);
  });

  it('a config whose Content-Length is longer than its descriptor: refused before the body', async () => {
    const { port, sent } = await fake(
      withManifest(async (_, reply) => {
        reply.write(`HTTP/1.1 200 OK\r\nContent-Length: ${config.length + 200 * MiB}\r\n\r\n`);
        reply.write(config);
        await reply.pump(200 * 16, () => Buffer.alloc(64 * 1024));
      }),
    );
    const error = await registry()
      .config(`127.0.0.1:${port}/lying:latest`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/its descriptor/);
    expect(sent()).toBeLessThan(16 * MiB);
  });

  it('a config sent whole and then 200 MiB more (chunked): refused one byte past its size, the fake sent a few MiB at most', async () => {
    const { port, sent } = await fake(
      withManifest(async (_, reply) => {
        reply.write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunk(config)}`);
        const more = 'x'.repeat(64 * 1024);
        await reply.pump(200 * 16, () => chunk(more));
      }),
    );
    const error = await registry()
      .config(`127.0.0.1:${port}/longer:latest`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/longer than its descriptor/);
    expect(sent()).toBeLessThan(16 * MiB);
  });

  it('blob(ref, { digest, size }): a Content-Length that disagrees with the size is refused before the body', async () => {
    const blob = Buffer.from('hello, blob');
    const { port, sent } = await fake(async (_, reply) => {
      reply.write(`HTTP/1.1 200 OK\r\nContent-Length: ${blob.length + 200 * MiB}\r\n\r\n${blob}`);
      await reply.pump(200 * 16, () => Buffer.alloc(64 * 1024));
    });
    const error = await drain(
      registry().blob(`127.0.0.1:${port}/b:latest`, { digest: sha256(blob), size: blob.length }),
    );
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/its descriptor 11/);
    expect(sent()).toBeLessThan(16 * MiB);
  });

  it('blob(ref, { digest, size }): an endless chunked body is refused one byte past the size', async () => {
    const blob = Buffer.from('hello, blob');
    const { port, sent } = await fake(async (_, reply) => {
      reply.write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunk(blob)}`);
      await reply.pump(200 * 16, () => chunk('y'.repeat(64 * 1024)));
    });
    const error = await drain(
      registry().blob(`127.0.0.1:${port}/b:latest`, { digest: sha256(blob), size: blob.length }),
    );
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/longer than its descriptor's 11 bytes/);
    expect(sent()).toBeLessThan(16 * MiB);
  });

  it('files(): a layer sent whole and then 200 MiB more (chunked) is refused one byte past its descriptor\u2019s size', async () => {
    const layer = Buffer.alloc(1024); // an empty tar
    const layerConfig = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layer)] } }),
    );
    const image = {
      ...manifest,
      config: { ...manifest.config, digest: sha256(layerConfig), size: layerConfig.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
    };
    const { port, sent } = await fake(async (request, reply) => {
      if (request.path.includes('/manifests/'))
        return reply.json(image, 'Content-Type: application/vnd.oci.image.manifest.v1+json\r\n');
      if (request.path.endsWith(sha256(layerConfig))) return reply.json(JSON.parse(layerConfig.toString()));
      reply.write(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunk(layer.toString('latin1'))}`);
      await reply.pump(200 * 16, () => chunk('z'.repeat(64 * 1024)));
    });
    const error = await (async () => {
      try {
        for await (const _ of registry().files(`127.0.0.1:${port}/layers:latest`));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/longer than its descriptor's 1024 bytes/);
    expect(sent()).toBeLessThan(16 * MiB);
  });

  it('an endless chunked manifest: refused at the manifest cap (4 MiB), not read on', async () => {
    const { port, sent } = await fake(async (_, reply) => {
      reply.write(
        `HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      );
      await reply.pump(200 * 16, () => chunk(' '.repeat(64 * 1024)));
    });
    const error = await registry()
      .manifest(`127.0.0.1:${port}/endless:latest`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(sent()).toBeLessThan(24 * MiB);
  });

  it('a referrers API whose Link pages never end (1,000 entries a page): ProtocolError at maxEntries (default 100,000), memory bounded', async () => {
    const digest = sha256('subject');
    const entries = Array.from({ length: 1000 }, (_, i) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha256(String(i)),
      size: 1,
    }));
    const page = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }),
    );
    const { port, requests } = await fake((request, reply) => {
      const n = Number(/page=(\d+)/.exec(request.path)?.[1] ?? 0);
      const link = `</v2/r/referrers/${digest}?page=${n + 1}>; rel="next"`;
      reply.write(
        `HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.index.v1+json\r\nLink: ${link}\r\nContent-Length: ${page.length}\r\n\r\n`,
      );
      reply.write(page);
    });
    const before = process.memoryUsage().heapUsed;
    const error = await registry()
      .referrers(`127.0.0.1:${port}/r@${digest}`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/more than 100000 entries \(maxEntries\)/);
    expect(requests.length).toBe(101);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(256 * MiB);
  }, 60_000);

  it('endless referrers pages with maxPages: ProtocolError naming maxPages after that many pages', async () => {
    const digest = sha256('subject');
    const { port, requests } = await fake((request, reply) => {
      const n = Number(/page=(\d+)/.exec(request.path)?.[1] ?? 0);
      reply.json(
        { schemaVersion: 2, manifests: [] },
        `Link: </v2/r/referrers/${digest}?page=${n + 1}>; rel="next"\r\n`,
      );
    });
    const error = await registry()
      .referrers(`127.0.0.1:${port}/r@${digest}`, { maxPages: 7 })
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/more than 7 pages \(maxPages\)/);
    expect(requests.length).toBe(7);
  });

  it('endless tag pages: ProtocolError at maxPages, at maxEntries', async () => {
    const { port } = await fake((request, reply) => {
      const n = Number(/last=(\d+)/.exec(request.path)?.[1] ?? 0);
      reply.json(
        { name: 't', tags: Array.from({ length: 10 }, (_, i) => `v${n}-${i}`) },
        `Link: </v2/t/tags/list?last=${n + 1}>; rel="next"\r\n`,
      );
    });
    const r = registry();
    await expect(r.tags(`127.0.0.1:${port}/t`, { maxPages: 3 })).rejects.toThrow(/more than 3 pages/);
    await expect(r.tags(`127.0.0.1:${port}/t`, { maxEntries: 25 })).rejects.toThrow(/more than 25 entries/);
    await expect(r.tags(`127.0.0.1:${port}/t`, { maxPages: 0 })).rejects.toThrow(
      /maxPages must be a positive whole number/,
    );
  });

  it('a huge token answer (endless chunks): ProtocolError at the token answer bound (1 MiB)', async () => {
    const { port, sent } = await fake(async (request, reply) => {
      if (request.path.startsWith('/token')) {
        reply.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
        return reply.pump(200 * 16, () => chunk('{'.repeat(64 * 1024)));
      }
      reply.write(
        `HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm="http://127.0.0.1:${reply.port}/token",service="fake"\r\nContent-Length: 0\r\n\r\n`,
      );
    });
    const error = await registry()
      .manifest(`127.0.0.1:${port}/auth:latest`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/token answer/);
    expect(sent()).toBeLessThan(16 * MiB);
  });

  it('a realm allowRealm refuses (another address): RegistryError DENIED, and the realm is never asked', async () => {
    const realm = await fake((_, reply) => reply.json({ token: 'x' }), '127.0.0.2');
    const { port } = await fake((_, reply) => {
      reply.write(
        `HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm="http://127.0.0.2:${realm.port}/token"\r\nContent-Length: 0\r\n\r\n`,
      );
    });
    const asked: string[] = [];
    const allowRealm = (url: URL): boolean => {
      asked.push(url.hostname);
      return url.hostname === '127.0.0.1';
    };
    const error = await registry({ allowRealm })
      .manifest(`127.0.0.1:${port}/realm:latest`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).errors[0]?.code).toBe('DENIED');
    expect(asked).toEqual(['127.0.0.2']);
    expect(realm.requests).toEqual([]);
  });

  it('a realm that is not http(s): ProtocolError, nothing sent to it', async () => {
    const { port } = await fake((_, reply) => {
      reply.write(
        'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm="file:///etc/passwd"\r\nContent-Length: 0\r\n\r\n',
      );
    });
    await expect(registry().manifest(`127.0.0.1:${port}/realm:latest`)).rejects.toBeInstanceOf(ProtocolError);
  });

  it('a redirect chain that never ends: ProtocolError after 5 hops', async () => {
    const { port, requests } = await fake((request, reply) => {
      reply.write(`HTTP/1.1 307 Temporary Redirect\r\nLocation: ${request.path}x\r\nContent-Length: 0\r\n\r\n`);
    });
    const error = await drain(registry().blob(`127.0.0.1:${port}/redirect:latest`, sha256('x')));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/more than 5 redirects/);
    expect(requests.length).toBe(6);
  });

  it('429 with an absurd Retry-After: the RegistryError at once, not a wait (the cap is 120 s)', async () => {
    const { port, requests } = await fake((_, reply) => {
      reply.write('HTTP/1.1 429 Too Many Requests\r\nRetry-After: 999999999\r\nContent-Length: 0\r\n\r\n');
    });
    const r = registry({ retry: { retries: 3, transient: () => true, delay: () => 1 } });
    const error = await r.manifest(`127.0.0.1:${port}/busy:latest`, { deadline: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).statusCode).toBe(429);
    expect(requests.length).toBe(1);
  });
});

/** Reads `source` to its end; the error it failed with, if any. */
async function drain(source: AsyncIterable<Uint8Array>): Promise<unknown> {
  try {
    for await (const _ of source);
  } catch (error) {
    return error;
  }
  return undefined;
}
