// The transport against fake servers: only for what a real engine cannot be made to send.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionError, ProtocolError, TimeoutError } from '../../../src/errors.js';
import { SocketTransport } from '../../../src/transport/socket-transport.js';

let server: Server | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

/** A loopback server whose connections get `handler`; returns a transport to it. */
async function fake(
  handler: (socket: Socket, request: string, rest: string) => void,
  options = {},
): Promise<{ transport: SocketTransport; connections: () => number }> {
  let count = 0;
  server = createServer((socket) => {
    count++;
    sockets.add(socket);
    let buffered = '';
    let seenHead = false;
    socket.on('data', (d) => {
      if (seenHead) return;
      buffered += d.toString('latin1');
      const end = buffered.indexOf('\r\n\r\n');
      if (end !== -1) {
        // one request per connection is read here; keep-alive tests answer per head
        const head = buffered.slice(0, end);
        const rest = buffered.slice(end + 4);
        buffered = rest;
        seenHead = head.startsWith('POST');
        handler(socket, head, rest);
        if (!seenHead) buffered = '';
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    transport: new SocketTransport({ kind: 'tcp', host: '127.0.0.1', port, tls: false }, options),
    connections: () => count,
  };
}

describe('SocketTransport against a fake server', () => {
  it('a truncated chunked body is a ProtocolError, and the socket is not reused', async () => {
    const { transport, connections } = await fake((s) => {
      s.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel');
    });
    const response = await transport.request({ method: 'GET', path: '/x' });
    await expect(response.body.text()).rejects.toBeInstanceOf(ProtocolError);
    expect(transport.stats.open).toBe(0);
    expect(connections()).toBe(1);
    await transport.close();
  });

  it('unsolicited bytes after a response poison the connection', async () => {
    const { transport, connections } = await fake((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbad');
    });
    const first = await transport.request({ method: 'GET', path: '/a' });
    expect(await first.body.text()).toBe('ok');
    const second = await transport.request({ method: 'GET', path: '/b' });
    expect(await second.body.text()).toBe('ok'); // a fresh connection, not the injected response
    expect(connections()).toBe(2);
    await transport.close();
  });

  it('a well-behaved keep-alive server gets one connection for many requests', async () => {
    const { transport, connections } = await fake((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    for (let i = 0; i < 20; i++)
      expect(await (await transport.request({ method: 'GET', path: '/' })).body.text()).toBe('ok');
    expect(connections()).toBe(1);
    await transport.close();
  });

  it('after a burst, sequential calls keep to the most recent connection; one closed while idle is skipped', async () => {
    const { transport, connections } = await fake((s) =>
      setTimeout(() => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'), 5),
    );
    await Promise.all(
      Array.from({ length: 4 }, async () => (await transport.request({ method: 'GET', path: '/' })).body.text()),
    );
    expect(connections()).toBe(4);
    expect(transport.stats).toMatchObject({ open: 4, idle: 4 });
    // the server closes one idle connection: the pool drops it, and nothing uses it again
    [...sockets][3]!.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(transport.stats).toMatchObject({ open: 3, idle: 3 });
    for (let i = 0; i < 10; i++)
      expect(await (await transport.request({ method: 'GET', path: '/' })).body.text()).toBe('ok');
    expect(connections()).toBe(4); // no new connection was needed
    expect(transport.stats).toMatchObject({ open: 3, idle: 3 });
    await transport.close();
    expect(transport.stats).toMatchObject({ open: 0, idle: 0 });
  });

  it('a response that arrives a few bytes per read, lines split across reads, is read whole', async () => {
    // Every read lands in the same reused buffer (the connection's own, through node:net's
    // onread), so a partial line the parser keeps between reads must be a copy, not a view.
    const pieces = [
      'HTTP/1.1 200 OK\r\nX-Sp',
      'lit: yes\r\nTransfer-Encoding: chunked\r\n\r\n1',
      '0\r',
      '\nabcdefghijklmnop\r\n',
      '3\r\nxyz\r\n0\r\n\r\n',
    ];
    const { transport } = await fake(async (s) => {
      for (const piece of pieces) {
        s.write(piece);
        await new Promise((r) => setTimeout(r, 20)); // one read each
      }
    });
    const response = await transport.request({ method: 'GET', path: '/x' });
    expect(response.headers['x-split']).toBe('yes');
    expect(await response.body.text()).toBe('abcdefghijklmnopxyz');
    // and as a stream: every chunk is the consumer's to keep
    const again = await transport.request({ method: 'GET', path: '/y' });
    const kept: Uint8Array[] = [];
    for await (const chunk of again.body) kept.push(chunk);
    expect(Buffer.concat(kept).toString()).toBe('abcdefghijklmnopxyz');
    await transport.close();
  });

  it('a close in the middle of the head is a ProtocolError', async () => {
    const { transport } = await fake((s) => s.end('HTTP/1.1 200 OK\r\nContent-Len'));
    await expect(transport.request({ method: 'GET', path: '/' })).rejects.toBeInstanceOf(ProtocolError);
    await transport.close();
  });

  it('a close before any response byte is a ConnectionError', async () => {
    const { transport } = await fake((s) => s.destroy());
    await expect(transport.request({ method: 'GET', path: '/' })).rejects.toBeInstanceOf(ConnectionError);
    await transport.close();
  });

  it('a stalled server is a TimeoutError, during the head and during the body', async () => {
    const { transport } = await fake((s, head) => {
      if (head.startsWith('GET /body')) s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
    });
    await expect(transport.request({ method: 'GET', path: '/head', timeout: 100 })).rejects.toBeInstanceOf(
      TimeoutError,
    );
    const response = await transport.request({ method: 'GET', path: '/body', timeout: 100 });
    await expect(response.body.text()).rejects.toBeInstanceOf(TimeoutError);
    expect(transport.stats.open).toBe(0);
    await transport.close();
  });

  it('a head trickled a byte every 300 ms is TimeoutError kind headers at headersTimeout, though no 300 ms passed without a byte', async () => {
    let sent = 0;
    const { transport } = await fake((s) => {
      const head = 'HTTP/1.1 200 OK\r\n' + 'X-Slow: y\r\n'.repeat(50) + '\r\n';
      const timer = setInterval(() => {
        if (s.destroyed || sent >= head.length) return clearInterval(timer);
        s.write(head[sent++]!);
      }, 300);
    });
    const error = await transport
      .request({ method: 'GET', path: '/slow', timeout: 2000, headersTimeout: 1500 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).kind).toBe('headers');
    expect(sent).toBeLessThan(20);
    await transport.close();
  });

  it('the stalled head and body are TimeoutError kind inactivity', async () => {
    const { transport } = await fake(() => {});
    const error = await transport
      .request({ method: 'GET', path: '/head', timeout: 100, headersTimeout: 5000 })
      .catch((e: unknown) => e);
    expect((error as TimeoutError).kind).toBe('inactivity');
    await transport.close();
  });

  /** A fake server that records a POST's head and body, and answers once `complete(body)`. */
  async function recording(
    complete: (body: string) => boolean,
  ): Promise<{ transport: SocketTransport; seen: { head: string; body: string } }> {
    const seen = { head: '', body: '' };
    const { transport } = await fake((s, head, rest) => {
      seen.head = head;
      seen.body = rest;
      const check = () => {
        if (complete(seen.body)) s.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      };
      check();
      s.on('data', (d) => {
        seen.body += d.toString('latin1');
        check();
      });
    });
    return { transport, seen };
  }

  async function* parts(): AsyncIterable<Uint8Array> {
    for (let i = 0; i < 3; i++) yield new TextEncoder().encode(`part${i}`);
  }

  it('streams a request body chunked, and the server sees every byte', async () => {
    const { transport, seen } = await recording((body) => body.endsWith('0\r\n\r\n'));
    const response = await transport.request({ method: 'POST', path: '/load', body: parts() });
    await response.body.dump();
    expect(seen.body).toBe('5\r\npart0\r\n5\r\npart1\r\n5\r\npart2\r\n0\r\n\r\n');
    await transport.close();
  });

  it('streams a body of declared length (bodyLength) as it comes: Content-Length, no chunked framing', async () => {
    const { transport, seen } = await recording((body) => body.length >= 15);
    const response = await transport.request({ method: 'POST', path: '/load', body: parts(), bodyLength: 15 });
    await response.body.dump();
    expect(seen.head).toMatch(/\r\nContent-Length: 15$/);
    expect(seen.head).not.toMatch(/Transfer-Encoding/i);
    expect(seen.body).toBe('part0part1part2');
    await transport.close();
  });

  it('a streamed body chunk is written out before the next is asked for: one reused buffer arrives intact', async () => {
    // The server reads nothing for a while, so the kernel's buffers fill and writes complete
    // late; the producer refills the same 8 KiB buffer for every chunk (releasesChunks).
    const CHUNK = 8192;
    const COUNT = 2000;
    const parts: Buffer[] = [];
    let tail = '';
    const { transport } = await fake((s, _head, rest) => {
      parts.push(Buffer.from(rest, 'latin1'));
      s.pause();
      setTimeout(() => {
        s.on('data', (d: Buffer) => {
          parts.push(d);
          tail = (tail + d.subarray(-5).toString('latin1')).slice(-5);
          if (tail === '0\r\n\r\n') {
            s.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
          }
        });
        s.resume();
      }, 200);
    });
    expect(transport.releasesChunks).toBe(true);
    const buffer = new Uint8Array(CHUNK);
    async function* body() {
      for (let i = 0; i < COUNT; i++) yield buffer.fill(i % 251);
    }
    const response = await transport.request({ method: 'POST', path: '/load', body: body() });
    await response.body.dump();
    const received = Buffer.concat(parts);
    const frame = Buffer.from(`${CHUNK.toString(16)}\r\n`);
    let at = 0;
    for (let i = 0; i < COUNT; i++) {
      expect(received.subarray(at, at + frame.length).equals(frame)).toBe(true);
      at += frame.length;
      const data = received.subarray(at, at + CHUNK);
      expect(
        data.every((b) => b === i % 251),
        `chunk ${i}`,
      ).toBe(true);
      at += CHUNK + 2;
    }
    expect(received.subarray(at).toString()).toBe('0\r\n\r\n');
    await transport.close();
  }, 60000);

  it('an early answer while the body is still being sent stops the upload and surfaces the answer', async () => {
    let stopped = false;
    const { transport } = await fake((s) => {
      s.write('HTTP/1.1 400 Bad Request\r\nContent-Length: 12\r\n\r\nrefused body');
    });
    async function* endless() {
      try {
        for (;;) {
          yield new Uint8Array(64 * 1024);
          await new Promise((r) => setTimeout(r, 1));
        }
      } finally {
        stopped = true;
      }
    }
    const response = await transport.request({ method: 'POST', path: '/build', body: endless() });
    expect(response.statusCode).toBe(400);
    expect(await response.body.text()).toBe('refused body');
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(true);
    expect(transport.stats.open).toBe(0);
    await transport.close();
  });

  it('retries an idempotent request once when a kept-alive connection went stale', async () => {
    let n = 0;
    const { transport, connections } = await fake((s) => {
      n++;
      // the first connection answers once, then closes as soon as the next request arrives
      if (n === 2) s.destroy();
      else s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    expect(await (await transport.request({ method: 'GET', path: '/' })).body.text()).toBe('ok');
    expect(await (await transport.request({ method: 'GET', path: '/' })).body.text()).toBe('ok');
    expect(connections()).toBe(2);
    await transport.close();
  });
});
