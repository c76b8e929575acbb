// An image's cosign signatures and attestations, found where they are kept and verified: Sigstore
// bundles v0.3 as OCI 1.1 referrers (cosign 3), and the legacy simple signing payloads (`.sig`)
// and DSSE envelopes (`.att`). Where they are kept is a SignatureStore: a registry's repository
// (registry/signatures.ts), or an OCI image layout (image-archive/signatures.ts, as `cosign save`
// and `oras cp -r --to-oci-layout` write one). A signature counts only when it names this image's
// digest: one copied from another image, or whose referrer names another subject, is refused.
import type { KeyObject } from 'node:crypto';
import {
  ArchiveError,
  DigestMismatch,
  InvalidArgument,
  ManifestNotFound,
  ProtocolError,
  VerificationError,
} from '../errors.js';
import type { Descriptor, ImageManifest } from '../oci.js';
import { keyId, publicKeyOf, verifies } from '../trust/keys.js';
import { legacyBundle, type LegacyAnnotations } from '../trust/legacy-bundle.js';
import { decodeBase64, hex } from '../trust/refuse.js';
import { BUNDLE_V03, COSIGN_SIGN_PREDICATE, DSSE_ENVELOPE, SIGNATURE_ANNOTATION } from '../trust/sign.js';
import { SIMPLE_SIGNING, parseSimpleSigning } from '../trust/simplesigning.js';
import { parseTrustedRoot } from '../trust/trusted-root.js';
import { verifyBundle, type SignatureVerification, type VerifyBundleOptions } from '../trust/verify.js';
import { fetchTrustedRoot, type FetchTrustedRootOptions } from '../tuf/trusted-root.js';

/** The largest bundle, payload or envelope read (an SBOM attestation can be large). */
export const MAX_SIGNATURE_BLOB = 64 * 1024 * 1024;

/** ImageTrustOptions: what an image's signatures are verified against: a public key, or keyless with a trusted root, identity and issuer. */
export interface ImageTrustOptions {
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

/** The option names of ImageTrustOptions, spread into each verifying call's own list. */
export const TRUST_NAMES = {
  key: true,
  trustedRoot: true,
  tuf: true,
  identity: true,
  issuer: true,
  now: true,
} as const;

/** ImageVerification: what `registry.verify` and `imageArchive.verify` give: the image's digest and the signatures that verified. */
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

/** A manifest of cosign's legacy scheme: the `.sig` or `.att` tag's, or an entry `cosign save` marks as one. */
export interface LegacyManifest {
  /** How reasons name it: its tag, or its digest. */
  where: string;
  manifest: Partial<ImageManifest>;
}

/** SignatureStore: where an image's signatures are kept, each answer checked against its digest. */
export interface SignatureStore {
  /** The referrers of `digest` whose artifact type is a Sigstore bundle's. */
  bundles(digest: string): Promise<Descriptor[]>;
  /** The manifest `digest` (a referrer's). */
  manifest(digest: string): Promise<Partial<ImageManifest>>;
  /** The legacy manifests of `digest`'s signatures (`sig`) or attestations (`att`); none when there are none. */
  legacy(digest: string, suffix: 'sig' | 'att'): Promise<LegacyManifest[]>;
  /** A blob whole, checked against its digest, no longer than its descriptor's size (at most MAX_SIGNATURE_BLOB). */
  blob(descriptor: Descriptor): Promise<Uint8Array>;
}

/** What was found to try: a bundle, a simple signing payload, or a DSSE envelope, and where. */
type Found =
  | { kind: 'bundle'; where: string; bytes: Uint8Array }
  | { kind: 'simplesigning' | 'dsse'; where: string; bytes: Uint8Array; annotations: Record<string, string> };

/**
 * The verification `options` ask for (`where` the call that asks): with a key, or keyless against
 * the trusted root given, else Sigstore's through TUF (fetchTrustedRoot with `tuf`, stopped by
 * `signal`). InvalidArgument for a bad key or neither key nor identity and issuer.
 */
export async function trustOf(
  where: string,
  options: ImageTrustOptions,
  signal?: AbortSignal,
): Promise<VerifyBundleOptions> {
  const { key, identity, issuer, now, tuf } = options ?? {};
  let { trustedRoot } = options ?? {};
  if (key === undefined && (identity === undefined || issuer === undefined))
    throw new InvalidArgument(`${where}: give key, or identity and issuer (keyless)`);
  const publicKey = key !== undefined ? { key: publicKeyFrom(key, where) } : {};
  if (key === undefined && trustedRoot === undefined)
    trustedRoot = parseTrustedRoot(await fetchTrustedRoot({ ...(signal ? { signal } : {}), ...tuf }));
  return {
    ...publicKey,
    ...(trustedRoot !== undefined ? { trustedRoot } : {}),
    ...(identity !== undefined ? { identity } : {}),
    ...(issuer !== undefined ? { issuer } : {}),
    ...(now !== undefined ? { now } : {}),
  };
}

/** predicateType as `where` takes it: undefined, or a non-empty string. */
export function checkPredicateType(where: string, predicateType: unknown): string | undefined {
  if (predicateType !== undefined && (typeof predicateType !== 'string' || predicateType === ''))
    throw new InvalidArgument(`${where}: predicateType must be a non-empty string`);
  return predicateType;
}

/** The signatures of the image `digest` (`label` in messages) in `store` (cosign verify); VerificationError with a reason per signature tried when none verifies. */
export async function verifySignatures(
  store: SignatureStore,
  label: string,
  digest: string,
  trust: VerifyBundleOptions,
): Promise<ImageVerification> {
  const signatures = await verifyEach(store, label, digest, trust, 'sig', (verification, found) => {
    if (found.kind === 'bundle' && predicateTypeOf(verification.statement) !== COSIGN_SIGN_PREDICATE)
      throw new VerificationError(`its statement is not a cosign signature (${COSIGN_SIGN_PREDICATE})`);
    return verification;
  });
  return { digest, signatures };
}

/** The attestations of the image `digest` in `store` (cosign verify-attestation), of `wanted`'s predicate type if given, each decoded; VerificationError when none verifies. */
export async function verifyAttestations(
  store: SignatureStore,
  label: string,
  digest: string,
  trust: VerifyBundleOptions,
  wanted: string | undefined,
): Promise<AttestationVerification[]> {
  return verifyEach(store, label, digest, trust, 'att', (signature) => {
    const statement = signature.statement as Record<string, unknown>;
    const predicateType = predicateTypeOf(statement);
    if (predicateType === undefined) throw new VerificationError('its statement has no predicateType');
    if (predicateType === COSIGN_SIGN_PREDICATE) return undefined; // a signature, not an attestation
    if (wanted !== undefined && predicateType !== wanted)
      throw new VerificationError(`its predicate type is ${predicateType}, not ${wanted}`);
    return { predicateType, statement, predicate: statement['predicate'], signature };
  });
}

/**
 * Every signature (`sig`) or attestation (`att`) of the image tried, each that verifies given to
 * `accept` (which may refuse it by throwing, or pass it over with undefined); VerificationError
 * with a reason per one tried when none is accepted.
 */
async function verifyEach<T>(
  store: SignatureStore,
  label: string,
  digest: string,
  trust: VerifyBundleOptions,
  suffix: 'sig' | 'att',
  accept: (verification: SignatureVerification, found: Found) => T | undefined,
): Promise<T[]> {
  const reasons: string[] = [];
  const results: T[] = [];
  for (const found of await findSignatures(store, digest, suffix, reasons)) {
    try {
      const result = accept(await verifyFound(found, digest, trust), found);
      if (result !== undefined) results.push(result);
    } catch (error) {
      reasons.push(`${found.where}: ${reasonOf(error)}`);
    }
  }
  const what = suffix === 'sig' ? 'signature' : 'attestation';
  if (results.length === 0)
    throw new VerificationError(`no ${what} of ${label} verified`, reasons.length ? reasons : [`no ${what}s found`]);
  return results;
}

/**
 * The bundles referring to `digest` (those whose manifest says they are signatures, for 'sig', or
 * attestations, for 'att'), then the layers of the legacy manifests. A referrer whose manifest
 * names another subject is a reason, not a candidate.
 */
async function findSignatures(
  store: SignatureStore,
  digest: string,
  suffix: 'sig' | 'att',
  reasons: string[],
): Promise<Found[]> {
  const found: Found[] = [];
  for (const referrer of await store.bundles(digest)) {
    const where = `bundle ${referrer.digest}`;
    try {
      const manifest = await store.manifest(referrer.digest);
      const declared = manifest.annotations?.['dev.sigstore.bundle.predicateType'];
      if (declared !== undefined && (declared === COSIGN_SIGN_PREDICATE) !== (suffix === 'sig')) continue;
      if (manifest.subject?.digest !== digest)
        throw new VerificationError(
          `its manifest's subject is ${manifest.subject?.digest ?? 'missing'}, not this image`,
        );
      const layer = (manifest.layers ?? []).find((l) => l?.mediaType === BUNDLE_V03);
      if (!layer) throw new VerificationError('its manifest has no bundle layer');
      found.push({ kind: 'bundle', where, bytes: await readSmall(store, layer) });
    } catch (error) {
      reasons.push(`${where}: ${reasonOf(error)}`);
    }
  }
  const type = suffix === 'sig' ? SIMPLE_SIGNING : DSSE_ENVELOPE;
  for (const legacy of await store.legacy(digest, suffix)) {
    const layers = Array.isArray(legacy.manifest.layers) ? legacy.manifest.layers : [];
    for (const [i, layer] of layers.entries()) {
      if (layer?.mediaType !== type) continue;
      const where = `${legacy.where} layer ${i}`;
      try {
        found.push({
          kind: suffix === 'sig' ? 'simplesigning' : 'dsse',
          where,
          bytes: await readSmall(store, layer),
          annotations: stringsOf(layer.annotations),
        });
      } catch (error) {
        reasons.push(`${where}: ${reasonOf(error)}`);
      }
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

/** The public key `key`, or InvalidArgument (a bad key is bad input, refused before anything is read). */
function publicKeyFrom(key: NonNullable<ImageTrustOptions['key']>, where: string): KeyObject {
  try {
    return publicKeyOf(key, `${where}: key`);
  } catch (error) {
    if (error instanceof VerificationError) throw new InvalidArgument(error.message);
    throw error;
  }
}

/** A small blob whole, refused before it is read when its descriptor's size is past the bound. */
function readSmall(store: SignatureStore, layer: Descriptor): Promise<Uint8Array> {
  if (!(Number.isSafeInteger(layer.size) && layer.size >= 0 && layer.size <= MAX_SIGNATURE_BLOB))
    throw new VerificationError(`its layer's size ${String(layer.size)} is not between 0 and ${MAX_SIGNATURE_BLOB}`);
  return store.blob(layer);
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

/** Why one signature was refused: a verification's reasons, a blob that did not hash to its digest or is not where it should be, or an answer that was not what a signature is. */
function reasonOf(error: unknown): string {
  if (error instanceof VerificationError) return error.reasons.join('; ');
  if (
    error instanceof DigestMismatch ||
    error instanceof ProtocolError ||
    error instanceof ManifestNotFound ||
    error instanceof ArchiveError
  )
    return error.message;
  throw error;
}
