// Content hashed on the worker thread: the same bytes handed on (through shared slots reused in
// turn: 9 MiB passes through 8 slots of 1 MiB), each chunk only once hashed, the last only once
// the whole hashed to the digest; a stream dropped part-way leaves the worker serving the next;
// chunks reused by their source (borrowed reads) are copied before it reuses them.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { WORKER_SOURCE, threadVerifiedChunks } from '../../src/hash-thread.js';
import { DigestMismatch } from '../../src/errors.js';

const digestOf = (bytes: Uint8Array, algorithm = 'sha256'): string =>
  `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;

/** `bytes` in chunks of `size`, each lent from one buffer that is overwritten once the next is asked for. */
async function* lent(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(size);
  for (let at = 0; at < bytes.length; at += size) {
    const part = bytes.subarray(at, at + size);
    buffer.set(part);
    yield buffer.subarray(0, part.length);
    buffer.fill(0xee);
  }
}

/** Every byte, each chunk copied as it comes (a chunk handed on is valid only until the next is asked for). */
async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

describe('threadVerifiedChunks', () => {
  it('hands on the same bytes, across reused shared slots, for sha256 and sha512', async () => {
    // 9 MiB and a bit, in 100,000-byte chunks: chunks straddle the 1 MiB slots
    const bytes = randomBytes(9 * 1024 * 1024 + 12345);
    for (const algorithm of ['sha256', 'sha512']) {
      const chunks = threadVerifiedChunks(lent(bytes, 100_000), digestOf(bytes, algorithm), 'the blob');
      expect(chunks).toBeDefined();
      const got = await collect(chunks!);
      expect(got.equals(bytes)).toBe(true);
    }
  });

  it('never hands on the last chunk of content that hashes wrong', async () => {
    const bytes = randomBytes(3 * 1024 * 1024);
    const wrong = digestOf(randomBytes(16));
    let handed = 0;
    const error = await (async () => {
      for await (const chunk of threadVerifiedChunks(lent(bytes, 65536), wrong, 'the blob')!) handed += chunk.length;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DigestMismatch);
    expect((error as DigestMismatch).actual).toBe(digestOf(bytes));
    expect(handed).toBeLessThan(bytes.length);
  });

  it('serves the next stream after one is dropped part-way, and one with nothing in it', async () => {
    const bytes = randomBytes(6 * 1024 * 1024);
    for await (const chunk of threadVerifiedChunks(lent(bytes, 65536), digestOf(bytes), 'the blob')!) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    const again = await collect(threadVerifiedChunks(lent(bytes, 65536), digestOf(bytes), 'the blob')!);
    expect(again.equals(bytes)).toBe(true);
    const empty = new Uint8Array(0);
    expect((await collect(threadVerifiedChunks(lent(empty, 1), digestOf(empty), 'the blob')!)).length).toBe(0);
  });

  it('hashes several streams at once, each against its own digest', async () => {
    const blobs = [randomBytes(2 * 1024 * 1024), randomBytes(5 * 1024 * 1024 + 7), randomBytes(1)];
    const got = await Promise.all(
      blobs.map((b) => collect(threadVerifiedChunks(lent(b, 40_000), digestOf(b), 'the blob')!)),
    );
    got.forEach((g, i) => expect(g.equals(blobs[i]!)).toBe(true));
  });
});

describe('the hashing worker', () => {
  it('runs as a script and as a module (a parent started with --input-type=module evaluates it so)', async () => {
    for (const execArgv of [[], ['--input-type=module']]) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv });
      const bytes = new Uint8Array(new SharedArrayBuffer(1000)).fill(7);
      const answers: unknown[] = [];
      const done = new Promise<void>((resolve, reject) => {
        worker.on('error', reject);
        worker.on('message', (m: { hex?: string }) => {
          answers.push(m);
          if (m.hex !== undefined) resolve();
        });
      });
      worker.postMessage({ id: 1, algorithm: 'sha256' });
      worker.postMessage({ id: 1, bytes });
      worker.postMessage({ id: 1, end: true });
      await done;
      await worker.terminate();
      expect(answers).toEqual([
        { id: 1, hashed: true },
        { id: 1, hex: createHash('sha256').update(bytes).digest('hex') },
      ]);
    }
  });
});
