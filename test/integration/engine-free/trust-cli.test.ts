// The trust commands of the dockwire CLI (run in-process, as `dockwire` runs them) against the
// loopback registries and cosign 3.1.1: sign, attest, verify, verify-attestation, verify-blob, and
// referrers showing a cosign signature's real artifact type; failures exit 1 with their reasons.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import {
  cosignKeys,
  cosignSign,
  cosignVerify,
  cosignVerifyAttestation,
  freshImage,
  type CosignKeys,
} from '../../support/cosign.js';
import { bufferIo } from '../../support/cli-io.js';
import { peerConfig, testRegistries } from '../../support/registry-peers.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

const CONFORMANCE = join(import.meta.dirname, '..', '..', 'fixtures', 'sigstore-conformance', 'bundle-verify');

async function dockwire(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIo({ env: { DOCKER_CONFIG: config, COSIGN_PASSWORD: '' } });
  const code = await main(argv, io.io);
  return { code, out: io.out(), err: io.err() };
}

let config: string;
let keys: CosignKeys;
let other: CosignKeys;
let dir: string;
beforeAll(async () => {
  config = peerConfig();
  dir = tempDir('dockwire-trust-cli-');
  [keys, other] = await Promise.all([cosignKeys(), cosignKeys()]);
  writeFileSync(join(dir, 'key.pem'), keys.privatePem);
  writeFileSync(join(dir, 'key.pub'), keys.publicPem);
  writeFileSync(join(dir, 'other.pub'), other.publicPem);
  writeFileSync(join(dir, 'predicate.json'), JSON.stringify({ buildType: 'cli', builder: { id: 'dockwire' } }));
}, 60_000);
afterAll(removeTempDirs);

describe.each(testRegistries().filter((r) => r.kind !== 'token'))(
  'dockwire trust commands, the $kind registry',
  ({ host }) => {
    it('sign, in both formats, then verify; cosign verifies too; a wrong key exits 1 with a reason per signature', async () => {
      const ref = await freshImage(host);
      expect((await dockwire('sign', ref, '--key', join(dir, 'key.pem'), '-a', 'team=cli')).code).toBe(0);
      expect((await dockwire('sign', ref, '--key', keys.cosignKey, '--new-bundle-format=false')).code).toBe(0); // cosign.key, empty COSIGN_PASSWORD
      await cosignVerify(keys, ref);
      const ok = await dockwire('verify', ref, '--key', join(dir, 'key.pub'));
      expect(ok.code).toBe(0);
      expect(ok.out.match(/^Verified OK: (bundle|simplesigning) signed by key [0-9a-f]{64}$/gm)).toHaveLength(2);
      const json = await dockwire('--json', 'verify', ref, '--key', join(dir, 'key.pub'));
      expect((JSON.parse(json.out) as { digest: string }).digest).toBe(ref.slice(ref.indexOf('@') + 1));
      const wrong = await dockwire('verify', ref, '--key', join(dir, 'other.pub'));
      expect(wrong.code).toBe(1);
      expect(wrong.err.split('\n').filter((l) => l.startsWith('  '))).toHaveLength(2);
      // cosign's fallback entry says the empty type; referrers shows the bundle's
      const listed = await dockwire('referrers', ref);
      expect(listed.out).toContain('application/vnd.dev.sigstore.bundle.v0.3+json');
      expect(listed.out).not.toContain('application/vnd.oci.empty.v1+json');
    });

    it('attest, then verify-attestation by cosign\u2019s type name; cosign verify-attestation accepts it', async () => {
      const ref = await freshImage(host);
      expect(
        (
          await dockwire(
            'attest',
            ref,
            '--key',
            join(dir, 'key.pem'),
            '--predicate',
            join(dir, 'predicate.json'),
            '--type',
            'slsaprovenance',
          )
        ).code,
      ).toBe(0);
      await cosignVerifyAttestation(keys, ref, 'slsaprovenance');
      const found = await dockwire(
        'verify-attestation',
        ref,
        '--key',
        join(dir, 'key.pub'),
        '--type',
        'slsaprovenance',
      );
      expect(found.code).toBe(0);
      expect(JSON.parse(found.out)).toMatchObject({
        predicateType: 'https://slsa.dev/provenance/v0.2',
        predicate: { builder: { id: 'dockwire' } },
      });
      const none = await dockwire('verify-attestation', ref, '--key', join(dir, 'key.pub'), '--type', 'cyclonedx');
      expect(none.code).toBe(1);
      expect(none.err).toContain('not https://cyclonedx.org/bom');
    });

    it('verify of what cosign signed; an unsigned image exits 1: no signatures found', async () => {
      const ref = await freshImage(host);
      await cosignSign(keys, ref);
      expect((await dockwire('verify', ref, '--key', join(dir, 'key.pub'))).code).toBe(0);
      const unsigned = await dockwire('verify', await freshImage(host), '--key', join(dir, 'key.pub'));
      expect(unsigned.code).toBe(1);
      expect(unsigned.err).toContain('  no signatures found');
    });
  },
);

describe('dockwire verify-blob and usage', () => {
  it('verifies a bundle over a file with a key (sigstore-conformance managed-key cases)', async () => {
    const artifact = join(CONFORMANCE, 'a.txt');
    const good = await dockwire(
      'verify-blob',
      '--bundle',
      join(CONFORMANCE, 'managed-key-happy-path', 'bundle.sigstore.json'),
      '--key',
      join(CONFORMANCE, 'managed-key-happy-path', 'key.pub'),
      artifact,
    );
    expect(good.code, good.err).toBe(0);
    expect(good.out).toMatch(/^Verified OK: bundle signed by key/);
    const bad = await dockwire(
      'verify-blob',
      '--bundle',
      join(CONFORMANCE, 'managed-key-wrong-key_fail', 'bundle.sigstore.json'),
      '--key',
      join(CONFORMANCE, 'managed-key-wrong-key_fail', 'key.pub'),
      artifact,
    );
    expect(bad.code).toBe(1);
  });

  it('verifies a keyless bundle over a file with the trusted root, identity and issuer (happy-path-v0.3)', async () => {
    const identity =
      'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
    const issuer = 'https://token.actions.githubusercontent.com';
    const bundle = join(CONFORMANCE, 'happy-path-v0.3', 'bundle.sigstore.json');
    const root = join(CONFORMANCE, '..', 'public-good-trusted_root.json');
    const ok = await dockwire(
      'verify-blob',
      '--bundle',
      bundle,
      '--trusted-root',
      root,
      '--certificate-identity',
      identity,
      '--certificate-oidc-issuer',
      issuer,
      join(CONFORMANCE, 'a.txt'),
    );
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain(`signed by ${identity} (${issuer})`);
    const regexp = await dockwire(
      'verify-blob',
      '--bundle',
      bundle,
      '--trusted-root',
      root,
      '--certificate-identity-regexp',
      '^https://github\\.com/sigstore-conformance/',
      '--certificate-oidc-issuer',
      issuer,
      join(CONFORMANCE, 'a.txt'),
    );
    expect(regexp.code, regexp.err).toBe(0);
    const someoneElse = await dockwire(
      'verify-blob',
      '--bundle',
      bundle,
      '--trusted-root',
      root,
      '--certificate-identity',
      'https://example.com/me',
      '--certificate-oidc-issuer',
      issuer,
      join(CONFORMANCE, 'a.txt'),
    );
    expect(someoneElse.code).toBe(1);
  });

  it('refuses unusable flags with exit 2', async () => {
    expect((await dockwire('verify', '127.0.0.1:9/x:1')).code).toBe(2);
    expect((await dockwire('verify', '127.0.0.1:9/x:1', '--key', '/nowhere/key.pub')).code).toBe(2);
    expect(
      (await dockwire('sign', '127.0.0.1:9/x:1', '--key', join(dir, 'key.pem'), '--new-bundle-format=maybe')).code,
    ).toBe(2);
    expect((await dockwire('verify-blob', join(CONFORMANCE, 'a.txt'), '--key', join(dir, 'key.pub'))).code).toBe(2);
  });
});
