// The attestations of an OCI image layout (BuildKit's oci exporter, `docker save` of the
// containerd image store): the attestation manifests of each index the layout holds, bound to
// their platform manifests as attestations/ binds them. A docker-archive holds none.
import { ArchiveError, InvalidArgument } from '../errors.js';
import { checkOptions, optionNames } from '../options.js';
import { parsePlatform, platformMatches, type PlatformSpec } from '../platform.js';
import { isIndex, type Descriptor, type ImageIndex, type Manifest } from '../oci.js';
import {
  AttestationCollector,
  indexSubjects,
  predicateTypeList,
  type AttestationList,
} from '../attestations/collect.js';
import { isAttestationEntry } from '../attestations/entry.js';
import { parseDocument } from '../attestations/envelope.js';
import type { ArchiveLayout } from './layout.js';

/** ArchiveAttestationsOptions: the options of `imageArchive.attestations`. */
export interface ArchiveAttestationsOptions {
  /** Only the statements about this platform's manifest, and those about the index. */
  platform?: PlatformSpec;
  /** Only statements of this in-toto predicate type, or of any of these. */
  predicateType?: string | readonly string[];
}

/** The option names of ArchiveAttestationsOptions. */
export const ARCHIVE_ATTESTATIONS_OPTIONS = optionNames<ArchiveAttestationsOptions>({
  platform: true,
  predicateType: true,
});

/** archiveAttestations: what `imageArchive.attestations(options)` gives (see docs/attestations.md). */
export async function archiveAttestations(
  layout: ArchiveLayout,
  options: ArchiveAttestationsOptions = {},
): Promise<AttestationList> {
  checkOptions('imageArchive.attestations', options, ARCHIVE_ATTESTATIONS_OPTIONS);
  const types = predicateTypeList(options.predicateType, 'imageArchive.attestations');
  const want = options.platform === undefined ? undefined : parsePlatform(options.platform);
  const blob = async (digest: string): Promise<Uint8Array> => {
    const bytes = await layout.ociBlob(digest);
    if (bytes === undefined) throw new ArchiveError(`the archive lacks the blob ${digest}`);
    return bytes;
  };
  const collector = new AttestationCollector(
    {
      manifest: async (digest) => parseDocument(await blob(digest), `the manifest ${digest}`) as Manifest,
      blob: async (descriptor) => {
        const bytes = await blob(descriptor.digest);
        if (bytes.length !== descriptor.size)
          throw new ArchiveError(
            `the blob ${descriptor.digest} is ${bytes.length} bytes, not its descriptor's ${descriptor.size}`,
          );
        return bytes;
      },
    },
    types,
  );
  if (layout.format !== 'oci') return collector.found;
  const top = (await layout.ociIndex()) as { manifests?: unknown };
  let indexes = 0;
  const entries = Array.isArray(top.manifests) ? (top.manifests as Descriptor[]) : [];
  for (const entry of entries) {
    if (entry === null || typeof entry !== 'object' || typeof entry.digest !== 'string' || isAttestationEntry(entry))
      continue;
    const manifest = parseDocument(await blob(entry.digest), `the manifest ${entry.digest}`) as Manifest;
    if (!isIndex(manifest, entry.mediaType) || !Array.isArray((manifest as ImageIndex).manifests)) continue;
    const index = manifest as ImageIndex;
    if (
      want !== undefined &&
      !index.manifests.some(
        (d) => d?.platform !== undefined && !isAttestationEntry(d) && platformMatches(d.platform, want),
      )
    )
      continue;
    await collector.index(index, indexSubjects(entry.digest, index, options.platform, entry.digest));
    indexes++;
  }
  if (want !== undefined && indexes === 0)
    throw new InvalidArgument(
      `imageArchive.attestations: no index in the archive has an image for ${[want.os, want.architecture, want.variant].filter(Boolean).join('/')}`,
    );
  return collector.found;
}
