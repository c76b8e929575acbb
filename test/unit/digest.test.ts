import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ContentHash,
  DigestVerifier,
  checkDigest,
  digestAlgorithm,
  digestOf,
  verifiedChunks,
  verifyBytes,
} from '../../src/digest.js';
import { DigestMismatch, InvalidArgument } from '../../src/errors.js';

const bytes = new TextEncoder().encode('hello, digest');
const sha256 = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const sha512 = `sha512:${createHash('sha512').update(bytes).digest('hex')}`;

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield new TextEncoder().encode(part);
}

describe('digests', () => {
  it('checks the form of sha256 and sha512 digests, and names what was wrong', () => {
    expect(checkDigest(sha256)).toBe('sha256');
    expect(checkDigest(sha512)).toBe('sha512');
    expect(digestAlgorithm(sha256.toUpperCase())).toBeUndefined();
    expect(digestAlgorithm('md5:abc')).toBeUndefined();
    expect(digestAlgorithm(42)).toBeUndefined();
    expect(() => checkDigest('md5:abc', 'the layer')).toThrow(/the layer "md5:abc" is not a sha256: or sha512: digest/);
    expect(() => checkDigest('sha256:abc')).toThrow(/not sha256: and 64 lowercase hex digits/);
    expect(() => checkDigest(undefined)).toThrow(InvalidArgument);
  });

  it('computes and verifies digests of bytes', () => {
    expect(digestOf(bytes)).toBe(sha256);
    expect(digestOf(bytes, 'sha512')).toBe(sha512);
    const hash = new ContentHash();
    hash.update(bytes.subarray(0, 3));
    hash.update(bytes.subarray(3));
    expect(hash.digest()).toBe(sha256);
    expect(() => verifyBytes(bytes, sha512, 'the blob')).not.toThrow();
    const other = digestOf(new Uint8Array([1]));
    expect(() => verifyBytes(bytes, other, 'the blob')).toThrow(DigestMismatch);
    expect(() => verifyBytes(bytes, 'sha256:nope', 'the blob', 'the manifest digest')).toThrow(/the manifest digest/);
  });

  it('hands on a stream\u2019s last chunk only once the whole has hashed right', async () => {
    const good: string[] = [];
    for await (const chunk of verifiedChunks(chunks('hello, ', 'digest'), new DigestVerifier(sha256), 'the blob'))
      good.push(new TextDecoder().decode(chunk));
    expect(good).toEqual(['hello, ', 'digest']);

    const seen: string[] = [];
    const bad = verifiedChunks(chunks('hello, ', 'DIGEST'), new DigestVerifier(sha256), 'the blob');
    await expect(
      (async () => {
        for await (const chunk of bad) seen.push(new TextDecoder().decode(chunk));
      })(),
    ).rejects.toThrow(DigestMismatch);
    expect(seen).toEqual(['hello, ']);
  });

  it('runs the end check after the digest\u2019s and before the last chunk', async () => {
    const seen: number[] = [];
    const checked = verifiedChunks(chunks('hello, ', 'digest'), new DigestVerifier(sha256), 'the blob', {
      atEnd: () => {
        throw new InvalidArgument('too short');
      },
    });
    await expect(
      (async () => {
        for await (const chunk of checked) seen.push(chunk.length);
      })(),
    ).rejects.toThrow('too short');
    expect(seen).toEqual([7]);
  });
});

describe('verifiedChunks with a known length', () => {
  it('hands each chunk on at once and the one completing the length after the check', async () => {
    const seen: string[] = [];
    for await (const chunk of verifiedChunks(chunks('hello, ', 'digest'), new DigestVerifier(sha256), 'the blob', {
      length: bytes.length,
    }))
      seen.push(new TextDecoder().decode(chunk));
    expect(seen).toEqual(['hello, ', 'digest']);
    const bad: string[] = [];
    const error = await (async () => {
      for await (const chunk of verifiedChunks(chunks('hello, ', 'DIGEST'), new DigestVerifier(sha256), 'the blob', {
        length: bytes.length,
      }))
        bad.push(new TextDecoder().decode(chunk));
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DigestMismatch);
    expect(bad).toEqual(['hello, ']);
  });

  it('refuses content longer or shorter than its length', async () => {
    const run = (length: number) =>
      (async () => {
        for await (const _ of verifiedChunks(chunks('hello, ', 'digest'), new DigestVerifier(sha256), 'the blob', {
          length,
        }));
      })();
    await expect(run(bytes.length - 1)).rejects.toThrow(/longer than its 12 bytes/);
    // empty content of length 0 is checked too
    const empty = (async () => {
      for await (const _ of verifiedChunks(chunks(), new DigestVerifier(sha256), 'the blob', { length: 0 }));
    })();
    await expect(empty).rejects.toBeInstanceOf(DigestMismatch);
    await expect(run(bytes.length + 1)).rejects.toThrow(/ended after 13 of its 14 bytes/);
  });
});
