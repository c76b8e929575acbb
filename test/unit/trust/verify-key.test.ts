// verifyBundle with a key: bundles v0.1 to v0.3 made here with node:crypto keys (P-256, P-384,
// Ed25519), message signatures and DSSE envelopes, the artifact as bytes, a path or a digest.
import { createHash, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgument, VerificationError } from '../../../src/errors.js';
import { verifyBundle } from '../../../src/index.js';
import { pae } from '../../../src/trust/dsse.js';
import { refusal } from './refused.js';

const artifact = new TextEncoder().encode('hello, trust\n');
const digest = createHash('sha256').update(artifact).digest();

function keyPair(kind: 'p256' | 'p384' | 'ed25519'): { publicPem: string; privateKey: KeyObject; hash: string | null } {
  const pair =
    kind === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: kind === 'p256' ? 'prime256v1' : 'secp384r1' });
  return {
    publicPem: pair.publicKey.export({ format: 'pem', type: 'spki' }) as string,
    privateKey: pair.privateKey,
    hash: kind === 'ed25519' ? null : kind === 'p256' ? 'sha256' : 'sha384',
  };
}

function messageBundle(
  k: ReturnType<typeof keyPair>,
  mediaType = 'application/vnd.dev.sigstore.bundle.v0.3+json',
  data = artifact,
): object {
  return {
    mediaType,
    verificationMaterial: { publicKey: { hint: 'test' }, tlogEntries: [] },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: digest.toString('base64') },
      signature: sign(k.hash, data, k.privateKey).toString('base64'),
    },
  };
}

function statement(sha256: string): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'image', digest: { sha256 } }],
      predicateType: 'https://sigstore.dev/cosign/sign/v1',
      predicate: {},
    }),
  );
}

function dsseBundle(
  k: ReturnType<typeof keyPair>,
  payload: Uint8Array,
  payloadType = 'application/vnd.in-toto+json',
): object {
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: '' }, tlogEntries: [] },
    dsseEnvelope: {
      payload: Buffer.from(payload).toString('base64'),
      payloadType,
      signatures: [{ sig: sign(k.hash, pae(payloadType, payload), k.privateKey).toString('base64'), keyid: '' }],
    },
  };
}

describe('verifyBundle with a key', () => {
  for (const kind of ['p256', 'p384', 'ed25519'] as const) {
    it(`verifies a message signature made with ${kind}, from bytes, a path and JSON text`, async () => {
      const k = keyPair(kind);
      const bundle = messageBundle(k);
      const v = await verifyBundle(bundle, artifact, { key: k.publicPem });
      expect(v.format).toBe('bundle');
      expect(v.keyId).toMatch(/^[0-9a-f]{64}$/);
      expect(v.checks).toEqual([
        'bundle v0.3 parsed',
        'message digest matches the artifact',
        'signature verified with the key',
      ]);
      const dir = mkdtempSync(join(tmpdir(), 'dockwire-trust-'));
      writeFileSync(join(dir, 'a.txt'), artifact);
      await verifyBundle(JSON.stringify(bundle), join(dir, 'a.txt'), { key: k.publicPem });
    });
  }

  it('reads v0.1, v0.2 and v0.3 media types', async () => {
    const k = keyPair('p256');
    for (const mediaType of [
      'application/vnd.dev.sigstore.bundle+json;version=0.1',
      'application/vnd.dev.sigstore.bundle+json;version=0.2',
      'application/vnd.dev.sigstore.bundle+json;version=0.3',
    ]) {
      const v = await verifyBundle(messageBundle(k, mediaType), artifact, { key: k.publicPem });
      expect(v.checks[0]).toBe(`bundle v${mediaType.slice(-3)} parsed`);
    }
    await refusal(
      verifyBundle(messageBundle(k, 'application/vnd.dev.sigstore.bundle+json;version=0.4'), artifact, {
        key: k.publicPem,
      }),
    );
  });

  it('refuses another key, another artifact, and a signature over other bytes', async () => {
    const k = keyPair('p256');
    const other = keyPair('p256');
    expect((await refusal(verifyBundle(messageBundle(k), artifact, { key: other.publicPem }))).reasons).toEqual([
      'the message signature does not verify with the key',
    ]);
    await refusal(verifyBundle(messageBundle(k), new TextEncoder().encode('other'), { key: k.publicPem }));
    await refusal(
      verifyBundle(messageBundle(k, undefined, new TextEncoder().encode('other')), artifact, { key: k.publicPem }),
    );
  });

  it('verifies a DSSE in-toto statement against the digest its subject names', async () => {
    const k = keyPair('p256');
    const manifest = 'sha256:' + 'ab'.repeat(32);
    const v = await verifyBundle(dsseBundle(k, statement('ab'.repeat(32))), manifest, { key: k.publicPem });
    expect(v.statement).toMatchObject({ predicateType: 'https://sigstore.dev/cosign/sign/v1' });
    expect(v.checks).toContain("in-toto statement's subject names the artifact");
    await refusal(verifyBundle(dsseBundle(k, statement('cd'.repeat(32))), manifest, { key: k.publicPem }));
    await refusal(
      verifyBundle(dsseBundle(k, statement('ab'.repeat(32)), 'text/plain'), manifest, { key: k.publicPem }),
    );
    await refusal(
      verifyBundle(dsseBundle(k, statement('ab'.repeat(32))), manifest, { key: keyPair('p256').publicPem }),
    );
  });

  it('refuses a DSSE envelope whose payload was edited after signing', async () => {
    const k = keyPair('ed25519');
    const bundle = dsseBundle(k, statement('ab'.repeat(32))) as { dsseEnvelope: { payload: string } };
    bundle.dsseEnvelope.payload = Buffer.from(statement('ab'.repeat(31) + 'ac')).toString('base64');
    await refusal(verifyBundle(bundle, 'sha256:' + 'ab'.repeat(31) + 'ac', { key: k.publicPem }));
  });

  it('checks a key hint that is a key ID (base64 SHA-256 of the SPKI), and ignores other hints', async () => {
    const k = keyPair('p256');
    const id = createHash('sha256')
      .update(createPublicKey(k.publicPem).export({ format: 'der', type: 'spki' }))
      .digest('base64');
    const bundle = messageBundle(k) as { verificationMaterial: { publicKey: { hint: string } } };
    bundle.verificationMaterial.publicKey.hint = id;
    expect((await verifyBundle(bundle, artifact, { key: k.publicPem })).checks).toContain("key hint is the key's ID");
    bundle.verificationMaterial.publicKey.hint = Buffer.alloc(32, 1).toString('base64');
    expect((await refusal(verifyBundle(bundle, artifact, { key: k.publicPem }))).message).toMatch(
      /key hint names another key/,
    );
  });

  it('refuses a message signature checked against a digest alone (its bytes are needed)', async () => {
    const k = keyPair('p256');
    await refusal(verifyBundle(messageBundle(k), `sha256:${digest.toString('hex')}`, { key: k.publicPem }));
  });

  it('checks its options before anything else', async () => {
    const k = keyPair('p256');
    const bundle = messageBundle(k);
    await expect(verifyBundle(bundle, artifact, { kye: k.publicPem } as never)).rejects.toThrow(
      /verifyBundle: unknown option "kye"; did you mean "key"\?/,
    );
    await expect(verifyBundle(bundle, artifact, {})).rejects.toBeInstanceOf(InvalidArgument);
    await expect(verifyBundle(bundle, artifact, { trustedRoot: '/nonexistent' })).rejects.toThrow(
      /needs identity and issuer/,
    );
    await expect(verifyBundle(bundle, artifact, { key: 42 } as never)).rejects.toBeInstanceOf(InvalidArgument);
    await expect(
      verifyBundle(bundle, artifact, {
        trustedRoot: { tlogs: [], ctlogs: [], certificateAuthorities: [], timestampAuthorities: [] },
        identity: 'a',
        issuer: 'b',
      }),
    ).rejects.toThrow(/parseTrustedRoot/);
    await expect(verifyBundle(bundle, artifact, { key: k.publicPem, identity: 3 } as never)).rejects.toBeInstanceOf(
      InvalidArgument,
    );
    await refusal(verifyBundle(bundle, artifact, { key: 'not a key' }));
    await refusal(verifyBundle(bundle, '/nonexistent/artifact', { key: k.publicPem }));
    await refusal(verifyBundle(bundle, 42 as never, { key: k.publicPem }));
  });

  it('refuses hostile bundles with VerificationError, never another error', async () => {
    const k = keyPair('p256');
    const good = messageBundle(k) as Record<string, unknown>;
    const hostile: unknown[] = [
      null,
      42,
      'not json',
      '{',
      new Uint8Array([0xff, 0xfe]),
      [],
      {},
      { ...good, mediaType: 7 },
      { ...good, verificationMaterial: null },
      { ...good, verificationMaterial: { publicKey: { hint: 5 } } },
      { ...good, verificationMaterial: { publicKey: {}, certificate: {} } },
      { ...good, verificationMaterial: { certificate: { rawBytes: 'AAAA' } } },
      { ...good, verificationMaterial: { certificate: { rawBytes: '' } } },
      { ...good, verificationMaterial: { x509CertificateChain: { certificates: [] } } },
      { ...good, verificationMaterial: { publicKey: {}, tlogEntries: 'x' } },
      { ...good, verificationMaterial: { publicKey: {}, tlogEntries: [{ logIndex: '-1' }] } },
      { ...good, verificationMaterial: { publicKey: {}, tlogEntries: [null] } },
      { ...good, messageSignature: { messageDigest: { algorithm: 'MD5', digest: 'AA==' }, signature: 'AA==' } },
      { ...good, messageSignature: { messageDigest: { algorithm: 'SHA2_256', digest: '!!!' }, signature: 'AA==' } },
      { ...good, messageSignature: undefined },
      { ...good, dsseEnvelope: { payload: 'AA==', payloadType: 'x', signatures: [] } },
      {
        ...good,
        messageSignature: undefined,
        dsseEnvelope: { payload: 'AA==', payloadType: 'x', signatures: [{ sig: 'AA==' }, { sig: 'AA==' }] },
      },
      {
        ...good,
        messageSignature: undefined,
        dsseEnvelope: { payload: '', payloadType: 'x', signatures: [{ sig: 'AA==' }] },
      },
      { ...good, messageSignature: undefined, dsseEnvelope: 'x' },
    ];
    for (const bundle of hostile) await refusal(verifyBundle(bundle, artifact, { key: k.publicPem }));
  });
});
