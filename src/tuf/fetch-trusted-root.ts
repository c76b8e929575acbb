// fetchTrustedRoot as the entry points export it: the TUF client's modules (trusted-root.ts and
// what it imports, Sigstore's embedded root among them) are loaded by its first call.
import type { FetchTrustedRootOptions, TrustedRootDocument } from './trusted-root.js';

/**
 * fetchTrustedRoot updates the TUF metadata of `mirror` (Sigstore's public-good repository by
 * default) as the TUF specification's client workflow does, and returns its `trusted_root.json`.
 * A refusal (expired, rolled back, too few signatures, a wrong length or hash, too many root
 * rotations) is VerificationError naming the role; a mirror that cannot be reached is
 * ConnectionError or TimeoutError. Nothing is written to the cache unless the update passes.
 */
export async function fetchTrustedRoot(options: FetchTrustedRootOptions = {}): Promise<TrustedRootDocument> {
  const client = await import('./trusted-root.js');
  return client.fetchTrustedRoot(options);
}
