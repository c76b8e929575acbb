// registry.verify and registry.verifyAttestations: an image's cosign signatures and attestations
// in its repository (signatures/verify.ts finds and verifies them): the Sigstore bundles that
// refer to it (the referrers API, or its fallback tag), and the legacy `sha256-<hex>.sig` and
// `.att` tags.
import { ManifestNotFound, VerificationError } from '../errors.js';
import { checkOptions, optionNames } from '../options.js';
import type { Descriptor, ImageManifest } from '../oci.js';
import {
  TRUST_NAMES,
  checkPredicateType,
  trustOf,
  verifyAttestations,
  verifySignatures,
  type AttestationVerification,
  type ImageTrustOptions,
  type ImageVerification,
  type SignatureStore,
} from '../signatures/verify.js';
import { BUNDLE_V03 } from '../trust/sign.js';
import type { VerifyBundleOptions } from '../trust/verify.js';
import { parseRegistryReference } from './name.js';
import type { Registry } from './registry.js';
import { endDeadline, withDeadline } from './call-deadline.js';
import { callOptions, type RegistryCallOptions, CALL_NAMES } from './options.js';

/** VerifyOptions: the options of `registry.verify`: a public key, or keyless with a trusted root, identity and issuer. */
export interface VerifyOptions extends RegistryCallOptions, ImageTrustOptions {}

/** VerifyAttestationsOptions: the options of `registry.verifyAttestations`. */
export interface VerifyAttestationsOptions extends VerifyOptions {
  /** Only attestations of this predicate type (a URI). */
  predicateType?: string;
}

const VERIFY_OPTIONS = optionNames<VerifyOptions>({ ...CALL_NAMES, ...TRUST_NAMES });
const ATTESTATION_OPTIONS = [...VERIFY_OPTIONS, 'predicateType'];

/** Verifies the signatures of the image `ref` names (cosign verify); VerificationError with a reason per signature tried when none verifies. */
export async function verifyImage(registry: Registry, ref: string, options: VerifyOptions): Promise<ImageVerification> {
  checkOptions('registry.verify', options, VERIFY_OPTIONS);
  return inRepository(registry, ref, 'registry.verify', options, (store, label, digest, trust) =>
    verifySignatures(store, label, digest, trust),
  );
}

/** Verifies the attestations of the image `ref` names (cosign verify-attestation), each decoded; VerificationError when none verifies. */
export async function verifyImageAttestations(
  registry: Registry,
  ref: string,
  options: VerifyAttestationsOptions,
): Promise<AttestationVerification[]> {
  checkOptions('registry.verifyAttestations', options, ATTESTATION_OPTIONS);
  const { predicateType, ...rest } = options ?? {};
  const wanted = checkPredicateType('registry.verifyAttestations', predicateType);
  return inRepository(registry, ref, 'registry.verifyAttestations', rest, (store, label, digest, trust) =>
    verifyAttestations(store, label, digest, trust, wanted),
  );
}

/**
 * Runs `verify` over the repository of `ref` and the digest it names: the deadline starts before
 * the trusted root is fetched (keyless with no `trustedRoot` takes Sigstore's through TUF, before
 * anything is asked of the registry), and ends with the call.
 */
async function inRepository<T>(
  registry: Registry,
  ref: string,
  where: string,
  options: VerifyOptions,
  verify: (store: SignatureStore, label: string, digest: string, trust: VerifyBundleOptions) => Promise<T>,
): Promise<T> {
  const call = callOptions(withDeadline(options, where));
  try {
    const trust = await trustOf(where, options, call.signal);
    const reference = parseRegistryReference(ref);
    const name = `${reference.registry}/${reference.repository}`;
    const digest = reference.digest ?? (await registry.resolve(ref, call)).digest;
    return await verify(repositoryStore(registry, name, call), `${name}@${digest}`, digest, trust);
  } finally {
    endDeadline(call);
  }
}

/** The signatures kept in the repository `name`: its referrers, its legacy tags, its blobs (each checked against its digest and size). */
function repositoryStore(registry: Registry, name: string, call: RegistryCallOptions): SignatureStore {
  return {
    bundles: (digest) => registry.referrers(`${name}@${digest}`, { ...call, artifactType: BUNDLE_V03 }),
    manifest: async (digest) => (await registry.manifest(`${name}@${digest}`, call)).manifest as Partial<ImageManifest>,
    async legacy(digest, suffix) {
      const tag = `${digest.replace(':', '-')}.${suffix}`;
      try {
        const { manifest } = await registry.manifest(`${name}:${tag}`, call);
        return [{ where: tag, manifest: manifest as Partial<ImageManifest> }];
      } catch (error) {
        if (error instanceof ManifestNotFound) return [];
        throw error;
      }
    },
    blob: (layer) => readWhole(registry, name, layer, call),
  };
}

/** A blob read whole: registry.blob checks its digest, and refuses it past its descriptor's size. */
async function readWhole(
  registry: Registry,
  name: string,
  layer: Descriptor,
  call: RegistryCallOptions,
): Promise<Uint8Array> {
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
