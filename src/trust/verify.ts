// verifyBundle: a Sigstore bundle checked against an artifact, with a key or keyless (a trusted
// root and the expected identity and issuer), in the order of the Sigstore client spec.
import type { KeyObject } from 'node:crypto';
import { InvalidArgument } from '../errors.js';
import { checkOptions, optionNames } from '../options.js';
import { loadArtifact, matchArtifact, type Artifact } from './artifact.js';
import { parseBundle, type Bundle } from './bundle.js';
import { keyId, publicKeyOf, spki } from './keys.js';
import { checkPolicy, type Matcher } from './policy.js';
import { equalBytes, guarded, refuse } from './refuse.js';
import { checkSignature } from './signature.js';
import { isTrustedRoot, loadTrustedRoot, trustMaterial, type TrustedRoot, type TrustMaterial } from './trusted-root.js';
import { checkKeyless } from './keyless.js';
import { checkLogEntries } from './tlog.js';
import { parseCertificate, toPem } from './x509.js';

/** VerifyBundleOptions: a key, or a trusted root with the identity and issuer expected. */
export interface VerifyBundleOptions {
  /** A PEM SPKI public key (ECDSA P-256/P-384, Ed25519) or KeyObject: no log is needed. */
  key?: string | KeyObject;
  /** The trusted root, parsed or a path to trusted_root.json (keyless; with `key`, the log is checked too). */
  trustedRoot?: TrustedRoot | string;
  /** The certificate's SAN expected (keyless: required with trustedRoot). */
  identity?: string | RegExp;
  /** The certificate's OIDC issuer expected (keyless: required with trustedRoot). */
  issuer?: string | RegExp;
  /** The clock, for tests. */
  now?: Date;
}

/** SignatureVerification: what verified, every check named in order. */
export interface SignatureVerification {
  /** Where the signature came from: a Sigstore bundle, or cosign's legacy simple-signing tag. */
  format: 'bundle' | 'simplesigning';
  /** The key's ID (hex SHA-256 of its SPKI), when verified with a key. */
  keyId?: string;
  /** The signing certificate, PEM, when keyless. */
  certificate?: string;
  /** The certificate's SAN that matched. */
  identity?: string;
  /** The certificate's OIDC issuer. */
  issuer?: string;
  /** When the transparency log integrated the entry. */
  integratedTime?: Date;
  /** The verified times the signature existed at. */
  timestamps?: { kind: 'rfc3161' | 'tlog'; time: Date }[];
  /** The in-toto statement of a DSSE bundle. */
  statement?: unknown;
  /** What was checked, in order. */
  checks: string[];
}

const NAMES = optionNames<VerifyBundleOptions>({
  key: true,
  trustedRoot: true,
  identity: true,
  issuer: true,
  now: true,
});

/**
 * verifyBundle: verifies a Sigstore bundle (v0.1 to v0.3) over an artifact (bytes, a file path,
 * or 'sha256:<hex>'), with `key`, or keyless with `trustedRoot`, `identity` and `issuer`.
 * Resolves to what verified; rejects with VerificationError (its `reasons` say why) otherwise.
 */
export async function verifyBundle(
  bundle: unknown,
  artifact: Uint8Array | string,
  options: VerifyBundleOptions,
): Promise<SignatureVerification> {
  checkOptions('verifyBundle', options, NAMES);
  const { key, trustedRoot, identity, issuer, now = new Date() } = options ?? {};
  if (
    key !== undefined &&
    typeof key !== 'string' &&
    (typeof key !== 'object' || key === null || !('asymmetricKeyType' in key))
  )
    throw new InvalidArgument('verifyBundle: key must be a PEM string or a KeyObject');
  if (trustedRoot !== undefined && typeof trustedRoot !== 'string' && !isTrustedRoot(trustedRoot))
    throw new InvalidArgument("verifyBundle: trustedRoot must be parseTrustedRoot's result or a path");
  for (const [name, m] of [
    ['identity', identity],
    ['issuer', issuer],
  ] as const) {
    if (m !== undefined && typeof m !== 'string' && !(m instanceof RegExp))
      throw new InvalidArgument(`verifyBundle: ${name} must be a string or a RegExp`);
  }
  if (!(now instanceof Date) || Number.isNaN(now.getTime()))
    throw new InvalidArgument('verifyBundle: now must be a valid Date');
  if (key === undefined) {
    if (trustedRoot === undefined)
      throw new InvalidArgument('verifyBundle: give key, or trustedRoot with identity and issuer');
    if (identity === undefined || issuer === undefined)
      throw new InvalidArgument('verifyBundle: keyless verification needs identity and issuer');
  }
  const root = trustedRoot === undefined ? undefined : trustMaterial(await loadTrustedRoot(trustedRoot));
  const art = await loadArtifact(artifact);
  return guarded('bundle', () => {
    const parsed = parseBundle(bundle);
    const checks = [`bundle v${parsed.version} parsed`];
    if (key !== undefined) return withKey(parsed, art, publicKeyOf(key), root, now, checks);
    return withCertificate(parsed, art, root!, identity!, issuer!, now, checks);
  });
}

function withKey(
  bundle: Bundle,
  artifact: Artifact,
  key: KeyObject,
  root: TrustMaterial | undefined,
  now: Date,
  checks: string[],
): SignatureVerification {
  const id = keyId(key);
  const hint = bundle.material.kind === 'publicKey' ? bundle.material.hint : undefined;
  // a hint that is a key ID (base64 SHA-256 of the SPKI, as cosign writes it) must be this key's
  if (hint !== undefined && /^[A-Za-z0-9+/]{43}=$/.test(hint)) {
    if (hint !== Buffer.from(id).toString('base64')) refuse("the bundle's key hint names another key");
    checks.push("key hint is the key's ID");
  }
  if (bundle.material.kind === 'certificate') {
    const cert = parseCertificate(bundle.material.certificates[0]!);
    if (!equalBytes(cert.spki, spki(key))) refuse("the bundle's certificate does not hold the key");
    checks.push("certificate's key is the key");
  }
  const statement = matchArtifact(bundle.content, artifact);
  checks.push(
    bundle.content.kind === 'message'
      ? 'message digest matches the artifact'
      : "in-toto statement's subject names the artifact",
  );
  const result: SignatureVerification = { format: 'bundle', keyId: Buffer.from(id).toString('hex'), checks };
  if (root !== undefined) {
    const times = checkLogEntries(bundle, root, now, { key }, checks);
    Object.assign(result, times);
  }
  checkSignature(bundle.content, artifact, key);
  checks.push('signature verified with the key');
  if (statement !== undefined) result.statement = statement;
  return result;
}

function withCertificate(
  bundle: Bundle,
  artifact: Artifact,
  root: TrustMaterial,
  identity: Matcher,
  issuer: Matcher,
  now: Date,
  checks: string[],
): SignatureVerification {
  if (bundle.material.kind !== 'certificate') refuse('keyless verification needs a bundle with a certificate');
  const statement = matchArtifact(bundle.content, artifact);
  checks.push(
    bundle.content.kind === 'message'
      ? 'message digest matches the artifact'
      : "in-toto statement's subject names the artifact",
  );
  const { leaf, timestamps, integratedTime } = checkKeyless(bundle, root, now, checks);
  checkSignature(bundle.content, artifact, leaf.publicKey);
  checks.push("signature verified with the certificate's key");
  const who = checkPolicy(leaf, identity, issuer);
  checks.push(`identity ${who.identity} and issuer ${who.issuer} match`);
  const result: SignatureVerification = {
    format: 'bundle',
    certificate: toPem(leaf.der),
    identity: who.identity,
    issuer: who.issuer,
    timestamps,
    checks,
  };
  if (integratedTime !== undefined) result.integratedTime = integratedTime;
  if (statement !== undefined) result.statement = statement;
  return result;
}
