// Referrers (OCI distribution spec 1.1): the manifests whose `subject` is a given manifest. Read
// with the referrers API, or, where a registry has none, from the index under the fallback tag
// `<alg>-<hex>` (the tag schema), which an attach to such a registry keeps up to date.
import { withArtifactTypes } from './referrer-types.js';
import { ProtocolError } from '../errors.js';
import { OCI_INDEX, type Descriptor } from '../oci.js';
import { fallbackTag } from '../referrers.js';
import { checkDigest } from '../digest.js';
import type { ListBounds, RegistryCallOptions } from './options.js';
import { checkEntries, listBounds, parseJson, type Repository } from './repository.js';
import { putManifest } from './write.js';

/**
 * The referrers of the manifest `digest` in `repository`, of `artifactType` when given (filtered
 * here when the registry did not say it had: OCI-Filters-Applied).
 */
export async function listReferrers(
  repository: Repository,
  digest: string,
  artifactType: string | undefined,
  call: RegistryCallOptions & ListBounds,
  ref: string,
): Promise<Descriptor[]> {
  checkDigest(digest);
  const { maxPages, maxEntries } = listBounds(call);
  const found: Descriptor[] = [];
  let filtered = true;
  const query = artifactType !== undefined ? `?artifactType=${encodeURIComponent(artifactType)}` : '';
  let apiMissing = !repository.referrersApi;
  if (!apiMissing)
    for (const page of repository.pages(
      `/v2/${repository.repository}/referrers/${digest}${query}`,
      OCI_INDEX,
      call,
      maxPages,
      [404],
    )) {
      const { response, body } = await page;
      if (response.statusCode === 404) {
        apiMissing = true;
        repository.noReferrersApi();
        break;
      }
      const applied = (response.headers['oci-filters-applied'] ?? '').split(',').map((s) => s.trim());
      if (!applied.includes('artifactType')) filtered = false;
      found.push(...indexManifests(body, `${ref}'s referrers`));
      checkEntries(found.length, maxEntries, `${ref}'s referrers`);
    }
  if (apiMissing) {
    filtered = false;
    const tagged = await fallbackIndex(repository, digest, call, ref);
    if (tagged === undefined) return [];
    checkEntries(tagged.length, maxEntries, `${ref}'s referrers tag`);
    found.push(...(await withArtifactTypes(tagged, (d) => repository.manifest(d, call))));
  }
  return artifactType === undefined || filtered ? found : found.filter((d) => d.artifactType === artifactType);
}

/** The descriptors of the index under `subject`'s fallback tag, undefined when there is none. */
async function fallbackIndex(
  repository: Repository,
  subject: string,
  call: RegistryCallOptions,
  ref: string,
): Promise<Descriptor[] | undefined> {
  const what = `${ref}'s referrers tag`;
  const bytes = await repository.manifestIfAny(fallbackTag(subject), call, what);
  return bytes === undefined ? undefined : indexManifests(bytes, what);
}

/** Adds `entries` to the index under `subject`'s fallback tag (made when there is none) in one write, every earlier referrer kept. */
export async function addToFallbackIndex(
  repository: Repository,
  subject: string,
  entries: readonly Descriptor[],
  call: RegistryCallOptions,
  ref: string,
): Promise<void> {
  const earlier = (await fallbackIndex(repository, subject, call, ref)) ?? [];
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [...earlier.filter((d) => !entries.some((e) => e.digest === d.digest)), ...entries],
  };
  await putManifest(repository, fallbackTag(subject), new TextEncoder().encode(JSON.stringify(index)), {
    ...call,
    mediaType: OCI_INDEX,
  });
}

function indexManifests(body: Uint8Array, what: string): Descriptor[] {
  const index = parseJson<{ manifests?: unknown }>(body, what);
  if (!Array.isArray(index?.manifests)) throw new ProtocolError(`${what} is not an image index`);
  return (index.manifests as Descriptor[]).filter(
    (d) => d !== null && typeof d === 'object' && typeof d.digest === 'string',
  );
}
