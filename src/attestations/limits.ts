// How much of an index, its referrers and its statements is read: every document is bounded in
// size, every list in count, and all of one call's documents together in bytes, so that a hostile
// index (100 000 attestation manifests, a statement of gigabytes) is refused with a ProtocolError
// instead of filling memory.
import { ProtocolError } from '../errors.js';

/** ATTESTATION_LIMITS: the bounds `attestations()` reads within; past any of them it is ProtocolError. */
export const ATTESTATION_LIMITS = {
  /** Attestation manifests in one index, or referrers of one manifest, looked at. */
  manifests: 1024,
  /** Layers (statements) in one attestation manifest. */
  layers: 256,
  /** Bytes of one statement, envelope or bundle. */
  documentBytes: 32 * 1024 * 1024,
  /** Bytes of every statement, envelope and bundle of one call together. */
  totalBytes: 128 * 1024 * 1024,
} as const;

/** Budget: what one call has read so far, against ATTESTATION_LIMITS. */
export class Budget {
  #bytes = 0;

  /** Counts `size` more bytes (a document about to be read); ProtocolError past either bound. */
  spend(size: number, what: string): void {
    if (!(Number.isSafeInteger(size) && size >= 0)) throw new ProtocolError(`${what} has no valid size`);
    if (size > ATTESTATION_LIMITS.documentBytes)
      throw new ProtocolError(`${what} is ${size} bytes, more than ${ATTESTATION_LIMITS.documentBytes}: refused`);
    this.#bytes += size;
    if (this.#bytes > ATTESTATION_LIMITS.totalBytes)
      throw new ProtocolError(
        `the attestations read come to more than ${ATTESTATION_LIMITS.totalBytes} bytes: refused at ${what}`,
      );
  }
}

/** Refuses a list longer than `limit` (ProtocolError naming `what`). */
export function checkCount(count: number, limit: number, what: string): void {
  if (count > limit) throw new ProtocolError(`${what}: ${count}, more than ${limit}: refused`);
}
