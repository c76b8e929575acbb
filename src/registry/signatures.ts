// An image's cosign signatures and attestations, found in its registry in both of cosign's
// schemes and verified: Sigstore bundles v0.3 as OCI 1.1 referrers (cosign 3), and the legacy
// `sha256-<hex>.sig` (simple signing) and `.att` (DSSE envelopes) tags. A signature counts only
// when it names this image's digest: one copied from another image's tag, or whose referrer names
// another subject, is refused.
import { fetchTrustedRoot, type FetchTrustedRootOptions } from '../tuf/trusted-root.js';
import { parseTrustedRoot } from '../trust/trusted-root.js';
import type { KeyObject } from 'node:crypto';
import { DigestMismatch, ManifestNotFound, InvalidArgument, ProtocolError, VerificationError } from '../errors.js';
import { checkOptions, optionNames } from '../options.js';
import type { Descriptor, ImageManifest } from '../oci.js';
import { verifyBundle, type SignatureVerification, type VerifyBundleOptions } from '../trust/verify.js';
import { keyId, publicKeyOf, verifies } from '../trust/keys.js';
import { decodeBase64, hex } from '../trust/refuse.js';
import { SIMPLE_SIGNING, parseSimpleSigning } from '../trust/simplesigning.js';
import { BUNDLE_V03, COSIGN_SIGN_PREDICATE, DSSE_ENVELOPE } from '../trust/sign.js';
import { legacyBundle, type LegacyAnnotations } from '../trust/legacy-bundle.js';
import { parseRegistryReference } from './name.js';
import type { Registry } from './registry.js';
import { endDeadline, withDeadline } from './call-deadline.js';
import { callOptions, type RegistryCallOptions, CALL_NAMES } from './options.js';
import { SIGNATURE_ANNOTATION } from './sign.js';

/** The largest bundle, payload or envelope read (an SBOM attestation can be large). */
const MAX_SIGNATURE_BLOB = 64 * 1024 * 1024;

/** VerifyOptions: the options of `registry.verify`: a public key, or keyless with a trusted root, identity and issuer. */
export interface VerifyOptions extends RegistryCallOptions {
  /** A PEM SPKI public key (ECDSA P-256/P-384, Ed25519) or KeyObject. */
  key?: VerifyBundleOptions['key'];
  /** The trusted root (keyless): parsed, or a path to trusted_root.json; left out, Sigstore's, through TUF (`tuf`). */
  trustedRoot?: VerifyBundleOptions['trustedRoot'];
  /** How `fetchTrustedRoot` gets the trusted root when `trustedRoot` is left out (Sigstore's public-good repository by default). */
  tuf?: FetchTrustedRootOptions;
  /** The certificate identity (SAN) expected, keyless. */
  identity?: string | RegExp;
  /** The OIDC issuer expected, keyless. */
  issuer?: string | RegExp;
  /** The clock, for tests. */
  now?: Date;
}

/** VerifyAttestationsOptions: the options of `registry.verifyAttestations`. */
export interface VerifyAttestationsOptions extends VerifyOptions {
  /** Only attestations of this predicate type (a URI). */
  predicateType?: string;
}

/** ImageVerification: what `registry.verify` gives: the image's digest and the signatures that verified. */
export interface ImageVerification {
  /** The digest of the image verified (`ref` resolved). */
  digest: string;
  /** The signatures that verified (at least one). */
  signatures: SignatureVerification[];
}

/** AttestationVerification: an attestation that verified, decoded. */
export interface AttestationVerification {
  /** The statement's predicate type (a URI). */
  predicateType: string;
  /** The in-toto statement. */
  statement: Record<string, unknown>;
  /** Its predicate. */
  predicate: unknown;
  /** How its signature verified. */
  signature: SignatureVerification;
}

const VERIFY_OPTIONS = optionNames<VerifyOptions>({
  ...CALL_NAMES,
  key: true,
  trustedRoot: true,
  tuf: true,
  identity: true,
  issuer: true,
  now: true,
});
const ATTESTATION_OPTIONS = [...VERIFY_OPTIONS, 'predicateType'];

/** What was found to try: a bundle, a simple signing payload, or a DSSE envelope, and where. */
type Found =
  | { kind: 'bundle'; where: string; bytes: Uint8Array }
  | { kind: 'simplesigning' | 'dsse'; where: string; bytes: Uint8Array; annotations: Record<string, string> };

type Call = RegistryCallOptions;

/** Verifies the signatures of the image `ref` names (cosign verify); VerificationError with a reason per signature tried when none verifies. */
export async function verifyImage(registry: Registry, ref: string, options: VerifyOptions): Promise<ImageVerification> {
  checkOptions('registry.verify', options, VERIFY_OPTIONS);
  const { digest, results } = await verifyEach(
    registry,
    ref,
    await split('registry.verify', options),
    'sig',
    (verification, found) => {
      if (found.kind === 'bundle' && predicateTypeOf(verification.statement) !== COSIGN_SIGN_PREDICATE)
        throw new VerificationError(`its statement is not a cosign signature (${COSIGN_SIGN_PREDICATE})`);
      return verification;
    },
  );
  return { digest, signatures: results };
}

/** Verifies the attestations of the image `ref` names (cosign verify-attestation), each decoded; VerificationError when none verifies. */
export async function verifyImageAttestations(
  registry: Registry,
  ref: string,
  options: VerifyAttestationsOptions,
): Promise<AttestationVerification[]> {
  checkOptions('registry.verifyAttestations', options, ATTESTATION_OPTIONS);
  const { predicateType: wanted, ...rest } = options ?? {};
  if (wanted !== undefined && (typeof wanted !== 'string' || wanted === ''))
    throw new InvalidArgument('registry.verifyAttestations: predicateType must be a non-empty string');
  const { results } = await verifyEach(
    registry,
    ref,
    await split('registry.verifyAttestations', rest),
    'att',
    (signature) => {
      const statement = signature.statement as Record<string, unknown>;
      const predicateType = predicateTypeOf(statement);
      if (predicateType === undefined) throw new VerificationError('its statement has no predicateType');
      if (predicateType === COSIGN_SIGN_PREDICATE) return undefined; // a signature, not an attestation
      if (wanted !== undefined && predicateType !== wanted)
        throw new VerificationError(`its predicate type is ${predicateType}, not ${wanted}`);
      return { predicateType, statement, predicate: statement['predicate'], signature };
    },
  );
  return results;
}

/**
 * Every signature (`sig`) or attestation (`att`) of the image tried, each that verifies given to
 * `accept` (which may refuse it by throwing, or pass it over with undefined); VerificationError
 * with a reason per one tried when none is accepted.
 */
async function verifyEach<T>(
  registry: Registry,
  ref: string,
  { call, trust }: { call: Call; trust: VerifyBundleOptions },
  suffix: 'sig' | 'att',
  accept: (verification: SignatureVerification, found: Found) => T | undefined,
): Promise<{ digest: string; results: T[] }> {
  try {
    const { name, digest } = await subjectOf(registry, ref, call);
    const reasons: string[] = [];
    const results: T[] = [];
    for (const found of await findSignatures(registry, name, digest, suffix, call, reasons)) {
      try {
        const result = accept(await verifyFound(found, digest, trust), found);
        if (result !== undefined) results.push(result);
      } catch (error) {
        reasons.push(`${found.where}: ${reasonOf(error)}`);
      }
    }
    const what = suffix === 'sig' ? 'signature' : 'attestation';
    if (results.length === 0)
      throw new VerificationError(
        `no ${what} of ${name}@${digest} verified`,
        reasons.length ? reasons : [`no ${what}s found`],
      );
    return { digest, results };
  } finally {
    endDeadline(call);
  }
}

/**
 * The call's options and the verification's: keyless with no `trustedRoot` takes Sigstore's
 * through TUF (fetchTrustedRoot with `tuf`), before anything is asked of the registry.
 */
async function split(where: string, options: VerifyOptions): Promise<{ call: Call; trust: VerifyBundleOptions }> {
  const { key, identity, issuer, now, tuf } = options ?? {};
  let { trustedRoot } = options ?? {};
  if (key === undefined && (identity === undefined || issuer === undefined))
    throw new InvalidArgument(`${where}: give key, or identity and issuer (keyless)`);
  const publicKey = key !== undefined ? { key: publicKeyFrom(key, where) } : {};
  // the deadline starts here, and covers the trusted root's fetch
  const call = callOptions(withDeadline(options, where));
  try {
    if (key === undefined && trustedRoot === undefined)
      trustedRoot = parseTrustedRoot(
        await fetchTrustedRoot({ ...(call.signal ? { signal: call.signal } : {}), ...tuf }),
      );
  } catch (error) {
    endDeadline(call);
    throw error;
  }
  const trust: VerifyBundleOptions = {
    ...publicKey,
    ...(trustedRoot !== undefined ? { trustedRoot } : {}),
    ...(identity !== undefined ? { identity } : {}),
    ...(issuer !== undefined ? { issuer } : {}),
    ...(now !== undefined ? { now } : {}),
  };
  return { call, trust };
}

async function subjectOf(registry: Registry, ref: string, call: Call): Promise<{ name: string; digest: string }> {
  const reference = parseRegistryReference(ref);
  const name = `${reference.registry}/${reference.repository}`;
  return { name, digest: reference.digest ?? (await registry.resolve(ref, call)).digest };
}

/**
 * The bundles referring to `digest` (those whose manifest says they are signatures, for 'sig', or
 * attestations, for 'att'), then the layers of the legacy `.sig` or `.att` tag. A referrer whose
 * manifest names another subject is a reason, not a candidate.
 */
async function findSignatures(
  registry: Registry,
  name: string,
  digest: string,
  suffix: 'sig' | 'att',
  call: Call,
  reasons: string[],
): Promise<Found[]> {
  const found: Found[] = [];
  for (const referrer of await registry.referrers(`${name}@${digest}`, { ...call, artifactType: BUNDLE_V03 })) {
    const where = `bundle ${referrer.digest}`;
    try {
      const manifest = (await registry.manifest(`${name}@${referrer.digest}`, call)).manifest as Partial<ImageManifest>;
      const declared = manifest.annotations?.['dev.sigstore.bundle.predicateType'];
      if (declared !== undefined && (declared === COSIGN_SIGN_PREDICATE) !== (suffix === 'sig')) continue;
      if (manifest.subject?.digest !== digest)
        throw new VerificationError(
          `its manifest's subject is ${manifest.subject?.digest ?? 'missing'}, not this image`,
        );
      const layer = (manifest.layers ?? []).find((l) => l?.mediaType === BUNDLE_V03);
      if (!layer) throw new VerificationError('its manifest has no bundle layer');
      found.push({ kind: 'bundle', where, bytes: await readSmall(registry, name, layer, call) });
    } catch (error) {
      reasons.push(`${where}: ${reasonOf(error)}`);
    }
  }
  const tag = `${digest.replace(':', '-')}.${suffix}`;
  let legacy: Partial<ImageManifest> | undefined;
  try {
    legacy = (await registry.manifest(`${name}:${tag}`, call)).manifest as Partial<ImageManifest>;
  } catch (error) {
    if (!(error instanceof ManifestNotFound)) throw error;
  }
  const type = suffix === 'sig' ? SIMPLE_SIGNING : DSSE_ENVELOPE;
  for (const [i, layer] of (Array.isArray(legacy?.layers) ? legacy.layers : []).entries()) {
    if (layer?.mediaType !== type) continue;
    const where = `${tag} layer ${i}`;
    try {
      found.push({
        kind: suffix === 'sig' ? 'simplesigning' : 'dsse',
        where,
        bytes: await readSmall(registry, name, layer, call),
        annotations: stringsOf(layer.annotations),
      });
    } catch (error) {
      reasons.push(`${where}: ${reasonOf(error)}`);
    }
  }
  return found;
}

/** Verifies one thing found against the image's digest, with the key or keyless. */
async function verifyFound(found: Found, digest: string, trust: VerifyBundleOptions): Promise<SignatureVerification> {
  if (found.kind === 'bundle') {
    const verification = await verifyBundle(found.bytes, digest, trust);
    return { ...verification, checks: [...verification.checks, 'the referrer names this image as its subject'] };
  }
  const annotations = found.annotations as LegacyAnnotations;
  if (found.kind === 'dsse') {
    // an envelope of the .att tag is verified as the bundle it would be: with the key, or its certificate and log entry
    const verification = await verifyBundle(
      legacyBundle(annotations, { envelope: found.bytes }, trust.key as KeyObject | undefined),
      digest,
      trust,
    );
    return { ...verification, format: 'simplesigning' };
  }
  const claims = parseSimpleSigning(found.bytes);
  if (claims.digest !== digest) throw new VerificationError(`its payload names ${claims.digest}, not this image`);
  const checks = [`the simple signing payload names ${digest}`];
  const signature = decodeBase64(annotations[SIGNATURE_ANNOTATION], `the ${SIGNATURE_ANNOTATION} annotation`);
  if (trust.key !== undefined) {
    const key = publicKeyOf(trust.key);
    if (!verifies(key, found.bytes, signature))
      throw new VerificationError('the signature does not verify with the key');
    return {
      format: 'simplesigning',
      keyId: hex(keyId(key)),
      checks: [...checks, 'the signature over the payload verified with the key'],
    };
  }
  const verification = await verifyBundle(
    legacyBundle(annotations, { signature, payload: found.bytes }),
    found.bytes,
    trust,
  );
  return { ...verification, format: 'simplesigning', checks: [...checks, ...verification.checks] };
}

/** The public key `key`, or InvalidArgument (a bad key is bad input, refused before any request). */
function publicKeyFrom(key: NonNullable<VerifyOptions['key']>, where: string): KeyObject {
  try {
    return publicKeyOf(key, `${where}: key`);
  } catch (error) {
    if (error instanceof VerificationError) throw new InvalidArgument(error.message);
    throw error;
  }
}

/** A small blob read whole and checked against its digest (registry.blob does), refused past the bound. */
async function readSmall(registry: Registry, name: string, layer: Descriptor, call: Call): Promise<Uint8Array> {
  if (!(Number.isSafeInteger(layer.size) && layer.size >= 0 && layer.size <= MAX_SIGNATURE_BLOB))
    throw new VerificationError(`its layer's size ${String(layer.size)} is not between 0 and ${MAX_SIGNATURE_BLOB}`);
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of registry.blob(`${name}@${layer.digest}`, layer.digest, call)) {
    length += chunk.length;
    if (length > layer.size)
      throw new VerificationError(`its layer is longer than the ${layer.size} bytes its descriptor says`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function predicateTypeOf(statement: unknown): string | undefined {
  const type =
    statement !== null && typeof statement === 'object'
      ? (statement as Record<string, unknown>)['predicateType']
      : undefined;
  return typeof type === 'string' ? type : undefined;
}

function stringsOf(annotations: unknown): Record<string, string> {
  if (annotations === null || typeof annotations !== 'object') return {};
  return Object.fromEntries(
    Object.entries(annotations as Record<string, unknown>).filter(
      (e): e is [string, string] => typeof e[1] === 'string',
    ),
  );
}

/** Why one signature was refused: a verification's reasons, a blob that did not hash to its digest, or an answer that was not what a signature is. */
function reasonOf(error: unknown): string {
  if (error instanceof VerificationError) return error.reasons.join('; ');
  if (error instanceof DigestMismatch || error instanceof ProtocolError || error instanceof ManifestNotFound)
    return error.message;
  throw error;
}
