// imageArchive.verify and imageArchive.verifyAttestations: an image's cosign signatures and
// attestations kept in an OCI image layout, verified offline (cosign verify --local-image): the
// legacy manifests `cosign save` writes beside the image (index.json entries of kind
// `dev.cosignproject.cosign/sigs` and `/atts`) or that were copied as `sha256-<hex>.sig` tags, and
// the Sigstore bundles among the layout's referrers (`oras cp -r --to-oci-layout` copies them).
// signatures/verify.ts finds and verifies them, as it does in a registry.
import { ArchiveError, InvalidArgument, VerificationError } from '../errors.js';
import { checkOptions, optionNames } from '../options.js';
import { DEFAULT_MAX_ENTRIES, listBound } from '../referrers.js';
import {
  MAX_SIGNATURE_BLOB,
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
import type { ImageManifest } from '../oci.js';
import type { ArchiveLayout } from './layout.js';
import { LayoutManifests } from './layout-manifests.js';

/** ArchiveVerifyOptions: the options of `imageArchive.verify`: a public key, or keyless with a trusted root, identity and issuer. */
export interface ArchiveVerifyOptions extends ImageTrustOptions {
  /** Most manifest entries read, index.json's and those of the indexes it leads to together (default 100,000): past it, ArchiveError. */
  maxEntries?: number;
}

/** ArchiveVerifyAttestationsOptions: the options of `imageArchive.verifyAttestations`. */
export interface ArchiveVerifyAttestationsOptions extends ArchiveVerifyOptions {
  /** Only attestations of this predicate type (a URI). */
  predicateType?: string;
}

const VERIFY_OPTIONS = optionNames<ArchiveVerifyOptions>({ ...TRUST_NAMES, maxEntries: true });
const ATTESTATION_OPTIONS = [...VERIFY_OPTIONS, 'predicateType'];

/** What `imageArchive.verify(subject, options)` gives (see docs/image-archive.md). */
export async function archiveVerify(
  layout: ArchiveLayout,
  subject: string | undefined,
  options: ArchiveVerifyOptions,
): Promise<ImageVerification> {
  const where = 'imageArchive.verify';
  checkOptions(where, options, VERIFY_OPTIONS);
  return inLayout(layout, subject, where, options, (store, label, digest, trust) =>
    verifySignatures(store, label, digest, trust),
  );
}

/** What `imageArchive.verifyAttestations(subject, options)` gives (see docs/image-archive.md). */
export async function archiveVerifyAttestations(
  layout: ArchiveLayout,
  subject: string | undefined,
  options: ArchiveVerifyAttestationsOptions,
): Promise<AttestationVerification[]> {
  const where = 'imageArchive.verifyAttestations';
  checkOptions(where, options, ATTESTATION_OPTIONS);
  const { predicateType, ...rest } = options ?? {};
  const wanted = checkPredicateType(where, predicateType);
  return inLayout(layout, subject, where, rest, (store, label, digest, trust) =>
    verifyAttestations(store, label, digest, trust, wanted),
  );
}

/** Runs `verify` over the layout's signatures of the manifest `subject` names (a digest, a name index.json gives, or the layout's one image). */
async function inLayout<T>(
  layout: ArchiveLayout,
  subject: string | undefined,
  where: string,
  options: ArchiveVerifyOptions,
  verify: (store: SignatureStore, label: string, digest: string, trust: VerifyBundleOptions) => Promise<T>,
): Promise<T> {
  if (subject !== undefined && (typeof subject !== 'string' || subject === ''))
    throw new InvalidArgument(`${where}: subject must be a digest or a name the layout gives`);
  const maxEntries = listBound('maxEntries', options?.maxEntries, DEFAULT_MAX_ENTRIES);
  const trust = await trustOf(where, options ?? {});
  if (layout.format !== 'oci')
    throw new VerificationError(`no signature of the archive's image verified`, [
      'a docker-archive holds no signatures (cosign save and oras write OCI image layouts)',
    ]);
  const manifests = await LayoutManifests.read(layout, maxEntries);
  const digest = manifests.subject(subject, where);
  const label = subject === undefined || subject === digest ? digest : `${subject} (${digest})`;
  return verify(layoutStore(layout, manifests), label, digest, trust);
}

/** The signatures kept in the layout: its referrers and legacy manifests (each read once, digests checked), its blobs. */
function layoutStore(layout: ArchiveLayout, manifests: LayoutManifests): SignatureStore {
  return {
    bundles: async (digest) => manifests.referrers(digest).filter((d) => d.artifactType === BUNDLE_V03),
    async manifest(digest) {
      const held = manifests.manifest(digest);
      if (held === undefined) throw new ArchiveError(`the layout lacks the manifest ${digest}`);
      return held.manifest as Partial<ImageManifest>;
    },
    legacy: async (digest, suffix) =>
      manifests.legacy(digest, suffix).map(({ where, manifest }) => ({
        where,
        manifest: manifest as Partial<ImageManifest>,
      })),
    async blob(descriptor) {
      const bytes = await layout.ociBlob(descriptor.digest, descriptor.size, MAX_SIGNATURE_BLOB);
      if (bytes === undefined) throw new ArchiveError(`the layout lacks the blob ${descriptor.digest}`);
      return bytes;
    },
  };
}
