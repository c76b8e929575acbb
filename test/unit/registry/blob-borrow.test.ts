// registry.blob with borrowChunks: the connection's reads handed on as they are (blobs of unknown
// length held back one chunk and copied); in every case the same bytes as without, and content
// that hashes wrong never ends.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DigestMismatch, InvalidArgument } from '../../../src/index.js';
import { client, closeFakesAfterEach, digestOf, fake } from '../../support/fake-registry.js';

closeFakesAfterEach();

/** A registry serving `blob` under any digest, with a Content-Length unless `chunked`. */
async function serving(blob: Uint8Array, chunked = false): Promise<string> {
  return fake((req, res) => {
    if (!chunked) res.setHeader('Content-Length', blob.length);
    res.setHeader('Content-Type', 'application/octet-stream');
    // in pieces, so that the client reads many chunks
    let at = 0;
    const next = (): void => {
      while (at < blob.length) {
        const part = blob.subarray(at, at + 200_000);
        at += part.length;
        if (!res.write(part)) return void res.once('drain', next);
      }
      res.end();
    };
    next();
  });
}

/** Every byte, copied as each chunk arrives (a borrowed chunk is valid only until the next is asked for). */
async function copyAll(chunks: AsyncIterable<Uint8Array>): Promise<{ bytes: Buffer; count: number }> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return { bytes: Buffer.concat(parts), count: parts.length };
}

describe('registry.blob with borrowChunks', () => {
  it('gives the same bytes, with and without a Content-Length, verified', async () => {
    const blob = randomBytes(3 * 1024 * 1024 + 17);
    for (const chunked of [false, true]) {
      const host = await serving(blob, chunked);
      const registry = client();
      const got = await copyAll(registry.blob(`${host}/x`, digestOf(blob), { borrowChunks: true }));
      expect(got.bytes.equals(blob)).toBe(true);
      expect(got.count).toBeGreaterThan(1);
      const wrong = digestOf(randomBytes(8));
      const seen: number[] = [];
      const error = await (async () => {
        for await (const chunk of registry.blob(`${host}/x`, wrong, { borrowChunks: true })) seen.push(chunk.length);
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DigestMismatch);
      expect(seen.reduce((a, b) => a + b, 0)).toBeLessThan(blob.length);
    }
  });

  it('gives a long blob (reads of up to 1 MiB, lent) the same bytes; a wrong digest never ends', async () => {
    const blob = randomBytes(20 * 1024 * 1024 + 123_457);
    const host = await serving(blob);
    const registry = client();
    const got = await copyAll(registry.blob(`${host}/x`, digestOf(blob), { borrowChunks: true }));
    expect(got.bytes.equals(blob)).toBe(true);
    // (a descriptor's size as well: the length known before the answer)
    const sized = await copyAll(
      registry.blob(`${host}/x`, { digest: digestOf(blob), size: blob.length }, { borrowChunks: true }),
    );
    expect(sized.bytes.equals(blob)).toBe(true);
    let handed = 0;
    const error = await (async () => {
      for await (const chunk of registry.blob(`${host}/x`, digestOf(randomBytes(8)), { borrowChunks: true }))
        handed += chunk.length;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DigestMismatch);
    expect(handed).toBeLessThan(blob.length);
  });

  it('refuses a misspelled option naming it', async () => {
    const registry = client();
    const error = await copyAll(
      registry.blob('127.0.0.1:1/x', digestOf('x'), { borowChunks: true } as unknown as { borrowChunks: boolean }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgument);
    expect((error as Error).message).toContain('borowChunks');
  });
});
