// verifyBundle as the entry points export it: the verifier's modules (verify.ts and what it
// imports) are loaded by its first call, so a program that never verifies does not evaluate them.
import type { SignatureVerification, VerifyBundleOptions } from './verify.js';

/**
 * verifyBundle: verifies a Sigstore bundle (v0.1 to v0.3) over an artifact (bytes, a file path,
 * or 'sha256:<hex>'), with `key`, or keyless with `trustedRoot`, `identity` and `issuer`.
 * Resolves to what verified; rejects with VerificationError (its `reasons` say why) otherwise.
 */
export async function verifyBundle(
  bundle: unknown,
  artifact: Uint8Array | string,
  options: VerifyBundleOptions,
): Promise<SignatureVerification> {
  const verifier = await import('./verify.js');
  return verifier.verifyBundle(bundle, artifact, options);
}
