// What `copy(src, dst, { referrers: true })` adds after the image itself (and `save` and `load`,
// between a repository and an image layout): every manifest that refers to a copied manifest
// (signatures, attestations, SBOMs), and what refers to those, each copied as `copy` copies an
// image (blobs mounted or streamed, verified, progress events); where a destination repository has
// no referrers API, its `sha256-<hex>` fallback tag is kept up to date, earlier entries kept, as
// `attach` does; and the legacy `.sig`, `.att` and `.sbom` manifests of the copied digests, under
// their tags. Where they come from is a ReferrerSource, where they go a ReferrerSink.
import { ManifestNotFound, ProtocolError } from '../errors.js';
import { isIndex, type Descriptor, type Manifest } from '../oci.js';
import type { ProgressEvent } from '../progress/events.js';
import { ATTESTATION_LIMITS } from '../attestations/limits.js';
import type { RegistryCallOptions } from './options.js';
import { allEnded, limited } from './limit.js';
import { fallbackTag } from '../referrers.js';
import type { Registry } from './registry.js';

/** How deep referrers of referrers are followed (a signature of an attestation of an image is 2). */
const MAX_DEPTH = 8;
/** The legacy tags cosign writes beside a digest (`sha256-<hex>.sig`, ...). */
const LEGACY_SUFFIXES = ['sig', 'att', 'sbom'];

/** Where referrers are copied from: a repository (copy, save), or an image layout (load). */
export interface ReferrerSource {
  /** The manifests that refer to `subject`. */
  referrers(subject: string): Promise<Descriptor[]>;
  /** The legacy manifests of `subject` it has: each one's tag (`sha256-<hex>.sig`, ...) and digest. */
  legacy(subject: string): Promise<Array<{ tag: string; digest: string }>>;
}

/** The referrers kept in the repository `from` (`registry/repository`): its referrers API (or fallback tag), and its legacy tags. */
export function repositorySource(registry: Registry, from: string, call: RegistryCallOptions): ReferrerSource {
  return {
    referrers: (subject) => registry.referrers(`${from}@${subject}`, call),
    legacy: async (subject) => {
      const found = await allEnded(
        LEGACY_SUFFIXES.map(async (suffix) => {
          const tag = `${fallbackTag(subject)}.${suffix}`;
          return registry.resolve(`${from}:${tag}`, call).then(
            (d) => [{ tag, digest: d.digest }],
            (error: unknown) => (error instanceof ManifestNotFound ? [] : Promise.reject(error)),
          );
        }),
      );
      return found.flat();
    },
  };
}

/** Where referrers are copied to: a repository (copy, load), or an image layout (save). */
export interface ReferrerSink {
  /** Copies the manifest `digest` (and what it names) to the destination: by digest, or under `tag` (a legacy tag). */
  copy(placed: { digest: string; tag?: string }): Promise<void>;
  /** After the referrers `found` of `subject` are copied: makes the destination list them. */
  listed(subject: string, found: readonly Descriptor[]): Promise<void>;
}

/** The sink of a copy from the repository `from` into the repository `to` (both `registry/repository`): registry.copy, and the fallback tag kept where `to` has no referrers API. */
export function repositorySink(
  registry: Registry,
  from: string,
  to: string,
  call: RegistryCallOptions,
  emit: (event: ProgressEvent) => unknown,
  addToFallback: (subject: string, entries: readonly Descriptor[]) => Promise<void>,
): ReferrerSink {
  return {
    copy: async ({ digest, tag }) =>
      void (await follow(
        registry.copy(`${from}@${digest}`, tag === undefined ? `${to}@${digest}` : `${to}:${tag}`, call),
        emit,
      )),
    listed: (subject, found) => listedAt(registry, to, subject, found, call, addToFallback),
  };
}

/**
 * copyReferrers: copies what refers to `subjects` (digests copied from `source`) into `sink`,
 * recursively, `concurrency` copies at a time.
 */
export async function copyReferrers(
  source: ReferrerSource,
  subjects: readonly string[],
  sink: ReferrerSink,
  concurrency = 4,
): Promise<number> {
  const seen = new Set<string>(subjects);
  let copied = 0;
  // a level's subjects are looked up at once, their referrers copied `concurrency` at a time
  const lookups = limited(concurrency);
  const copies = limited(concurrency);
  const copy = (placed: { digest: string; tag?: string }): Promise<void> =>
    copies(async () => {
      await sink.copy(placed);
      copied++;
    });
  let level = [...subjects];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth >= MAX_DEPTH) throw new ProtocolError(`referrers of referrers nest more than ${MAX_DEPTH} deep: refused`);
    const next: string[] = [];
    await allEnded(
      level.map((subject) =>
        lookups(async () => {
          const listing = source.referrers(subject);
          const tags = source.legacy(subject);
          await allEnded<unknown>([listing, tags]);
          const [found, legacy] = [await listing, await tags];
          const fresh = found.filter((d) => !seen.has(d.digest));
          for (const d of fresh) {
            seen.add(d.digest);
            if (seen.size > ATTESTATION_LIMITS.manifests * 4)
              throw new ProtocolError(`more than ${ATTESTATION_LIMITS.manifests * 4} referrers to copy: refused`);
            next.push(d.digest);
          }
          await allEnded([...fresh.map((d) => copy({ digest: d.digest })), ...legacy.map((l) => copy(l))]);
          if (found.length > 0) await sink.listed(subject, found);
        }),
      ),
    );
    level = next;
  }
  return copied;
}

/**
 * referredSubjects: the digests whose referrers follow a copy of `top` (its descriptor and
 * manifest): the manifest copied (unless a subset of platforms made a new index, which nothing
 * refers to yet), and an index's entries.
 */
export function referredSubjects(top: Descriptor, manifest: Manifest, subset: boolean): string[] {
  const entries = isIndex(manifest, top.mediaType) ? manifest.manifests.map((d) => d.digest) : [];
  return subset && entries.length > 0 ? entries : [top.digest, ...entries];
}

/**
 * Makes the destination list `found` as referrers of `subject`: a registry with the referrers API
 * already does (it read each manifest's `subject` when it was pushed); one without gets those
 * missing added to its fallback tag's index in one write, the entries it has kept.
 */
export async function listedAt(
  registry: Registry,
  to: string,
  subject: string,
  found: readonly Descriptor[],
  call: RegistryCallOptions,
  addToFallback: (subject: string, entries: readonly Descriptor[]) => Promise<void>,
): Promise<void> {
  const listed = await registry.referrers(`${to}@${subject}`, call);
  const missing = found.filter((d) => !listed.some((l) => l.digest === d.digest));
  if (missing.length > 0) await addToFallback(subject, missing);
}

async function follow<T>(
  job: AsyncIterable<ProgressEvent> & PromiseLike<T>,
  emit: (event: ProgressEvent) => unknown,
): Promise<T> {
  for await (const event of job) await emit(event);
  return job;
}
