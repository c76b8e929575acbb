// sigstore-python's test bundles (test/fixtures/sigstore-python/NOTICE.md): the ones its tests
// verify (staging and production, Rekor v1 and v2), and the ones its tests refuse.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrustedRoot, verifyBundle } from '../../../src/index.js';
import { refusal } from './refused.js';

const dir = join(import.meta.dirname, '../../fixtures/sigstore-python');
const staging = parseTrustedRoot(readFileSync(join(dir, 'staging-trusted_root.json')));
const production = parseTrustedRoot(
  readFileSync(join(import.meta.dirname, '../../fixtures/sigstore-conformance/public-good-trusted_root.json')),
);
const bundle = (name: string) => readFileSync(join(dir, name));

describe("sigstore-python's bundles", () => {
  it.each([
    ['bundle.txt', 'bundle.txt.sigstore', staging, 'a@tny.town', 'https://github.com/login/oauth'],
    ['bundle_v3.txt', 'bundle_v3.txt.sigstore', staging, 'william@yossarian.net', 'https://github.com/login/oauth'],
    [
      'bundle_v3_alt.txt',
      'bundle_v3_alt.txt.sigstore',
      staging,
      'william@yossarian.net',
      'https://github.com/login/oauth',
    ],
    [
      'staging-rekor-v2.txt',
      'staging-rekor-v2.txt.sigstore.json',
      staging,
      'jku@goto.fi',
      'https://github.com/login/oauth',
    ],
    [
      'bundle_v3_github.whl',
      'bundle_v3_github.whl.sigstore',
      production,
      'https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2',
      'https://token.actions.githubusercontent.com',
    ],
  ] as const)('%s verifies', async (artifact, name, trustedRoot, identity, issuer) => {
    const v = await verifyBundle(bundle(name), join(dir, artifact), { trustedRoot, identity, issuer });
    expect(v).toMatchObject({ identity, issuer });
  });

  it('bundle.txt (a P-384 key, signed over SHA-256) is refused by the production root', async () => {
    expect(
      (
        await refusal(
          verifyBundle(bundle('bundle.txt.sigstore'), join(dir, 'bundle.txt'), {
            trustedRoot: production,
            identity: /./,
            issuer: /./,
          }),
        )
      ).message,
    ).toMatch(/does not chain/);
  });

  it.each([
    ['bundle_cve_2022_36056.txt', 'bundle_cve_2022_36056.txt.sigstore', /log entry's signature is not the bundle's/],
    ['bundle_invalid_version.txt', 'bundle_invalid_version.txt.sigstore', /media type/],
    ['bundle_no_cert_v1.txt', 'bundle_no_cert_v1.txt.sigstore', /no certificates/],
    ['bundle_no_checkpoint.txt', 'bundle_no_checkpoint.txt.sigstore', /no checkpoint/],
    ['bundle_no_log_entry.txt', 'bundle_no_log_entry.txt.sigstore', /no verified time/],
    ['bundle_v3_no_signed_time.txt', 'bundle_v3_no_signed_time.txt.sigstore.json', /no verified time/],
  ])('%s is refused', async (artifact, name, reason) => {
    expect(
      (
        await refusal(
          verifyBundle(bundle(name), join(dir, artifact), { trustedRoot: staging, identity: /./, issuer: /./ }),
        )
      ).message,
    ).toMatch(reason);
  });
});
