// registry.load: an image out of an OCI image layout (a folder or its tar) into a repository,
// byte for byte, as `oras cp --from-oci-layout` and `cosign load` do: copy.ts copies it from a
// layout's source (each manifest and blob read from the layout and checked against its digest)
// into the repository's ends. With `referrers`, what the layout keeps that refers to it follows
// (copy-referrers.ts): its referrers by digest (the fallback tag kept where the registry has no
// referrers API), and its legacy `.sig`, `.att` and `.sbom` manifests under their tags, those
// `cosign save` marked as its own taken as the saved image's.
import { ArchiveError, InvalidArgument } from '../errors.js';
import { isIndex, type Descriptor, type Manifest } from '../oci.js';
import { checkOptions } from '../options.js';
import type { ProgressEvent } from '../progress/events.js';
import type { ProgressState } from '../progress/job.js';
import type { JobScope } from '../job.js';
import { DEFAULT_MAX_ENTRIES } from '../referrers.js';
import { archiveLayout, openImageArchive } from '../image-archive/archive.js';
import type { ArchiveLayout } from '../image-archive/layout.js';
import { LayoutManifests } from '../image-archive/layout-manifests.js';
import { MAX_MANIFEST_SIZE } from './bounds.js';
import { endDeadline, withDeadline } from './call-deadline.js';
import { copyEnds, type CopySource } from './copy-ends.js';
import { formatReference, manifestReference, parseRegistryReference, type RegistryReference } from './name.js';
import { LOAD_OPTIONS, callOptions, type RegistryCallOptions, type RegistryLoadOptions } from './options.js';
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
      const manifest = JSON.parse(new TextDecoder().decode(bytes)) as Manifest;
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

/** runLoad: what the Job of `registry.load(path, dst, options)` does, the destination reached through `repositoryOf`. */
export async function runLoad(
  registry: Registry,
  repositoryOf: (reference: RegistryReference) => Repository,
  path: string,
  dst: string,
  options: RegistryLoadOptions,
  scope: JobScope<ProgressEvent>,
  state: ProgressState,
): Promise<Descriptor> {
  state.tries = 1;
  checkOptions('registry.load', options, LOAD_OPTIONS);
  if (typeof path !== 'string' || path === '') throw new InvalidArgument('registry.load: give the layout\u2019s path');
  if (options.platforms !== undefined && !Array.isArray(options.platforms))
    throw new InvalidArgument('registry.load: platforms must be a list');
  const to = parseRegistryReference(dst, 'dst');
  const deadline = options.deadline !== undefined ? { deadline: options.deadline } : {};
  const call = withDeadline<RegistryCallOptions>(
    { ...callOptions(options), signal: scope.signal, ...deadline },
    'registry.load',
  );
  try {
    const archive = await openImageArchive(path);
    try {
      const layout = archiveLayout(archive);
      if (layout.format !== 'oci')
        throw new InvalidArgument(
          `registry.load: ${path} is a docker-archive, which keeps no manifests to push as they are; give an OCI image layout`,
        );
      const manifests = await LayoutManifests.read(layout, DEFAULT_MAX_ENTRIES);
      const top = manifests.subject(options.image, 'registry.load');
      const destination = repositoryOf(to);
      const emit = (event: ProgressEvent): unknown => {
        state.totals.update(event);
        return scope.emit(event);
      };
      const { copyImage } = await import('./copy.js');
      const copyOptions = {
        ...(options.platforms ? { platforms: options.platforms } : {}),
        ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      };
      const source = layoutCopySource(layout, manifests, top);
      const loaded = await copyImage(copyEnds(source, destination, manifestReference(to), call), copyOptions, emit);
      if (options.referrers) {
        // what refers to the image, and to its platforms' manifests (a subset made a new index: only to those)
        const { manifest } = await source.manifest();
        const entries = isIndex(manifest) ? manifest.manifests.map((d) => d.digest) : [];
        const subjects = options.platforms !== undefined && entries.length > 0 ? entries : [top, ...entries];
        const name = formatReference({ registry: to.registry, host: to.host, repository: to.repository });
        const { copyReferrers, listedAt } = await import('./copy-referrers.js');
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
