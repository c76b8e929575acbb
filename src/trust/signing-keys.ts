// Private keys as cosign signs with them: ECDSA (P-256, P-384, P-521) and Ed25519 as PKCS#8 PEM,
// encrypted or not (node:crypto reads both), each signing with its curve's hash (keys.ts's hashFor).
import type { KeyObject } from 'node:crypto'; // the module is loaded where first used
import { secretboxOpen } from './secretbox.js';
import { InvalidArgument } from '../errors.js';
import { hashFor, keyId } from './keys.js';

/** KeySource: a key as callers give it: PEM text, its bytes, or a node:crypto KeyObject. */
export type KeySource = string | Uint8Array | KeyObject;

/** privateKeyFrom: the private key of `key` (PKCS#8 PEM, decrypted with `passphrase`, or a KeyObject); InvalidArgument otherwise, never quoting the key. */
export function privateKeyFrom(key: KeySource, passphrase?: string, what = 'key'): KeyObject {
  let object: KeyObject;
  if (key instanceof process.getBuiltinModule('node:crypto').KeyObject) object = key;
  else if (typeof key === 'string' || key instanceof Uint8Array) {
    const pem = typeof key === 'string' ? key : Buffer.from(key).toString('utf8');
    if (COSIGN_PEM.test(pem))
      throw new InvalidArgument(`${what} is in cosign's own encrypted format: read it with loadPrivateKey`);
    try {
      object = process
        .getBuiltinModule('node:crypto')
        .createPrivateKey(
          passphrase === undefined ? { key: pem, format: 'pem' } : { key: pem, format: 'pem', passphrase },
        );
    } catch {
      throw new InvalidArgument(
        pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')
          ? `${what} is encrypted: its passphrase is missing or wrong`
          : `${what} is not a PEM private key (PKCS#8)`,
      );
    }
  } else throw new InvalidArgument(`${what} must be PEM text, its bytes or a KeyObject`);
  return checkSigningKey(object, what);
}

function checkSigningKey(object: KeyObject, what: string): KeyObject {
  if (object.type !== 'private') throw new InvalidArgument(`${what} is not a private key`);
  const type = object.asymmetricKeyType;
  const curve = object.asymmetricKeyDetails?.namedCurve;
  if (!(
    type === 'ed25519' ||
    (type === 'ec' && (curve === 'prime256v1' || curve === 'secp384r1' || curve === 'secp521r1'))
  )) {
    throw new InvalidArgument(
      `${what} is ${type === 'ec' ? `an ECDSA key on ${curve ?? 'an unknown curve'}` : `a${type ? ` ${type}` : 'n unknown'} key`}: ECDSA P-256, P-384, P-521 and Ed25519 keys sign here`,
    );
  }
  return object;
}

/** keyHint: a Sigstore bundle's key hint for `key` (base64 of the SHA-256 of its public key's DER SPKI), as cosign writes it. */
export function keyHint(key: KeyObject): string {
  return Buffer.from(
    keyId(key.type === 'private' ? process.getBuiltinModule('node:crypto').createPublicKey(key) : key),
  ).toString('base64');
}

/**
 * signBytes: `data` signed with the private `key`: ECDSA as DER over SHA-256, whatever the curve,
 * which every verifier tries (cosign 3.1.1 verifies P-384 only so, sigstore-python signs so);
 * Ed25519 as is.
 */
export function signBytes(key: KeyObject, data: Uint8Array): Uint8Array {
  return new Uint8Array(
    process.getBuiltinModule('node:crypto').sign(hashFor(key) === null ? null : 'sha256', data, key),
  );
}

const COSIGN_PEM =
  /-----BEGIN ENCRYPTED (?:SIGSTORE|COSIGN) PRIVATE KEY-----([A-Za-z0-9+/=\s]*)-----END ENCRYPTED (?:SIGSTORE|COSIGN) PRIVATE KEY-----/;

/**
 * loadPrivateKey: privateKeyFrom, and also cosign's own encrypted key (`cosign.key`: a scrypt key
 * from the passphrase, empty when none is given, opening a NaCl secretbox around PKCS#8 DER).
 * A wrong passphrase is InvalidArgument, never quoting it.
 */
export async function loadPrivateKey(key: KeySource, passphrase?: string, what = 'key'): Promise<KeyObject> {
  const pem = typeof key === 'string' ? key : key instanceof Uint8Array ? Buffer.from(key).toString('utf8') : undefined;
  const match = pem === undefined ? null : COSIGN_PEM.exec(pem);
  if (match === null) return privateKeyFrom(key, passphrase, what);
  const bad = (why: string): InvalidArgument => new InvalidArgument(`${what} (cosign's format): ${why}`);
  let sealed: {
    kdf?: { name?: unknown; params?: { N?: unknown; r?: unknown; p?: unknown }; salt?: unknown };
    cipher?: { name?: unknown; nonce?: unknown };
    ciphertext?: unknown;
  };
  try {
    sealed = JSON.parse(Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64').toString('utf8')) as typeof sealed;
  } catch {
    throw bad('not JSON inside');
  }
  const { N, r, p } = sealed?.kdf?.params ?? {};
  if (sealed?.kdf?.name !== 'scrypt' || sealed.cipher?.name !== 'nacl/secretbox')
    throw bad('not scrypt and nacl/secretbox');
  // cosign uses N=2^16, r=8, p=1: bounded so that a key file cannot ask for unbounded memory or time
  if (
    !(Number.isSafeInteger(N) && Number.isSafeInteger(r) && Number.isSafeInteger(p)) ||
    (N as number) < 2 ||
    (N as number) > 2 ** 20 ||
    ((N as number) & ((N as number) - 1)) !== 0 ||
    (r as number) < 1 ||
    (r as number) > 16 ||
    (p as number) < 1 ||
    (p as number) > 4
  )
    throw bad('scrypt parameters out of bounds');
  const field = (value: unknown, name: string): Uint8Array => {
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw bad(`${name} is not base64`);
    return new Uint8Array(Buffer.from(value, 'base64'));
  };
  const salt = field(sealed.kdf.salt, 'the salt');
  const nonce = field(sealed.cipher.nonce, 'the nonce');
  const box = field(sealed.ciphertext, 'the ciphertext');
  const secret = await new Promise<Buffer>((resolve, reject) =>
    process
      .getBuiltinModule('node:crypto')
      .scrypt(
        passphrase ?? '',
        salt,
        32,
        { N: N as number, r: r as number, p: p as number, maxmem: 256 * 1024 * 1024 },
        (error, derived) => (error ? reject(bad('scrypt failed')) : resolve(derived)),
      ),
  );
  const der = secretboxOpen(box, nonce, new Uint8Array(secret));
  if (der === undefined) throw bad('the passphrase is wrong (or the key was changed)');
  let object: KeyObject;
  try {
    object = process
      .getBuiltinModule('node:crypto')
      .createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  } catch {
    throw bad('what it holds is not a PKCS#8 private key');
  }
  return checkSigningKey(object, what);
}
