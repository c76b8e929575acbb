// registry.save: an image copied out of its registry into an OCI image layout folder, byte for
// byte (its manifests' digests, so its signatures still name it), as `oras cp -r --to-oci-layout`,
// `crane pull --format=oci` and `cosign save` write one. copy.ts copies it, into a layout's ends:
// each blob streamed from the registry, verified, into the layout's `blobs/`; the image listed in
// index.json under its tag, an index's manifests beside it untagged (as oras lists them). With
// `referrers`, what refers to it follows (copy-referrers.ts): the referrers by digest, listed
// untagged, the legacy `.sig`, `.att` and `.sbom` manifests under their tags; the image and its own
// legacy signature and attestation also carry cosign save's `kind` marks, so that `cosign verify
// --local-image` finds them.
import { InvalidArgument } from '../errors.js';
import { isIndex, type Descriptor, type Manifest } from '../oci.js';
import type { ProgressEvent } from '../progress/events.js';
import type { ProgressState } from '../progress/job.js';
import type { JobScope } from '../job.js';
import { fallbackTag } from '../referrers.js';
import { LayoutWriter } from '../image-archive/layout-writer.js';
import { endDeadline } from './call-deadline.js';
import { startCopyJob } from './copy-job.js';
import type { CopyEnds } from './copy.js';
import type { Repository } from './repository.js';
import { repositoryCopySource, type CopySource } from './copy-ends.js';
import { formatReference, manifestReference, parseRegistryReference, type RegistryReference } from './name.js';
import { SAVE_OPTIONS, type RegistrySaveOptions } from './options.js';
import type { Registry } from './registry.js';

/** cosign save's marks (`kind`) on index.json's entries. */
const KIND = {
  image: 'dev.cosignproject.cosign/image',
  imageIndex: 'dev.cosignproject.cosign/imageIndex',
  sig: 'dev.cosignproject.cosign/sigs',
  att: 'dev.cosignproject.cosign/atts',
} as const;

/** The ends of a copy from `source` into `layout`; `listed` is told the top manifest put (the others are listed untagged). */
function layoutEnds(
  source: CopySource,
  layout: LayoutWriter,
  listed: (descriptor: Descriptor, bytes: Uint8Array) => void,
): CopyEnds {
  return {
    from: source.repository?.repository ?? 'an image layout',
    sourceManifest: (child) => source.manifest(child),
    has: (digest) => layout.has(digest),
    mount: async () => false,
    transfer: async (descriptor, progress) => {
      let sent = 0;
      const counted = async function* (): AsyncIterable<Uint8Array> {
        for await (const chunk of source.blob(descriptor)) {
          sent += chunk.length;
          progress(sent);
          yield chunk;
        }
      };
      // each chunk is written to the file before the next is asked for
      await layout.write(descriptor, counted());
    },
    once: async (_digest, put) => {
      await put();
      return true;
    },
    putManifest: async (bytes, mediaType, tagged) => {
      const descriptor = await layout.writeBytes(bytes, mediaType);
      // an index's manifests are listed beside it, untagged, as oras lists them (so that they can be found by digest)
      if (tagged) listed(descriptor, bytes);
      else layout.list(descriptor, undefined);
      return descriptor;
    },
  };
}

/** runSave: what the Job of `registry.save(ref, dir, options)` does, the source reached through `repositoryOf`. */
export async function runSave(
  registry: Registry,
  repositoryOf: (reference: RegistryReference) => Repository,
  ref: string,
  dir: string,
  options: RegistrySaveOptions,
  scope: JobScope<ProgressEvent>,
  state: ProgressState,
): Promise<Descriptor> {
  const { call, emit, copyOptions } = startCopyJob('registry.save', options, SAVE_OPTIONS, scope, state);
  let opened: LayoutWriter | undefined;
  try {
    if (options.tag !== undefined && (typeof options.tag !== 'string' || !/^[\w][\w.-]{0,127}$/.test(options.tag)))
      throw new InvalidArgument('registry.save: tag must be a tag (letters, digits, _ . -, at most 128)');
    const from = parseRegistryReference(ref, 'ref');
    const name = options.tag ?? (from.digest === undefined ? from.tag : undefined);
    const layout = (opened = await LayoutWriter.open(dir, 'registry.save'));
    const source = repositoryOf(from);
    const { copyImage } = await import('./copy.js');
    let top: Manifest | undefined;
    const saved = await copyImage(
      layoutEnds(repositoryCopySource(source, manifestReference(from), call), layout, (descriptor, bytes) => {
        top = JSON.parse(new TextDecoder().decode(bytes)) as Manifest;
        layout.list(descriptor, name, { kind: isIndex(top, descriptor.mediaType) ? KIND.imageIndex : KIND.image });
      }),
      copyOptions,
      emit,
    );
    if (options.referrers) {
      const repository = formatReference({ registry: from.registry, host: from.host, repository: from.repository });
      const { copyReferrers, referredSubjects, repositorySource } = await import('./copy-referrers.js');
      const subjects = referredSubjects(saved, top!, options.platforms !== undefined);
      const legacyKinds: Record<string, string> = {
        [`${fallbackTag(saved.digest)}.sig`]: KIND.sig,
        [`${fallbackTag(saved.digest)}.att`]: KIND.att,
      };
      const copyInto = async ({ digest, tag }: { digest: string; tag?: string }): Promise<void> => {
        await copyImage(
          layoutEnds(repositoryCopySource(source, digest, call), layout, (descriptor) => {
            const kind = tag === undefined ? undefined : legacyKinds[tag];
            layout.list(descriptor, tag, kind ? { kind } : {});
          }),
          {},
          emit,
        );
      };
      // a layout lists a referrer by its subject: nothing else to keep
      const sink = { copy: copyInto, listed: async () => {} };
      await copyReferrers(repositorySource(registry, repository, call), subjects, sink, options.concurrency);
    }
    await layout.commit();
    return saved;
  } finally {
    endDeadline(call);
    await opened?.close();
  }
}
