// Attaching an OCI 1.1 artifact (a signature, an SBOM) to a manifest: its blobs pushed, then an
// artifact manifest whose `subject` is that manifest; on a registry without the referrers API
// (no OCI-Subject in its answer) the subject's fallback-tag index gains the artifact.
import { InvalidArgument } from '../errors.js';
import { OCI_EMPTY, OCI_MANIFEST, type Descriptor } from '../oci.js';
import type { AttachOptions, RegistryCallOptions } from './options.js';
import { addToFallbackIndex } from './referrers.js';
import { referrerEntry } from '../referrers.js';
import type { Repository } from './repository.js';
import { pushBlob, putManifestByDigest } from './write.js';

/** The OCI empty descriptor's content (image spec 1.1: `{}`). */
const EMPTY_JSON = new TextEncoder().encode('{}');

/** Attaches the artifact `options` describes to `subject` (resolved) in `repository`; see Registry.attach. */
export async function attachArtifact(
  repository: Repository,
  subject: Descriptor,
  options: AttachOptions,
  call: RegistryCallOptions,
  ref: string,
): Promise<Descriptor> {
  const layers: Descriptor[] = [];
  for (const blob of options.blobs) {
    if (typeof blob?.mediaType !== 'string' || blob.mediaType === '')
      throw new InvalidArgument('each blob needs a mediaType');
    const pushed = await pushBlob(repository, blob.data, { ...call, mediaType: blob.mediaType });
    layers.push({
      mediaType: pushed.mediaType,
      digest: pushed.digest,
      size: pushed.size,
      ...(blob.annotations ? { annotations: blob.annotations } : {}),
    });
  }
  const empty = await pushBlob(repository, EMPTY_JSON, { ...call, mediaType: OCI_EMPTY });
  const emptyDescriptor = { mediaType: OCI_EMPTY, digest: empty.digest, size: empty.size };
  const manifest = {
    schemaVersion: 2 as const,
    mediaType: OCI_MANIFEST,
    artifactType: options.artifactType,
    config: emptyDescriptor,
    layers: layers.length ? layers : [emptyDescriptor],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    ...(options.annotations ? { annotations: options.annotations } : {}),
  };
  const bytes = new TextEncoder().encode(JSON.stringify(manifest));
  const { descriptor, response } = await putManifestByDigest(repository, bytes, OCI_MANIFEST, call);
  if (response.headers['oci-subject'] === undefined) {
    const entry = referrerEntry(descriptor.digest, bytes.length, options.artifactType, options.annotations);
    await addToFallbackIndex(repository, subject.digest, [entry], call, ref);
  }
  return {
    ...descriptor,
    artifactType: options.artifactType,
    ...(options.annotations ? { annotations: options.annotations } : {}),
  };
}
