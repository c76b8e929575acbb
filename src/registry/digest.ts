// Content digests (OCI image spec, descriptor.md): `sha256:<64 hex>` and `sha512:<128 hex>`,
// checked before use, and the hashing that verifies content against them.
import { createHash, type Hash } from 'node:crypto';
import { DigestMismatch, InvalidArgument } from '../errors.js';

const LENGTHS: Record<string, number> = { sha256: 64, sha512: 128 };

/** The algorithm of a digest we can verify; anything else is InvalidArgument naming `what`. */
export function checkDigest(digest: unknown, what = 'digest'): 'sha256' | 'sha512' {
  if (typeof digest !== 'string') throw new InvalidArgument(`${what} must be a string`);
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const length = LENGTHS[algorithm];
  if (colon === -1 || length === undefined) throw new InvalidArgument(`${what} ${JSON.stringify(digest.slice(0, 80))} is not a sha256: or sha512: digest`);
  if (!new RegExp(`^[0-9a-f]{${length}}$`).test(digest.slice(colon + 1))) throw new InvalidArgument(`${what} ${JSON.stringify(digest.slice(0, 80))} is not ${algorithm}: and ${length} lowercase hex digits`);
  return algorithm as 'sha256' | 'sha512';
}

/** A running hash of content, as a digest (`algorithm:hex`) once it has all passed. */
export class ContentHash {
  readonly #hash: Hash;
  readonly #algorithm: string;

  constructor(algorithm: 'sha256' | 'sha512' = 'sha256') {
    this.#algorithm = algorithm;
    this.#hash = createHash(algorithm);
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

/** The sha256 digest of `bytes`. */
export function sha256Of(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Checks `bytes` against `expected` (DigestMismatch naming `what`). */
export function verifyBytes(bytes: Uint8Array, expected: string, what: string): void {
  const verifier = new DigestVerifier(expected);
  verifier.update(bytes);
  verifier.verify(what);
}
