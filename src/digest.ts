// Content digests (OCI image spec, descriptor.md): `sha256:<64 hex>` and `sha512:<128 hex>`,
// checked before use, and the hashing that verifies content against them: whole bytes, or a
// stream whose last chunk is handed on only once everything has hashed to the digest.
import type { Hash } from 'node:crypto'; // the module is loaded where first used
import { DigestMismatch, InvalidArgument, ProtocolError } from './errors.js';

/** The digest algorithms content can be verified with. */
export type DigestAlgorithm = 'sha256' | 'sha512';

const LENGTHS: Record<string, number> = { sha256: 64, sha512: 128 };

/** The algorithm of `digest` when it is a well-formed sha256: or sha512: digest, else undefined. */
export function digestAlgorithm(digest: unknown): DigestAlgorithm | undefined {
  if (typeof digest !== 'string') return undefined;
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const length = LENGTHS[algorithm];
  if (colon === -1 || length === undefined) return undefined;
  return new RegExp(`^[0-9a-f]{${length}}$`).test(digest.slice(colon + 1)) ? (algorithm as DigestAlgorithm) : undefined;
}

/** The algorithm of a digest we can verify; anything else is InvalidArgument naming `what`. */
export function checkDigest(digest: unknown, what = 'digest'): DigestAlgorithm {
  if (typeof digest !== 'string') throw new InvalidArgument(`${what} must be a string`);
  const algorithm = digestAlgorithm(digest);
  if (algorithm !== undefined) return algorithm;
  const named = digest.slice(0, digest.indexOf(':'));
  const length = LENGTHS[named];
  const shown = JSON.stringify(digest.slice(0, 80));
  if (digest.indexOf(':') === -1 || length === undefined)
    throw new InvalidArgument(`${what} ${shown} is not a sha256: or sha512: digest`);
  throw new InvalidArgument(`${what} ${shown} is not ${named}: and ${length} lowercase hex digits`);
}

/** A running hash of content, as a digest (`algorithm:hex`) once it has all passed. */
export class ContentHash {
  readonly #hash: Hash;
  readonly #algorithm: string;

  constructor(algorithm: DigestAlgorithm = 'sha256') {
    this.#algorithm = algorithm;
    this.#hash = process.getBuiltinModule('node:crypto').createHash(algorithm);
  }

  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
  }

  /** The digest of everything given (once: the hash is done after it). */
  digest(): string {
    return `${this.#algorithm}:${this.#hash.digest('hex')}`;
  }
}

/** A running hash of content that should hash to `expected`. */
export class DigestVerifier {
  readonly expected: string;
  readonly #hash: ContentHash;

  constructor(expected: string, what = 'digest') {
    this.#hash = new ContentHash(checkDigest(expected, what));
    this.expected = expected;
  }

  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
  }

  /** Throws DigestMismatch (naming `what`) unless the content so far hashes to the expected digest. */
  verify(what: string): void {
    const actual = this.#hash.digest();
    if (actual !== this.expected) throw new DigestMismatch(what, this.expected, actual);
  }
}

/** The digest of `bytes` (sha256 unless told). */
export function digestOf(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${process.getBuiltinModule('node:crypto').createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Checks `bytes` against `expected` (DigestMismatch naming `what`; a malformed `expected` is InvalidArgument naming `digestWhat`). */
export function verifyBytes(bytes: Uint8Array, expected: string, what: string, digestWhat = 'digest'): void {
  const verifier = new DigestVerifier(expected, digestWhat);
  verifier.update(bytes);
  verifier.verify(what);
}

/**
 * The chunks of `source`, hashed as they pass: each handed on once the next has arrived, the last
 * only after the whole has hashed to `verifier`'s digest (DigestMismatch naming `what` otherwise),
 * so a consumer never sees the end of content that turns out false. `copy` copies each chunk held
 * back (for a source that reuses its chunk's memory once the next is asked for); `atEnd` is a
 * further check made then, after the digest's and before the last chunk is handed on. Given the
 * content's `length`, nothing is held back: each chunk is handed on at once, as it is (borrowed,
 * when the source lends it), except the one that completes the length, which waits for the check;
 * a source longer or shorter than `length` is ProtocolError, never an end.
 */
export async function* verifiedChunks(
  source: AsyncIterable<Uint8Array>,
  verifier: DigestVerifier,
  what: string,
  options: { copy?: boolean; atEnd?: () => void; length?: number } = {},
): AsyncGenerator<Uint8Array> {
  const { length } = options;
  if (length !== undefined) {
    let received = 0;
    for await (const chunk of source) {
      verifier.update(chunk);
      received += chunk.length;
      if (received > length) throw new ProtocolError(`${what} is longer than its ${length} bytes`);
      if (received === length) {
        verifier.verify(what);
        options.atEnd?.();
      }
      yield chunk;
    }
    if (received < length) throw new ProtocolError(`${what} ended after ${received} of its ${length} bytes`);
    if (length === 0) {
      // (no chunk completed it: the empty content is checked all the same)
      verifier.verify(what);
      options.atEnd?.();
    }
    return;
  }
  let held: Uint8Array | undefined;
  for await (const chunk of source) {
    verifier.update(chunk);
    if (held) yield held;
    held = options.copy ? chunk.slice() : chunk;
  }
  verifier.verify(what);
  options.atEnd?.();
  if (held) yield held;
}
