// The ring a borrowing consumer's reads go into: which buffer the socket gets, and when reading
// must wait for a lent chunk to come back.
import { describe, expect, it } from 'vitest';
import { RING_READ_SIZE, ReadRing } from '../../../src/transport/read-ring.js';

describe('ReadRing', () => {
  it('hands the socket four buffers in turn, then the first again', () => {
    const ring = new ReadRing();
    const first = [ring.take(), ring.take(), ring.take(), ring.take()];
    expect(new Set(first.map((b) => b.buffer)).size).toBe(4);
    expect(first.every((b) => b.length === RING_READ_SIZE)).toBe(true);
    expect(ring.take()).toBe(first[0]);
  });

  it('holds chunks cut from its buffers, not other memory; the next read waits for a held buffer', () => {
    const ring = new ReadRing();
    const a = ring.take(); // the socket reads into a
    const chunk = a.subarray(10, 20);
    expect(ring.hold(chunk)).toBe(true);
    expect(ring.hold(Buffer.alloc(10))).toBe(false);
    // inside the read's callback: the next read goes into b, which is free
    expect(ring.nextHeld(true)).toBe(false);
    ring.take(); // b
    ring.take(); // c
    ring.take(); // d
    // reading d's bytes: the read after it would go into a, still lent
    expect(ring.nextHeld(true)).toBe(true);
    ring.take(); // the socket now has a (reading stopped)
    expect(ring.nextHeld(false)).toBe(true);
    ring.release(chunk);
    expect(ring.nextHeld(false)).toBe(false);
  });

  it('counts every chunk of a buffer: it is free once the last one comes back', () => {
    const ring = new ReadRing();
    const a = ring.take();
    const parts = [a.subarray(0, 5), a.subarray(5, 9)];
    for (const part of parts) ring.hold(part);
    ring.take();
    ring.take();
    ring.take();
    ring.take(); // a again
    ring.release(parts[0]!);
    expect(ring.nextHeld(false)).toBe(true);
    ring.release(parts[1]!);
    expect(ring.nextHeld(false)).toBe(false);
  });
});
