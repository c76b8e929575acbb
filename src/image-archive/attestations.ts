// The attestations of an OCI image layout (BuildKit's oci exporter, `docker save` of the
// containerd image store, `oras cp -r --to-oci-layout`): the attestation manifests of each index
// the layout holds, and the referrers the layout keeps of the index and of each image, bound to
// their manifests as attestations/ binds them. A docker-archive holds none.
import { ArchiveError, InvalidArgument } from '../errors.js';
import { checkOptions, optionNames } from '../options.js';
import { parsePlatform, platformMatches, type PlatformSpec } from '../platform.js';
import { isIndex, type ImageIndex, type Manifest } from '../oci.js';
import { DEFAULT_MAX_ENTRIES } from '../referrers.js';
import {
  AttestationCollector,
  indexSubjects,
  predicateTypeList,
  type AttestationList,
  type AttestationSubject,
} from '../attestations/collect.js';
import { isAttestationEntry } from '../attestations/entry.js';
import { ATTESTATION_LIMITS, checkCount } from '../attestations/limits.js';
import { parseDocument } from '../attestations/envelope.js';
import type { ArchiveLayout } from './layout.js';
import { LayoutManifests } from './layout-manifests.js';

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
  const manifests = await LayoutManifests.read(layout, DEFAULT_MAX_ENTRIES);
  let chosen = 0;
  for (const { digest } of manifests.roots()) {
    const held = manifests.manifest(digest)!;
    let subjects: AttestationSubject[];
    if (isIndex(held.manifest, held.mediaType) && Array.isArray((held.manifest as ImageIndex).manifests)) {
      const index = held.manifest as ImageIndex;
      if (
        want !== undefined &&
        !index.manifests.some(
          (d) => d?.platform !== undefined && !isAttestationEntry(d) && platformMatches(d.platform, want),
        )
      )
        continue;
      subjects = indexSubjects(digest, index, options.platform, digest);
      await collector.index(index, subjects);
    } else {
      // a single image (no artifact: those are no image of the layout)
      const image = layout.images.find((i) => i.digest === digest);
      if (image === undefined || (want !== undefined && !(image.platform && platformMatches(image.platform, want))))
        continue;
      subjects = [{ digest }];
    }
    chosen++;
    // what refers to the index and to each image (oras attach's statements, cosign's bundles;
    // BuildKit's attestation manifests too, which the collector has read as the index's)
    for (const subject of subjects) {
      const referrers = manifests.referrers(subject.digest).filter((d) => manifests.has(d.digest));
      checkCount(referrers.length, ATTESTATION_LIMITS.manifests, `the referrers of ${subject.digest}`);
      for (const d of referrers) await collector.referrer(d.digest, d.size, subject);
    }
  }
  if (want !== undefined && chosen === 0)
    throw new InvalidArgument(
      `imageArchive.attestations: no index or image in the archive is for ${[want.os, want.architecture, want.variant].filter(Boolean).join('/')}`,
    );
  return collector.found;
}
