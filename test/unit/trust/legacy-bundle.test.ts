// cosign's legacy signatures as the bundles they amount to: a real keyless signature (the
// sigstore-conformance happy-path-v0.1 case, a hashedrekord with a Fulcio certificate and a SET)
// taken apart into the annotations cosign writes on a `.sig` layer and put back together, then
// verified keyless; key bundles for `.att` envelopes; hostile annotations refused.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VerificationError, verifyBundle } from '../../../src/index.js';
import { legacyBundle, pemCertificates, type LegacyAnnotations } from '../../../src/trust/legacy-bundle.js';
import { attestationStatement, signEnvelope } from '../../../src/trust/sign.js';

const ASSETS = join(import.meta.dirname, '..', '..', 'fixtures', 'sigstore-conformance');
const CASE = join(ASSETS, 'bundle-verify', 'happy-path-v0.1');
const IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';

interface V01 {
  verificationMaterial: {
    x509CertificateChain: { certificates: Array<{ rawBytes: string }> };
    tlogEntries: Array<{
      logIndex: string;
      logId: { keyId: string };
      integratedTime: string;
      inclusionPromise: { signedEntryTimestamp: string };
      canonicalizedBody: string;
      kindVersion: unknown;
    }>;
  };
  messageSignature: { signature: string };
}

const pem = (base64: string): string =>
  `-----BEGIN CERTIFICATE-----\n${base64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;

/** The annotations cosign 2 wrote on a keyless `.sig` layer for this signature. */
function annotationsOf(bundle: V01): LegacyAnnotations {
  const [leaf, ...chain] = bundle.verificationMaterial.x509CertificateChain.certificates;
  const entry = bundle.verificationMaterial.tlogEntries[0]!;
  return {
    'dev.cosignproject.cosign/signature': bundle.messageSignature.signature,
    'dev.sigstore.cosign/certificate': pem(leaf!.rawBytes),
    'dev.sigstore.cosign/chain': chain.map((c) => pem(c.rawBytes)).join(''),
    'dev.sigstore.cosign/bundle': JSON.stringify({
      SignedEntryTimestamp: entry.inclusionPromise.signedEntryTimestamp,
      Payload: {
        body: entry.canonicalizedBody,
        integratedTime: Number(entry.integratedTime),
        logIndex: Number(entry.logIndex),
        logID: Buffer.from(entry.logId.keyId, 'base64').toString('hex'),
      },
    }),
  };
}

describe('legacyBundle, keyless', () => {
  const original = JSON.parse(readFileSync(join(CASE, 'bundle.sigstore.json'), 'utf8')) as V01;
  const artifact = readFileSync(join(ASSETS, 'bundle-verify', 'a.txt'));
  const annotations = annotationsOf(original);
  const signature = Buffer.from(original.messageSignature.signature, 'base64');

  it('gives back the bundle\u2019s certificate, log entry (with its SET) and signature', () => {
    const rebuilt = legacyBundle(annotations, { signature, payload: artifact }) as V01 & { mediaType: string };
    expect(rebuilt.mediaType).toBe('application/vnd.dev.sigstore.bundle+json;version=0.1');
    expect(rebuilt.verificationMaterial.x509CertificateChain).toEqual(
      original.verificationMaterial.x509CertificateChain,
    );
    const { inclusionProof: _proof, ...entry } = original.verificationMaterial.tlogEntries[0] as Record<
      string,
      unknown
    >;
    expect(rebuilt.verificationMaterial.tlogEntries).toEqual([entry]);
    expect(rebuilt.messageSignature).toEqual(original.messageSignature);
  });

  it('verifies keyless, and not for another identity or payload', async () => {
    const rebuilt = legacyBundle(annotations, { signature, payload: artifact });
    const trustedRoot = join(ASSETS, 'public-good-trusted_root.json');
    const result = await verifyBundle(rebuilt, artifact, { trustedRoot, identity: IDENTITY, issuer: ISSUER });
    expect(result.identity).toBe(IDENTITY);
    await expect(
      verifyBundle(rebuilt, artifact, { trustedRoot, identity: 'https://example.com/someone-else', issuer: ISSUER }),
    ).rejects.toThrow(VerificationError);
    const other = new TextEncoder().encode('another payload');
    await expect(
      verifyBundle(legacyBundle(annotations, { signature, payload: other }), other, {
        trustedRoot,
        identity: IDENTITY,
        issuer: ISSUER,
      }),
    ).rejects.toThrow(VerificationError);
  });
});

describe('legacyBundle, with a key (an .att envelope)', () => {
  it('verifies the envelope with the key for the digest its statement names', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const digest = `sha256:${'e'.repeat(64)}`;
    const envelope = signEnvelope(
      new TextEncoder().encode(
        JSON.stringify(attestationStatement('r/x', digest, 'https://slsa.dev/provenance/v0.2', {})),
      ),
      'application/vnd.in-toto+json',
      privateKey,
    );
    const bytes = new TextEncoder().encode(JSON.stringify(envelope));
    await expect(
      verifyBundle(legacyBundle({}, { envelope: bytes }, publicKey), digest, { key: publicKey }),
    ).resolves.toMatchObject({ statement: { predicateType: 'https://slsa.dev/provenance/v0.2' } });
    await expect(
      verifyBundle(legacyBundle({}, { envelope: bytes }, publicKey), `sha256:${'f'.repeat(64)}`, { key: publicKey }),
    ).rejects.toThrow(VerificationError);
  });
});

describe('legacyBundle refuses hostile annotations', () => {
  const good = annotationsOf(JSON.parse(readFileSync(join(CASE, 'bundle.sigstore.json'), 'utf8')) as V01);
  const rekor = JSON.parse(good['dev.sigstore.cosign/bundle']!) as {
    SignedEntryTimestamp: string;
    Payload: Record<string, unknown>;
  };
  const withRekor = (payload: Record<string, unknown>): LegacyAnnotations => ({
    ...good,
    'dev.sigstore.cosign/bundle': JSON.stringify({ ...rekor, Payload: { ...rekor.Payload, ...payload } }),
  });
  const cases: Array<[string, LegacyAnnotations | Uint8Array]> = [
    [
      'no certificate',
      Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'dev.sigstore.cosign/certificate')),
    ],
    ['a certificate that is not PEM', { ...good, 'dev.sigstore.cosign/certificate': 'MIIB...' }],
    [
      'a certificate of bad base64',
      { ...good, 'dev.sigstore.cosign/certificate': '-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----' },
    ],
    ['a Rekor bundle that is not JSON', { ...good, 'dev.sigstore.cosign/bundle': '{"Payload":' }],
    [
      'a Rekor bundle without a SET',
      { ...good, 'dev.sigstore.cosign/bundle': JSON.stringify({ Payload: rekor.Payload }) },
    ],
    ['a logID that is not hex', withRekor({ logID: 'zz' })],
    ['a body that is not base64', withRekor({ body: '***' })],
    ['a body without kind', withRekor({ body: Buffer.from('{"apiVersion":"0.0.1"}').toString('base64') })],
    [
      'a timestamp annotation without SignedRFC3161Timestamp',
      { ...good, 'dev.sigstore.cosign/rfc3161timestamp': '{}' },
    ],
    ['an envelope that is not JSON', new TextEncoder().encode('{"payload":')],
  ];
  it.each(cases)('%s', (_, input) => {
    const make = (): object =>
      input instanceof Uint8Array
        ? legacyBundle({}, { envelope: input })
        : legacyBundle(input, { signature: new Uint8Array([1]), payload: new Uint8Array([2]) });
    expect(make).toThrow(VerificationError);
  });

  it('reads every certificate of a chain', () => {
    const one = good['dev.sigstore.cosign/certificate']!;
    expect(pemCertificates(one + one, 'chain')).toHaveLength(2);
    expect(pemCertificates('', 'chain')).toEqual([]);
  });
});
