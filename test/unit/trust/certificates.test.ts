// X.509 fields, path building, SCTs and RFC 3161 timestamps over real Sigstore data (the
// sigstore-conformance fixtures): what verifies, and what a changed byte, a wrong time, a wrong
// OID or a truncation does (VerificationError, never another error).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VerificationError } from '../../../src/errors.js';
import { parseBundle } from '../../../src/trust/bundle.js';
import { buildPath } from '../../../src/trust/chain.js';
import { checkTimestamp, parseTimestamp } from '../../../src/trust/rfc3161.js';
import { checkScts, parseSctList, tbsWithoutScts } from '../../../src/trust/sct.js';
import { signatureOf } from '../../../src/trust/signature.js';
import { parseTrustedRoot, trustMaterial } from '../../../src/trust/trusted-root.js';
import {
  basicConstraints,
  extKeyUsage,
  OID,
  oidcIssuer,
  parseCertificate,
  subjectAltNames,
} from '../../../src/trust/x509.js';
import { refused } from './refused.js';

const base = join(import.meta.dirname, '../../fixtures/sigstore-conformance');
const publicGood = trustMaterial(parseTrustedRoot(readFileSync(join(base, 'public-good-trusted_root.json'))));
const caseDir = (name: string) => join(base, 'bundle-verify', name);
const v03 = parseBundle(readFileSync(join(caseDir('happy-path-v0.3'), 'bundle.sigstore.json')));
const leafDer = v03.material.kind === 'certificate' ? v03.material.certificates[0]! : new Uint8Array();
const signedAt = new Date(Number(v03.tlogEntries[0]!.integratedTime) * 1000);

describe('X.509', () => {
  it('reads the fields of a Fulcio certificate', () => {
    const leaf = parseCertificate(leafDer);
    expect(subjectAltNames(leaf)).toEqual([
      'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
    ]);
    expect(oidcIssuer(leaf)).toBe('https://token.actions.githubusercontent.com');
    expect(extKeyUsage(leaf)).toEqual([OID.codeSigning]);
    expect(basicConstraints(leaf)).toBeUndefined();
    expect(leaf.notAfter.getTime() - leaf.notBefore.getTime()).toBe(10 * 60 * 1000);
    const root = publicGood.certificateAuthorities[1]!.certificates.at(-1)!;
    expect(basicConstraints(root)).toMatchObject({ ca: true });
  });

  it('refuses every truncation of a certificate with VerificationError', () => {
    for (let n = 0; n < leafDer.length; n += 7) refused(() => parseCertificate(leafDer.subarray(0, n)));
  });

  it('never throws another error for a certificate with a byte changed', () => {
    for (let i = 0; i < leafDer.length; i += 3) {
      const copy = leafDer.slice();
      copy[i]! ^= 0xff;
      try {
        parseCertificate(copy);
      } catch (error) {
        expect(error).toBeInstanceOf(VerificationError);
      }
    }
  });
});

describe('path building', () => {
  it('builds leaf, intermediate, root at the signing time', () => {
    const path = buildPath(parseCertificate(leafDer), publicGood.certificateAuthorities, signedAt, OID.codeSigning);
    expect(path).toHaveLength(3);
    expect(path[2]!.issuer).toEqual(path[2]!.subject);
  });
  it("refuses a time outside the leaf's ten minutes", () => {
    expect(
      refused(() =>
        buildPath(
          parseCertificate(leafDer),
          publicGood.certificateAuthorities,
          new Date(signedAt.getTime() + 3600_000),
          OID.codeSigning,
        ),
      ).message,
    ).toMatch(/not valid at/);
  });
  it('refuses another root, and a purpose the leaf does not allow', () => {
    const staging = trustMaterial(
      parseTrustedRoot(readFileSync(join(caseDir('rekor2-happy-path'), 'trusted_root.json'))),
    );
    refused(() => buildPath(parseCertificate(leafDer), staging.certificateAuthorities, signedAt, OID.codeSigning));
    expect(
      refused(() => buildPath(parseCertificate(leafDer), publicGood.certificateAuthorities, signedAt, OID.timeStamping))
        .message,
    ).toMatch(/extended key usage/);
  });
  it('refuses a leaf whose signed bytes were changed', () => {
    const copy = leafDer.slice();
    copy[leafDer.length - 200]! ^= 1; // inside the extensions, covered by the signature
    refused(() => buildPath(parseCertificate(copy), publicGood.certificateAuthorities, signedAt, OID.codeSigning));
  });
});

describe('SCTs', () => {
  const leaf = parseCertificate(leafDer);
  const issuer = buildPath(leaf, publicGood.certificateAuthorities, signedAt, OID.codeSigning)[1]!;
  it('verifies the embedded SCT with the trusted CT log', () => {
    expect(checkScts(leaf, issuer, publicGood.ctlogs)).toBe(1);
    expect(tbsWithoutScts(leaf).length).toBeLessThan(leaf.tbs.end - leaf.tbs.start);
  });
  it('refuses without a trusted CT log, with another issuer, or with the SCT signature changed', () => {
    refused(() => checkScts(leaf, issuer, []));
    refused(() => checkScts(leaf, leaf, publicGood.ctlogs));
    const ext = leaf.extensions.find((e) => e.oid === OID.sctList)!;
    const copy = leafDer.slice();
    copy[ext.node.end - 3]! ^= 1;
    refused(() => checkScts(parseCertificate(copy), issuer, publicGood.ctlogs));
  });
  it('refuses a certificate without the SCT extension OID (the OID changed)', () => {
    const ext = leaf.extensions.find((e) => e.oid === OID.sctList)!;
    const copy = leafDer.slice();
    // the OID's last byte: 1.3.6.1.4.1.11129.2.4.2 becomes .3
    const oidEnd = ext.node.contentStart + 2 + 10;
    expect(copy[oidEnd - 1]).toBe(2);
    copy[oidEnd - 1] = 3;
    expect(refused(() => checkScts(parseCertificate(copy), issuer, publicGood.ctlogs)).message).toMatch(
      /no embedded SCT/,
    );
  });
  it('refuses truncated and overlong SCT lists', () => {
    refused(() => parseSctList(Uint8Array.of(0, 5, 0, 3, 0)));
    refused(() => parseSctList(Uint8Array.of(0, 2, 0, 0, 9)));
    refused(() => parseSctList(Uint8Array.of(0)));
    refused(() => parseSctList(Uint8Array.of(0, 3, 0, 1, 1))); // version 1
  });
});

describe('RFC 3161 timestamps', () => {
  const dir = caseDir('rekor2-timestamp-with-embedded-cert');
  const bundle = parseBundle(readFileSync(join(dir, 'bundle.sigstore.json')));
  const root = trustMaterial(parseTrustedRoot(readFileSync(join(dir, 'trusted_root.json'))));
  const token = bundle.rfc3161Timestamps[0]!;
  it('verifies a token over the signature from the trusted TSA', () => {
    const at = checkTimestamp(token, signatureOf(bundle.content), root.timestampAuthorities);
    expect(at.getTime()).toBe(parseTimestamp(token).genTime.getTime());
  });
  it('refuses another signature, no trusted TSA, and every truncation', () => {
    expect(refused(() => checkTimestamp(token, new Uint8Array(8), root.timestampAuthorities)).message).toMatch(
      /imprint/,
    );
    refused(() => checkTimestamp(token, signatureOf(bundle.content), []));
    refused(() => checkTimestamp(token, signatureOf(bundle.content), publicGood.timestampAuthorities));
    for (let n = 0; n < token.length; n += 5)
      refused(() => checkTimestamp(token.subarray(0, n), signatureOf(bundle.content), root.timestampAuthorities));
  });
  it('gives the same time or VerificationError, never another error, for a token with a byte changed', () => {
    const genTime = parseTimestamp(token).genTime.getTime();
    let refusals = 0;
    let tries = 0;
    for (let i = 0; i < token.length; i += 9, tries++) {
      const copy = token.slice();
      copy[i]! ^= 0x55;
      // (bytes the TSA did not sign, such as the embedded certificates or the SignedData's list
      // of digest algorithms, may change without changing what verifies)
      let at: Date | undefined;
      try {
        at = checkTimestamp(copy, signatureOf(bundle.content), root.timestampAuthorities);
      } catch (error) {
        expect(error).toBeInstanceOf(VerificationError);
        refusals++;
      }
      if (at !== undefined) expect(at.getTime()).toBe(genTime);
    }
    expect(refusals).toBeGreaterThan(tries / 4);
  });
});
