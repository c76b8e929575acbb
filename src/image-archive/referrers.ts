// imageArchive.referrers: the manifests of an OCI image layout whose `subject` is a given manifest
// (signatures, SBOMs, attestations), listed as the distribution spec's referrers API lists them
// (found as layout-manifests.ts says).
import { InvalidArgument } from '../errors.js';
import { checkOptions, optionNames } from '../options.js';
import type { Descriptor } from '../oci.js';
import { DEFAULT_MAX_ENTRIES, listBound } from '../referrers.js';
import type { ArchiveLayout } from './layout.js';
import { LayoutManifests } from './layout-manifests.js';

/** ArchiveReferrersOptions: the options of `imageArchive.referrers`. */
export interface ArchiveReferrersOptions {
  /** Only referrers of this artifact type. */
  artifactType?: string;
  /** Most manifest entries read, index.json's and those of the indexes it leads to together (default 100,000): past it, ArchiveError. */
  maxEntries?: number;
}

/** The option names of ArchiveReferrersOptions. */
export const ARCHIVE_REFERRERS_OPTIONS = optionNames<ArchiveReferrersOptions>({ artifactType: true, maxEntries: true });

/** archiveReferrers: what `imageArchive.referrers(subject, options)` gives (see docs/image-archive.md). */
export async function archiveReferrers(
  layout: ArchiveLayout,
  subject: string | undefined,
  options: ArchiveReferrersOptions,
): Promise<Descriptor[]> {
  checkOptions('imageArchive.referrers', options, ARCHIVE_REFERRERS_OPTIONS);
  const { artifactType } = options;
  if (artifactType !== undefined && (typeof artifactType !== 'string' || artifactType === ''))
    throw new InvalidArgument('imageArchive.referrers: artifactType must be a non-empty string');
  if (subject !== undefined && (typeof subject !== 'string' || subject === ''))
    throw new InvalidArgument('imageArchive.referrers: subject must be a digest or a name the layout gives');
  const maxEntries = listBound('maxEntries', options.maxEntries, DEFAULT_MAX_ENTRIES);
  if (layout.format !== 'oci') return []; // a docker-archive holds manifests of no kind
  const manifests = await LayoutManifests.read(layout, maxEntries);
  const list = manifests.referrers(manifests.subject(subject, 'imageArchive.referrers'));
  return artifactType === undefined ? list : list.filter((d) => d.artifactType === artifactType);
}
