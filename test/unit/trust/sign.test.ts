// Signing as cosign does with a key: the statements, the DSSE envelope and the key bundle, each
// checked by verifyBundle (the verifier the registry side uses); private keys read as PKCS#8,
// encrypted or not, and refused (never quoted) otherwise.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidArgument, VerificationError, verifyBundle } from '../../../src/index.js';
import {
  attestationStatement,
  keyBundle,
  signEnvelope,
  signatureStatement,
  COSIGN_SIGN_PREDICATE,
} from '../../../src/trust/sign.js';
import { keyHint, loadPrivateKey, privateKeyFrom, signBytes } from '../../../src/trust/signing-keys.js';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const IN_TOTO = 'application/vnd.in-toto+json';
const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

describe('statements', () => {
  it('the signature statement is cosign 3.1.1\u2019s (seen: cosign sign -a foo=bar)', () => {
    expect(JSON.stringify(signatureStatement(DIGEST, { foo: 'bar' }))).toBe(
      `{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"${'c'.repeat(64)}"},"annotations":{"foo":"bar"}}],"predicateType":"${COSIGN_SIGN_PREDICATE}","predicate":{}}`,
    );
  });
  it('the attestation statement is cosign attest\u2019s: v0.1, the subject named', () => {
    expect(attestationStatement('r/x', DIGEST, 'https://slsa.dev/provenance/v0.2', { a: 1 })).toEqual({
      _type: 'https://in-toto.io/Statement/v0.1',
      subject: [{ name: 'r/x', digest: { sha256: 'c'.repeat(64) } }],
      predicateType: 'https://slsa.dev/provenance/v0.2',
      predicate: { a: 1 },
    });
  });
});

describe.each([
  ['P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
  ['P-384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' })],
  ['Ed25519', () => generateKeyPairSync('ed25519')],
])('a key bundle signed with %s', (_, make) => {
  const { privateKey, publicKey } = make();
  const envelope = signEnvelope(encode(signatureStatement(DIGEST)), IN_TOTO, privateKey);
  const bundle = keyBundle(envelope, privateKey);

  it('verifies with the public key, for the digest it names', async () => {
    const result = await verifyBundle(bundle, DIGEST, { key: publicKey });
    expect(result.statement).toMatchObject({ predicateType: COSIGN_SIGN_PREDICATE });
  });
  it('does not verify for another digest, with another key, or edited', async () => {
    await expect(verifyBundle(bundle, `sha256:${'d'.repeat(64)}`, { key: publicKey })).rejects.toThrow(
      VerificationError,
    );
    await expect(verifyBundle(bundle, DIGEST, { key: make().publicKey })).rejects.toThrow(VerificationError);
    const edited = {
      ...envelope,
      payload: Buffer.from(JSON.stringify(signatureStatement(DIGEST, { approved: 'yes' }))).toString('base64'),
    };
    await expect(verifyBundle(keyBundle(edited, privateKey), DIGEST, { key: publicKey })).rejects.toThrow(
      VerificationError,
    );
  });
  it('carries the key hint: the SHA-256 of the DER SPKI, base64', () => {
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    expect(bundle).toMatchObject({
      verificationMaterial: { publicKey: { hint: createHash('sha256').update(spki).digest('base64') } },
    });
    expect(keyHint(publicKey)).toBe(keyHint(privateKey));
  });
});

describe('privateKeyFrom', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const secret = 'correct horse battery staple';
  const encrypted = privateKey
    .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: secret })
    .toString();
  const plain = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  it('reads PKCS#8, plain or encrypted with its passphrase, as text or bytes', () => {
    for (const key of [
      privateKeyFrom(plain),
      privateKeyFrom(new TextEncoder().encode(plain)),
      privateKeyFrom(encrypted, secret),
    ]) {
      expect(key.export({ type: 'pkcs8', format: 'der' })).toEqual(privateKey.export({ type: 'pkcs8', format: 'der' }));
    }
    expect(signBytes(privateKeyFrom(encrypted, secret), new Uint8Array([1])).length).toBeGreaterThan(60);
  });

  it('refuses a missing or wrong passphrase, without quoting the key or the passphrase', () => {
    for (const attempt of [() => privateKeyFrom(encrypted), () => privateKeyFrom(encrypted, 'hunter2-guess')]) {
      expect(attempt).toThrow(InvalidArgument);
      try {
        attempt();
      } catch (error) {
        expect((error as Error).message).toMatch(/passphrase is missing or wrong/);
        expect((error as Error).message).not.toContain(encrypted.slice(40, 80));
        expect((error as Error).message).not.toContain('hunter2');
      }
    }
  });

  it.each([
    [
      'cosign\u2019s own format',
      '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\neyJr\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n',
      /cosign's own encrypted format/,
    ],
    [
      'a public key',
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      /not a (PEM )?private key/,
    ],
    [
      'an RSA key',
      generateKeyPairSync('rsa', { modulusLength: 1024 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
      /rsa key/,
    ],
    [
      'a secp256k1 key',
      generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
      /secp256k1/,
    ],
    ['text', 'hello', /not a PEM private key/],
    ['a number', 42, /must be PEM text/],
  ])('refuses %s', (_, key, message) => {
    expect(() => privateKeyFrom(key as never)).toThrow(message);
  });
});

describe('loadPrivateKey, cosign\u2019s own format', () => {
  const wrap = (value: unknown): string =>
    `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${Buffer.from(JSON.stringify(value))
      .toString('base64')
      .match(/.{1,64}/g)!
      .join('\n')}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`;
  const good = {
    kdf: { name: 'scrypt', params: { N: 1024, r: 8, p: 1 }, salt: 'c2FsdA==' },
    cipher: { name: 'nacl/secretbox', nonce: Buffer.alloc(24).toString('base64') },
    ciphertext: Buffer.alloc(40).toString('base64'),
  };
  it.each([
    [
      'not JSON inside',
      '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nbm90IGpzb24=\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n',
      /not JSON inside/,
    ],
    [
      'another cipher',
      wrap({ ...good, cipher: { ...good.cipher, name: 'aes-gcm' } }),
      /not scrypt and nacl\/secretbox/,
    ],
    [
      'an N of 2^30 (memory)',
      wrap({ ...good, kdf: { ...good.kdf, params: { N: 2 ** 30, r: 8, p: 1 } } }),
      /out of bounds/,
    ],
    [
      'an N that is not a power of two',
      wrap({ ...good, kdf: { ...good.kdf, params: { N: 1000, r: 8, p: 1 } } }),
      /out of bounds/,
    ],
    ['a nonce that is not base64', wrap({ ...good, cipher: { ...good.cipher, nonce: '%%' } }), /nonce is not base64/],
    ['a box that does not open', wrap(good), /passphrase is wrong/],
  ])('refuses %s', async (_, key, message) => {
    await expect(loadPrivateKey(key, 'pw')).rejects.toThrow(message);
  });
  it('reads PKCS#8 as privateKeyFrom does', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect((await loadPrivateKey(pem)).asymmetricKeyType).toBe('ed25519');
  });
});
