// Private keys as cosign signs with them: ECDSA (P-256, P-384, P-521) and Ed25519 as PKCS#8 PEM,
// encrypted or not (node:crypto reads both), each signing with its curve's hash (keys.ts's hashFor).
import { createPrivateKey, createPublicKey, sign, KeyObject } from 'node:crypto';
import { InvalidArgument } from '../errors.js';
import { hashFor, keyId } from './keys.js';

/** KeySource: a key as callers give it: PEM text, its bytes, or a node:crypto KeyObject. */
export type KeySource = string | Uint8Array | KeyObject;

/** privateKeyFrom: the private key of `key` (PKCS#8 PEM, decrypted with `passphrase`, or a KeyObject); InvalidArgument otherwise, never quoting the key. */
export function privateKeyFrom(key: KeySource, passphrase?: string, what = 'key'): KeyObject {
  let object: KeyObject;
  if (key instanceof KeyObject) object = key;
  else if (typeof key === 'string' || key instanceof Uint8Array) {
    const pem = typeof key === 'string' ? key : Buffer.from(key).toString('utf8');
    if (/-----BEGIN ENCRYPTED (?:SIGSTORE|COSIGN) PRIVATE KEY-----/.test(pem)) throw new InvalidArgument(`${what} is in cosign's own encrypted format, which is not read here: give it as PKCS#8 PEM`);
    try {
      object = createPrivateKey(passphrase === undefined ? { key: pem, format: 'pem' } : { key: pem, format: 'pem', passphrase });
    } catch {
      throw new InvalidArgument(pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') ? `${what} is encrypted: its passphrase is missing or wrong` : `${what} is not a PEM private key (PKCS#8)`);
    }
  } else throw new InvalidArgument(`${what} must be PEM text, its bytes or a KeyObject`);
  if (object.type !== 'private') throw new InvalidArgument(`${what} is not a private key`);
  const type = object.asymmetricKeyType;
  const curve = object.asymmetricKeyDetails?.namedCurve;
  if (!(type === 'ed25519' || (type === 'ec' && (curve === 'prime256v1' || curve === 'secp384r1' || curve === 'secp521r1')))) {
    throw new InvalidArgument(`${what} is ${type === 'ec' ? `an ECDSA key on ${curve ?? 'an unknown curve'}` : `a${type ? ` ${type}` : 'n unknown'} key`}: ECDSA P-256, P-384, P-521 and Ed25519 keys sign here`);
  }
  return object;
}

/** keyHint: a Sigstore bundle's key hint for `key` (base64 of the SHA-256 of its public key's DER SPKI), as cosign writes it. */
export function keyHint(key: KeyObject): string {
  return Buffer.from(keyId(key.type === 'private' ? createPublicKey(key) : key)).toString('base64');
}

/** signBytes: `data` signed with the private `key` (ECDSA as DER with its curve's hash; Ed25519 as is). */
export function signBytes(key: KeyObject, data: Uint8Array): Uint8Array {
  return new Uint8Array(sign(hashFor(key), data, key));
}

