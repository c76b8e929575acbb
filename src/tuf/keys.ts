// TUF's public keys and their signatures, on node:crypto: ECDSA P-256 with SHA-256 (the key as
// PEM SubjectPublicKeyInfo, or as the hex of its uncompressed point, as Sigstore's first roots
// have it) and ed25519 (the hex of its 32 bytes). A key of any other type verifies nothing.
import type { KeyObject } from 'node:crypto'; // the module is loaded where first used

/** TufKey: a key as metadata lists it (`keys` of root, or of a delegation), by the wire's field names. */
export interface TufKey {
  keytype: string;
  scheme: string;
  keyval: { public: string };
}

/** A key that can verify: node:crypto's key and how its scheme signs. */
export interface PublicKey {
  key: KeyObject;
  digest: 'sha256' | null;
}

// DER SubjectPublicKeyInfo prefixes (RFC 5480 id-ecPublicKey with prime256v1; RFC 8410 id-Ed25519)
const P256_SPKI = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const HEX = /^(?:[0-9a-f]{2})+$/i;

/** publicKey: the node:crypto key for `key`, or undefined when its type or value is not one we can verify with. */
export function publicKey(key: TufKey): PublicKey | undefined {
  const value = key.keyval.public;
  try {
    if ((key.keytype === 'ecdsa' || key.keytype === 'ecdsa-sha2-nistp256') && key.scheme === 'ecdsa-sha2-nistp256') {
      const made = value.includes('-----BEGIN PUBLIC KEY-----')
        ? process.getBuiltinModule('node:crypto').createPublicKey({ key: value, format: 'pem' })
        : HEX.test(value) && value.length === 130 && value.startsWith('04')
          ? process.getBuiltinModule('node:crypto').createPublicKey({
              key: Buffer.concat([P256_SPKI, Buffer.from(value, 'hex')]),
              format: 'der',
              type: 'spki',
            })
          : undefined;
      if (made?.asymmetricKeyType !== 'ec' || made.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return undefined;
      return { key: made, digest: 'sha256' };
    }
    if (key.keytype === 'ed25519' && key.scheme === 'ed25519' && HEX.test(value) && value.length === 64) {
      return {
        key: process.getBuiltinModule('node:crypto').createPublicKey({
          key: Buffer.concat([ED25519_SPKI, Buffer.from(value, 'hex')]),
          format: 'der',
          type: 'spki',
        }),
        digest: null,
      };
    }
  } catch {
    // not a key node:crypto can read: it verifies nothing
  }
  return undefined;
}

/** verifySignature: true when `sig` (hex; DER for ECDSA) is `key`'s signature over `data`. */
export function verifySignature(key: PublicKey, data: Uint8Array, sig: string): boolean {
  if (!HEX.test(sig)) return false;
  try {
    return process.getBuiltinModule('node:crypto').verify(key.digest, data, key.key, Buffer.from(sig, 'hex'));
  } catch {
    return false;
  }
}
