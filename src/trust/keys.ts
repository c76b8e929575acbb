// Public keys and signatures, all through node:crypto: PEM or DER SPKI keys read, signatures
// checked with the hash the key's curve calls for.
import type { KeyObject } from 'node:crypto'; // the module is loaded where first used
import { refuse } from './refuse.js';

/** publicKeyOf: a public KeyObject from PEM, SPKI DER, or a KeyObject (a private key gives its public half). */
export function publicKeyOf(key: string | Uint8Array | KeyObject, what = 'key'): KeyObject {
  let out: KeyObject;
  try {
    if (typeof key === 'string') out = process.getBuiltinModule('node:crypto').createPublicKey(key);
    else if (key instanceof Uint8Array) out = fromDer(key);
    else out = key.type === 'public' ? key : process.getBuiltinModule('node:crypto').createPublicKey(key);
  } catch {
    return refuse(`${what} is not a public key node:crypto can read`);
  }
  const type = out.asymmetricKeyType;
  if (type !== 'ec' && type !== 'ed25519' && type !== 'rsa' && type !== 'rsa-pss')
    refuse(`${what}: ${type} keys are not supported`);
  return out;
}

/** fromDer: a key from SPKI DER, or PKCS#1 DER (some trusted roots list RSA CT log keys so). */
function fromDer(der: Uint8Array): KeyObject {
  try {
    return process
      .getBuiltinModule('node:crypto')
      .createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
  } catch {
    return process
      .getBuiltinModule('node:crypto')
      .createPublicKey({ key: Buffer.from(der), format: 'der', type: 'pkcs1' });
  }
}

/** spki: a key's SubjectPublicKeyInfo DER. */
export function spki(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: 'der', type: 'spki' }));
}

/** keyId: the SHA-256 of a key's SPKI DER, as Sigstore names keys (log IDs, hints). */
export function keyId(key: KeyObject): Uint8Array {
  return new Uint8Array(process.getBuiltinModule('node:crypto').createHash('sha256').update(spki(key)).digest());
}

/** hashFor: the hash a key signs with: SHA-384 for P-384, SHA-512 for P-521, SHA-256 otherwise; none for Ed25519. */
export function hashFor(key: KeyObject): string | null {
  if (key.asymmetricKeyType === 'ed25519') return null;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve === 'secp384r1' ? 'sha384' : curve === 'secp521r1' ? 'sha512' : 'sha256';
}

/**
 * verifies: true when `signature` is `key`'s over `data`. Without a hash named, an ECDSA key is
 * tried with its curve's hash, then SHA-256 (cosign and sigstore-python sign with SHA-256 on
 * every curve).
 */
export function verifies(key: KeyObject, data: Uint8Array, signature: Uint8Array, hash?: string): boolean {
  if (key.asymmetricKeyType === 'ed25519') return tryVerify(null, key, data, signature);
  if (hash !== undefined) return tryVerify(hash, key, data, signature);
  const own = hashFor(key)!;
  return tryVerify(own, key, data, signature) || (own !== 'sha256' && tryVerify('sha256', key, data, signature));
}

function tryVerify(hash: string | null, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return process.getBuiltinModule('node:crypto').verify(hash, data, key, signature);
  } catch {
    return false;
  }
}

/** sha256: the SHA-256 of bytes. */
export function sha256(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(process.getBuiltinModule('node:crypto').createHash('sha256').update(data).digest());
}

/** digestOf: the digest of `data` with a Sigstore hash algorithm name (SHA2_256, SHA2_384, SHA2_512). */
export function digestOf(algorithm: string, data: Uint8Array): Uint8Array {
  const name = algorithm === 'SHA2_384' ? 'sha384' : algorithm === 'SHA2_512' ? 'sha512' : 'sha256';
  return new Uint8Array(process.getBuiltinModule('node:crypto').createHash(name).update(data).digest());
}
