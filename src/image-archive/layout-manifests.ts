// The manifests of an OCI image layout, read once, for what finds referrers among them
// (imageArchive.referrers, and the attestations of a layout's referrers). The image-layout spec
// says nothing of referrers. oras-go's OCI store (`oras cp -r --to-oci-layout`, `oras attach
// --oci-layout`) lists every manifest it holds in index.json, the referrers untagged, and finds a
// manifest's referrers among what index.json leads to by their `subject`: so does this, each
// manifest read once and checked against its digest. A layout may also hold the index a registry
// without the referrers API keeps under the subject's fallback tag (`sha256-<hex>`, copied as a
// tag): its entries count too, as listed where the layout lacks them.
import { ArchiveError, InvalidArgument } from '../errors.js';
import { digestAlgorithm } from '../digest.js';
import { DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST, type Descriptor, type Manifest } from '../oci.js';
import { artifactTypeOf, fallbackTag, referrerEntry } from '../referrers.js';
import { COSIGN_ATTS, COSIGN_SIGS, isCosignLegacy, isTagSchema, namesOf, type ArchiveLayout } from './layout.js';

/** The manifest types an index's entry may have and be read here (OCI 1.1's artifact manifest included); an entry of no type is read too. */
const MANIFEST_TYPES = new Set<string>([
  OCI_MANIFEST,
  OCI_INDEX,
  DOCKER_MANIFEST,
  DOCKER_LIST,
  'application/vnd.oci.artifact.manifest.v1+json',
]);

/** An entry of index.json or of an index it leads to, as read: any field may be missing until checked. */
type Entry = Partial<Descriptor>;

/** A manifest the layout holds, read from its entry. */
interface Read {
  entry: Entry;
  manifest: Manifest;
  size: number;
  /** Listed in index.json itself, not only inside an index. */
  top: boolean;
}

/** LayoutManifests: every manifest an OCI layout's index.json leads to, read once: its images and each manifest's referrers. */
export class LayoutManifests {
  readonly #held: Map<string, Read>;

  private constructor(held: Map<string, Read>) {
    this.#held = held;
  }

  /** Reads every manifest index.json leads to; past `maxEntries` entries read, ArchiveError. */
  static async read(layout: ArchiveLayout, maxEntries: number): Promise<LayoutManifests> {
    return new LayoutManifests(await readManifests(layout, maxEntries));
  }

  /** True when the layout holds the manifest `digest`. */
  has(digest: string): boolean {
    return this.#held.has(digest);
  }

  /** The manifest `digest`, when the layout holds it. */
  manifest(digest: string): { manifest: Manifest; mediaType: string | undefined } | undefined {
    const read = this.#held.get(digest);
    return read && { manifest: read.manifest, mediaType: read.entry.mediaType };
  }

  /**
   * The referrers of `digest`, as the referrers API lists them: the manifests whose subject it is,
   * and the entries of its fallback tag's index that the layout lacks (those it holds were judged
   * by their own subject).
   */
  referrers(digest: string): Descriptor[] {
    const found = new Map<string, Descriptor>();
    for (const [at, read] of this.#held) {
      const { manifest } = read;
      if (manifest.subject?.digest !== digest) continue;
      const mediaType = typeof manifest.mediaType === 'string' ? manifest.mediaType : read.entry.mediaType;
      found.set(at, referrerEntry(at, read.size, artifactTypeOf(manifest), annotationsOf(manifest), mediaType));
    }
    const tag = fallbackTag(digest);
    for (const read of this.#held.values()) {
      if (!read.top || !entryNames(read.entry).some((name) => name === tag || name.endsWith(`:${tag}`))) continue;
      for (const entry of indexEntries(read.manifest))
        if (!this.#held.has(entry.digest) && !found.has(entry.digest)) found.set(entry.digest, entry);
    }
    return [...found.values()];
  }

  /**
   * The manifests of cosign's legacy scheme for `digest`'s signatures (`sig`), attestations
   * (`att`) or SBOMs (`sbom`), listed in index.json: under the tag `sha256-<hex>.sig` (copied as a
   * tag), or, with `marked`, those `cosign save` marks as its signatures or attestations (which name
   * no image: what each signs is in its payload); each with the tag it has or would have.
   */
  legacy(
    digest: string,
    suffix: 'sig' | 'att' | 'sbom',
    marked = true,
  ): Array<{ where: string; tag: string; digest: string; manifest: Manifest }> {
    const tag = `${fallbackTag(digest)}.${suffix}`;
    const kind = suffix === 'sig' ? COSIGN_SIGS : suffix === 'att' ? COSIGN_ATTS : undefined;
    const found: Array<{ where: string; tag: string; digest: string; manifest: Manifest }> = [];
    for (const [at, read] of this.#held) {
      if (!read.top) continue;
      if (entryNames(read.entry).some((name) => name === tag || name.endsWith(`:${tag}`)))
        found.push({ where: tag, tag, digest: at, manifest: read.manifest });
      else if (marked && kind !== undefined && read.entry.annotations?.['kind'] === kind)
        found.push({ where: `${kind} ${at}`, tag, digest: at, manifest: read.manifest });
    }
    return found;
  }

  /**
   * The layout's images (or indexes): what index.json lists that is no referrer, no tag-schema
   * index or legacy signature, and not inside another listed index (oras lists an index's platform
   * manifests beside it). By digest, with their names.
   */
  roots(): Array<{ digest: string; names: string[] }> {
    const tops = [...this.#held.entries()].filter(([, read]) => read.top);
    const inside = new Set(tops.flatMap(([, read]) => indexEntries(read.manifest).map((d) => d.digest)));
    return tops
      .filter(
        ([digest, read]) =>
          read.manifest.subject === undefined &&
          !inside.has(digest) &&
          !entryNames(read.entry).some(isTagSchema) &&
          !isCosignLegacy(read.entry),
      )
      .map(([digest, read]) => ({ digest, names: entryNames(read.entry) }));
  }

  /** The digest `subject` names (`where` the call that asks): itself, the manifest index.json lists under that name, or (none given) the layout's one image. */
  subject(subject: string | undefined, where: string): string {
    if (subject !== undefined && digestAlgorithm(subject) !== undefined) return subject;
    if (subject !== undefined) {
      const tops = [...this.#held.entries()].filter(([, read]) => read.top);
      const named = tops.filter(([, read]) => entryNames(read.entry).includes(subject));
      if (named.length === 1) return named[0]![0];
      if (named.length > 1)
        throw new InvalidArgument(
          `${where}: the layout names ${named.length} manifests ${JSON.stringify(subject)}; name the subject by its digest`,
        );
      const names = [...new Set(tops.flatMap(([, read]) => entryNames(read.entry)))];
      throw new InvalidArgument(
        `${where}: the layout has no manifest named ${JSON.stringify(subject)}; it names ${names.slice(0, 20).join(', ') || 'none'}`,
      );
    }
    // the layout's one image; of several, the one named where only one is
    const roots = this.roots();
    const named = roots.filter((root) => root.names.length > 0);
    const images = named.length > 0 ? named : roots;
    if (images.length === 1) return images[0]!.digest;
    throw new InvalidArgument(
      images.length === 0
        ? `${where}: the layout holds no image; name the subject by its digest`
        : `${where}: the layout holds ${images.length} images (${images
            .slice(0, 20)
            .map((image) => image.names[0] ?? image.digest)
            .join(', ')}); name the subject by its digest or name`,
    );
  }
}

/** Every manifest index.json leads to (its entries, and those of the indexes among them, once each), by digest, in the order read. */
async function readManifests(layout: ArchiveLayout, maxEntries: number): Promise<Map<string, Read>> {
  const index = (await layout.ociIndex()) as { manifests?: unknown };
  if (!Array.isArray(index?.manifests)) throw new ArchiveError('index.json has no manifests', { entry: 'index.json' });
  let entries = 0;
  const count = (more: number, where: string): void => {
    entries += more;
    if (entries > maxEntries)
      throw new ArchiveError(
        `the layout's manifests have more than ${maxEntries} entries (maxEntries), ${where}: refused`,
      );
  };
  count(index.manifests.length, 'in index.json');
  const queue: Array<{ entry: Entry; top: boolean }> = (index.manifests as Entry[]).map((entry) => ({
    entry,
    top: true,
  }));
  const held = new Map<string, Read>();
  for (let i = 0; i < queue.length; i++) {
    const { entry, top } = queue[i]!;
    if (entry === null || typeof entry !== 'object' || typeof entry.digest !== 'string' || held.has(entry.digest))
      continue;
    if (typeof entry.mediaType === 'string' && !MANIFEST_TYPES.has(entry.mediaType)) continue;
    const bytes = await layout.ociBlob(entry.digest);
    if (bytes === undefined) {
      // an index's platform the layout does not hold is common (one platform saved); a manifest
      // index.json itself names is not
      if (top)
        throw new ArchiveError(`index.json lists the manifest ${entry.digest}, which the layout lacks`, {
          entry: 'index.json',
        });
      continue;
    }
    const manifest = parseManifest(bytes, entry.digest);
    held.set(entry.digest, { entry, manifest, size: bytes.length, top });
    if (Array.isArray((manifest as { manifests?: unknown }).manifests)) {
      const children = (manifest as { manifests: Entry[] }).manifests;
      count(children.length, `in the index ${entry.digest}`);
      for (const child of children) queue.push({ entry: child, top: false });
    }
  }
  return held;
}

/** The entries of an index that have a digest; none of a manifest. */
function indexEntries(manifest: Manifest): Descriptor[] {
  const entries = (manifest as { manifests?: unknown }).manifests;
  return Array.isArray(entries)
    ? (entries as Descriptor[]).filter((d) => d !== null && typeof d === 'object' && typeof d.digest === 'string')
    : [];
}

/** Every name an index.json entry has: its tag (`org.opencontainers.image.ref.name`, as oras writes it), containerd's full name, and the names ArchiveImage gives it. */
function entryNames(entry: Entry): string[] {
  const a = entry.annotations ?? {};
  const names = [a['org.opencontainers.image.ref.name'], a['io.containerd.image.name'], ...namesOf(entry)];
  return [...new Set(names.filter((n): n is string => typeof n === 'string' && n !== ''))];
}

function annotationsOf(manifest: Manifest): Record<string, string> | undefined {
  const { annotations } = manifest;
  return annotations !== null && typeof annotations === 'object' && !Array.isArray(annotations)
    ? annotations
    : undefined;
}

/** parseManifest: the manifest `bytes` (of `digest`) hold, as a JSON object; ArchiveError otherwise. */
export function parseManifest(bytes: Uint8Array, digest: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new ArchiveError(`the manifest ${digest} is not JSON`, { cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ArchiveError(`the manifest ${digest} is not a JSON object`);
  const manifest = value as Manifest & { subject?: unknown };
  // a subject that is not a descriptor with a digest makes no referrer
  if (manifest.subject !== undefined && typeof (manifest.subject as Descriptor | null)?.digest !== 'string')
    delete manifest.subject;
  return manifest;
}
