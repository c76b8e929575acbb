// verifyBundle keyless, over sigstore-conformance bundles: what a verification gives, the order
// of its checks, and the policy (identity and issuer) as strings and patterns.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VerificationError } from '../../../src/errors.js';
import { parseTrustedRoot, verifyBundle } from '../../../src/index.js';
import { refusal } from './refused.js';

const base = join(import.meta.dirname, '../../fixtures/sigstore-conformance');
const trustedRoot = parseTrustedRoot(readFileSync(join(base, 'public-good-trusted_root.json')));
const bundleOf = (name: string) =>
  JSON.parse(readFileSync(join(base, 'bundle-verify', name, 'bundle.sigstore.json'), 'utf8')) as Record<string, any>;
const artifact = join(base, 'bundle-verify', 'a.txt');
const identity =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const issuer = 'https://token.actions.githubusercontent.com';

describe('verifyBundle keyless', () => {
  it('names what verified, in the Sigstore client spec order', async () => {
    const v = await verifyBundle(bundleOf('happy-path-v0.3'), artifact, { trustedRoot, identity, issuer });
    expect(v).toMatchObject({ format: 'bundle', identity, issuer });
    expect(v.certificate).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(v.integratedTime?.toISOString()).toBe('2024-03-19T17:26:26.000Z');
    expect(v.timestamps).toEqual([{ kind: 'tlog', time: v.integratedTime }]);
    expect(v.checks).toEqual([
      'bundle v0.3 parsed',
      'message digest matches the artifact',
      'certificate chains to a trusted Fulcio CA at every verified time',
      '1 SCT(s) from trusted CT logs verified',
      'log entry 0: signed entry timestamp verified',
      'log entry 0: inclusion proof verified up to a checkpoint signed by the log',
      'log entry 0: body records this signature',
      "signature verified with the certificate's key",
      `identity ${identity} and issuer ${issuer} match`,
    ]);
  });

  it('takes patterns for identity and issuer, and refuses names that do not match', async () => {
    const bundle = bundleOf('happy-path-v0.3');
    await verifyBundle(bundle, artifact, {
      trustedRoot,
      identity: /^https:\/\/github\.com\/sigstore-conformance\//,
      issuer: /^https:\/\/token\.actions\./,
    });
    expect(
      (await refusal(verifyBundle(bundle, artifact, { trustedRoot, identity: `${identity}x`, issuer }))).message,
    ).toMatch(/identity .* does not match/);
    expect(
      (await refusal(verifyBundle(bundle, artifact, { trustedRoot, identity, issuer: 'https://accounts.google.com' })))
        .message,
    ).toMatch(/OIDC issuer .* does not match/);
    await refusal(verifyBundle(bundle, artifact, { trustedRoot, identity: /^https:\/\/gitlab\.com\//, issuer }));
  });

  it('verifies a DSSE bundle against the digest its in-toto subject names', async () => {
    const bundle = bundleOf('happy-path-intoto-in-dsse-v3');
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString()) as {
      subject: { digest: { sha256: string } }[];
    };
    const v = await verifyBundle(bundle, `sha256:${statement.subject[0]!.digest.sha256}`, {
      trustedRoot,
      identity,
      issuer,
    });
    expect(v.statement).toEqual(statement);
    await refusal(verifyBundle(bundle, `sha256:${'0'.repeat(64)}`, { trustedRoot, identity, issuer }));
  });

  it('refuses a bundle whose chain brings its own root, and one verified with a key it does not hold', async () => {
    const bundle = bundleOf('happy-path-v0.1');
    const ca = trustedRoot.certificateAuthorities[1]!.certificates;
    bundle.verificationMaterial = {
      ...bundle.verificationMaterial,
      certificate: undefined,
      x509CertificateChain: {
        certificates: [
          bundle.verificationMaterial.certificate?.rawBytes ??
            bundle.verificationMaterial.x509CertificateChain.certificates[0].rawBytes,
          ...ca.map((c) => ({ rawBytes: c.raw.toString('base64') })),
        ].map((c) => (typeof c === 'string' ? { rawBytes: c } : c)),
      },
    };
    expect((await refusal(verifyBundle(bundle, artifact, { trustedRoot, identity, issuer }))).message).toMatch(
      /holds a root certificate/,
    );
    const key =
      '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwrkBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+RYtw==\n-----END PUBLIC KEY-----\n';
    expect((await refusal(verifyBundle(bundleOf('happy-path-v0.3'), artifact, { key }))).message).toMatch(
      /certificate does not hold the key/,
    );
  });

  it('refuses a log entry from the future of the given clock', async () => {
    const v = refusal(
      verifyBundle(bundleOf('happy-path-v0.3'), artifact, {
        trustedRoot,
        identity,
        issuer,
        now: new Date('2024-03-19T17:00:00Z'),
      }),
    );
    expect((await v).message).toMatch(/in the future/);
  });
});
