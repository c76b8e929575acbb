// Referrers (OCI distribution spec 1.1) as both their readers see them, a registry's (registry/)
// and an image layout's (image-archive/): the tag a subject's referrers are kept under where there
// is no referrers API, the artifact type and the entry a referrers list gives for a manifest, and
// the bound on how long such a list may be.
import { InvalidArgument } from './errors.js';
import { checkDigest } from './digest.js';
import { OCI_MANIFEST, type Descriptor, type Manifest } from './oci.js';

/** DEFAULT_MAX_ENTRIES: the most entries of one list kept unless a call says otherwise (ListBounds.maxEntries). */
export const DEFAULT_MAX_ENTRIES = 100_000;

/** fallbackTag: the tag a registry without the referrers API keeps `digest`'s referrers under (`sha256-<hex>`). */
export function fallbackTag(digest: string): string {
  const algorithm = checkDigest(digest);
  return `${algorithm}-${digest.slice(algorithm.length + 1)}`;
}

/** listBound: the bound option `name` of a list (maxPages, maxEntries), `fallback` when not given; InvalidArgument unless a positive whole number. */
export function listBound(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isSafeInteger(value) && (value as number) > 0))
    throw new InvalidArgument(`${name} must be a positive whole number`);
  return value as number;
}

/** artifactTypeOf: a referrer's artifact type as the referrers API gives it: its manifest's `artifactType`, else its config's media type. */
export function artifactTypeOf(manifest: Manifest): string | undefined {
  if (typeof manifest.artifactType === 'string' && manifest.artifactType !== '') return manifest.artifactType;
  return 'config' in manifest && typeof manifest.config?.mediaType === 'string' ? manifest.config.mediaType : undefined;
}

/** referrerEntry: the descriptor of a manifest as its subject's referrers list it (by default an OCI image manifest). */
export function referrerEntry(
  digest: string,
  size: number,
  artifactType: string | undefined,
  annotations: Record<string, string> | undefined,
  mediaType: string = OCI_MANIFEST,
): Descriptor {
  return {
    mediaType,
    digest,
    size,
    ...(artifactType !== undefined ? { artifactType } : {}),
    ...(annotations ? { annotations } : {}),
  };
}
