// The keep-alive pool on in-memory duplex streams: at most maxSockets connections, waiters served
// as connections come back, reuse only of clean connections, an idle connection dropped at any sign
// of life, aborts and close().
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AbortError, ClientClosed } from '../../../src/errors.js';
import { SocketPool } from '../../../src/transport/pool.js';

function pool(maxSockets = 2): { pool: SocketPool; made: Duplex[] } {
  const made: Duplex[] = [];
  const connect = async (): Promise<Duplex> => {
    const socket = new Duplex({
      read() {},
      write(_chunk, _encoding, done) {
        done();
      },
    });
    made.push(socket);
    return socket;
  };
  return { pool: new SocketPool(connect, { maxSockets }), made };
}

describe('SocketPool', () => {
  it('opens at most maxSockets connections; a waiter gets the next one released', async () => {
    const { pool: p, made } = pool(2);
    const a = await p.acquire();
    const b = await p.acquire();
    expect([a.reused, b.reused]).toEqual([false, false]);
    let third: Awaited<ReturnType<SocketPool['acquire']>> | undefined;
    const waiting = p.acquire().then((lease) => (third = lease));
    await Promise.resolve();
    expect(p.stats).toMatchObject({ created: 2, open: 2, waiting: 1 });
    expect(third).toBeUndefined();
    p.release(a.socket, true);
    await waiting;
    expect(third).toEqual({ socket: a.socket, reused: true });
    expect(made).toHaveLength(2);
  });

  it('keeps a clean connection for the next request and destroys one that is not', async () => {
    const { pool: p } = pool(1);
    const first = await p.acquire();
    p.release(first.socket, true);
    expect(p.stats).toMatchObject({ open: 1, idle: 1 });
    const again = await p.acquire();
    expect(again).toEqual({ socket: first.socket, reused: true });
    p.release(again.socket, false);
    expect(first.socket.destroyed).toBe(true);
    expect(p.stats).toMatchObject({ open: 0, idle: 0 });
    expect((await p.acquire()).reused).toBe(false);
  });

  it('drops an idle connection that receives bytes nobody asked for, or ends', async () => {
    const { pool: p } = pool(2);
    const a = await p.acquire();
    const b = await p.acquire();
    p.release(a.socket, true);
    p.release(b.socket, true);
    a.socket.push(Buffer.from('HTTP/1.1 200 OK\r\n'));
    b.socket.push(null);
    await new Promise((r) => setImmediate(r));
    expect(a.socket.destroyed && b.socket.destroyed).toBe(true);
    expect(p.stats).toMatchObject({ open: 0, idle: 0 });
  });

  it('routes a held connection’s events to its holder', async () => {
    const { pool: p } = pool(1);
    const lease = await p.acquire();
    const seen: string[] = [];
    p.attach(lease.socket, {
      data: (chunk) => seen.push(Buffer.from(chunk).toString()),
      readBuffer: () => undefined,
      end: () => seen.push('end'),
      close: () => seen.push('close'),
      error: () => seen.push('error'),
      drain: () => seen.push('drain'),
    });
    lease.socket.push(Buffer.from('hi'));
    lease.socket.push(null);
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['hi', 'end']);
    expect(lease.socket.destroyed).toBe(false);
    p.release(lease.socket, false);
  });

  it('an aborted waiter leaves the queue with AbortError; an aborted signal is refused at once', async () => {
    const { pool: p } = pool(1);
    const held = await p.acquire();
    const controller = new AbortController();
    const waiting = p.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortError);
    expect(p.stats.waiting).toBe(0);
    await expect(p.acquire(AbortSignal.abort())).rejects.toBeInstanceOf(AbortError);
    p.release(held.socket, true);
    expect(p.stats.idle).toBe(1);
  });

  it('close() destroys idle connections, rejects waiters and later requests with ClientClosed', async () => {
    const { pool: p } = pool(1);
    const held = await p.acquire();
    const waiting = p.acquire();
    await p.close();
    await expect(waiting).rejects.toBeInstanceOf(ClientClosed);
    await expect(p.acquire()).rejects.toThrow(new ClientClosed());
    p.release(held.socket, true); // a connection coming back to a closed pool is not kept
    expect(held.socket.destroyed).toBe(true);
    expect(p.stats).toMatchObject({ open: 0, idle: 0 });
  });
});
