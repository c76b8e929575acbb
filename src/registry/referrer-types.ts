// The artifact type of a referrer listed in a `sha256-<hex>` fallback index, read from its own
// manifest where the index entry has none or names only the empty config (cosign 3.1.1 writes
// `application/vnd.oci.empty.v1+json` there, its config's media type, not its artifact type).
// Distribution spec 1.1: a referrer's artifactType is its manifest's, else its config's media type.
import { OCI_EMPTY, type Descriptor, type Manifest } from '../oci.js';
import { artifactTypeOf } from '../referrers.js';

/** withArtifactTypes: `entries`, each whose artifactType is missing or the empty type given its manifest's own (read with `read`, by digest). */
export async function withArtifactTypes(
  entries: Descriptor[],
  read: (digest: string) => Promise<{ manifest: Manifest }>,
): Promise<Descriptor[]> {
  const out: Descriptor[] = [];
  for (const entry of entries) {
    if (entry.artifactType !== undefined && entry.artifactType !== OCI_EMPTY) {
      out.push(entry);
      continue;
    }
    const found = await read(entry.digest).catch((error: { statusCode?: number }) => {
      if (error?.statusCode === 404) return undefined; // listed but gone: left as listed
      throw error;
    });
    if (found === undefined) {
      out.push(entry);
      continue;
    }
    const own = artifactTypeOf(found.manifest);
    out.push(own === undefined ? entry : { ...entry, artifactType: own });
  }
  return out;
}
