// registry.load: an image out of an OCI image layout (a folder or its tar) into a repository,
// byte for byte, as `oras cp --from-oci-layout` and `cosign load` do: copy.ts copies it from a
// layout's source (each manifest and blob read from the layout and checked against its digest)
// into the repository's ends. With `referrers`, what the layout keeps that refers to it follows
// (copy-referrers.ts): its referrers by digest (the fallback tag kept where the registry has no
// referrers API), and its legacy `.sig`, `.att` and `.sbom` manifests under their tags, those
// `cosign save` marked as its own taken as the saved image's.
import { ArchiveError, InvalidArgument } from '../errors.js';
import type { Descriptor } from '../oci.js';
import type { ProgressEvent } from '../progress/events.js';
import type { ProgressState } from '../progress/job.js';
import type { JobScope } from '../job.js';
import { DEFAULT_MAX_ENTRIES } from '../referrers.js';
import { archiveLayout, openImageArchive } from '../image-archive/archive.js';
import type { ArchiveLayout } from '../image-archive/layout.js';
import { LayoutManifests, parseManifest } from '../image-archive/layout-manifests.js';
import { MAX_MANIFEST_SIZE } from './bounds.js';
import { endDeadline } from './call-deadline.js';
import { startCopyJob } from './copy-job.js';
import { copyEnds, type CopySource } from './copy-ends.js';
import { formatReference, manifestReference, parseRegistryReference, type RegistryReference } from './name.js';
import { LOAD_OPTIONS, type RegistryLoadOptions } from './options.js';
import { addToFallbackIndex } from './referrers.js';
import type { Registry } from './registry.js';
import type { Repository } from './repository.js';

/** The layout's manifest `which` (and the index entries it leads to) as a copy's source: each read from the layout, checked against its digest. */
function layoutCopySource(layout: ArchiveLayout, manifests: LayoutManifests, which: string): CopySource {
  return {
    manifest: async (child) => {
      const digest = child?.digest ?? which;
      const bytes = await layout.ociBlob(digest, child?.size, MAX_MANIFEST_SIZE);
      if (bytes === undefined) throw new ArchiveError(`the layout lacks the manifest ${digest}`);
      // as LayoutManifests parsed it (it read every manifest index.json leads to), else parsed here
      const manifest = manifests.manifest(digest)?.manifest ?? parseManifest(bytes, digest);
      const mediaType =
        (typeof manifest.mediaType === 'string' ? manifest.mediaType : undefined) ??
        child?.mediaType ??
        manifests.manifest(digest)?.mediaType;
      if (mediaType === undefined)
        throw new ArchiveError(`the manifest ${digest} names no media type, nor does its entry`);
      return { descriptor: { mediaType, digest, size: bytes.length }, manifest, bytes };
    },
    blob: (descriptor) => layout.ociBlobChunks(descriptor),
  };
}

/** What registry.load reads: a layout's path (a folder or a tar), or a tar's bytes or stream (read once, as openImageArchive reads one). */
export type LoadSource = string | Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/** runLoad: what the Job of `registry.load(path, dst, options)` does, the destination reached through `repositoryOf`. */
export async function runLoad(
  registry: Registry,
  repositoryOf: (reference: RegistryReference) => Repository,
  path: LoadSource,
  dst: string,
  options: RegistryLoadOptions,
  scope: JobScope<ProgressEvent>,
  state: ProgressState,
): Promise<Descriptor> {
  const { call, emit, copyOptions } = startCopyJob('registry.load', options, LOAD_OPTIONS, scope, state);
  try {
    if (path === '' || path === null || path === undefined)
      throw new InvalidArgument('registry.load: give the layout (its path, its bytes or a stream of its tar)');
    const to = parseRegistryReference(dst, 'dst');
    const archive = await openImageArchive(path);
    try {
      const layout = archiveLayout(archive);
      if (layout.format !== 'oci')
        throw new InvalidArgument(
          `registry.load: ${typeof path === 'string' ? path : 'the archive'} is a docker-archive, which keeps no manifests to push as they are; give an OCI image layout`,
        );
      const manifests = await LayoutManifests.read(layout, DEFAULT_MAX_ENTRIES);
      const top = manifests.subject(options.image, 'registry.load');
      const destination = repositoryOf(to);
      const { copyImage } = await import('./copy.js');
      const source = layoutCopySource(layout, manifests, top);
      const loaded = await copyImage(copyEnds(source, destination, manifestReference(to), call), copyOptions, emit);
      if (options.referrers) {
        const name = formatReference({ registry: to.registry, host: to.host, repository: to.repository });
        const { copyReferrers, listedAt, referredSubjects } = await import('./copy-referrers.js');
        const { manifest, descriptor } = await registry.manifest(`${name}@${loaded.digest}`, call);
        const subjects = referredSubjects(descriptor, manifest, options.platforms !== undefined);
        const suffixes = ['sig', 'att', 'sbom'] as const;
        const referrerSource = {
          // those the layout holds (a fallback tag's entry it lacks cannot be pushed)
          referrers: async (subject: string) => manifests.referrers(subject).filter((d) => manifests.has(d.digest)),
          // cosign save's marked ones are the saved image's
          legacy: async (subject: string) =>
            suffixes.flatMap((suffix) =>
              manifests.legacy(subject, suffix, subject === top).map(({ tag, digest }) => ({ tag, digest })),
            ),
        };
        const sink = {
          copy: async ({ digest, tag }: { digest: string; tag?: string }) =>
            void (await copyImage(
              copyEnds(layoutCopySource(layout, manifests, digest), destination, tag ?? digest, call),
              {},
              emit,
            )),
          listed: (subject: string, found: readonly Descriptor[]) =>
            listedAt(registry, name, subject, found, call, (s, e) => addToFallbackIndex(destination, s, e, call, dst)),
        };
        await copyReferrers(referrerSource, subjects, sink, options.concurrency);
      }
      return loaded;
    } finally {
      await archive.close();
    }
  } finally {
    endDeadline(call);
  }
}
