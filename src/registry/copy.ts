// Copying an image between repositories (of one registry or two), streamed: each blob is looked
// for at the destination first (HEAD), mounted when both are on one registry, else streamed from
// source to destination, verified on the way; an index's children go before the index, and
// manifests only once every blob they name is there, so an aborted copy leaves no manifest that
// names what is missing. Foreign and non-distributable layers stay where they are, as crane
// leaves them.
import { InvalidArgument } from '../errors.js';
import { parsePlatform, platformMatches, type PlatformSpec } from '../platform.js';
import type { ProgressEvent } from '../progress/events.js';
import { OCI_INDEX, isIndex, type Descriptor, type ImageIndex, type Manifest, type ManifestResult } from '../oci.js';
import { isAttestationEntry } from '../attestations/entry.js';
import { allEnded, limited } from './limit.js';

/** What copy needs of the registry client, for one source and one destination repository. */
export interface CopyEnds {
  /** The source's manifest: the one copied, or the index entry `child` (bounded to its size). */
  sourceManifest(child?: Descriptor): Promise<ManifestResult>;
  /** True when the destination has the blob. */
  has(digest: string): Promise<boolean>;
  /** Mounts the blob from the source repository (one registry): true when the registry did. */
  mount(digest: string): Promise<boolean>;
  /** Streams the blob from source to destination; `progress` is told the bytes sent so far. */
  transfer(descriptor: Descriptor, progress: (bytes: number) => void): Promise<void>;
  /**
   * Runs `put` (the blob made present at the destination) unless another copy of this client is
   * putting the same blob into the same repository: then waits for that one, and answers false.
   */
  once(digest: string, put: () => Promise<void>): Promise<boolean>;
  /** Puts a manifest at the destination, by digest or (`tagged`) under the destination's tag. */
  putManifest(bytes: Uint8Array, mediaType: string, tagged: boolean): Promise<Descriptor>;
  /** The source repository, as a mount names it. */
  from: string;
}

export interface CopyOptions {
  /** Only these platforms of an index (one gives that image's manifest; several, a new index with their attestation manifests). */
  platforms?: PlatformSpec[];
  /** Blobs copied at once (default 4). */
  concurrency?: number;
}

const FOREIGN = /\.foreign\.|nondistributable/;

export async function copyImage(
  ends: CopyEnds,
  options: CopyOptions,
  emit: (event: ProgressEvent) => unknown,
): Promise<Descriptor> {
  const concurrency = options.concurrency ?? 4;
  if (!(Number.isSafeInteger(concurrency) && concurrency > 0))
    throw new InvalidArgument('concurrency must be a positive whole number');
  const wanted = options.platforms?.map((p, i) => parsePlatform(p, `platforms[${i}]`));
  const top = await ends.sourceManifest();
  const blobs = new Map<string, Descriptor>();
  const transfers = limited(concurrency);
  const copyBlobs = async (manifest: Manifest): Promise<void> => {
    const image = manifest as { config?: Descriptor; layers?: Descriptor[] };
    for (const d of [image.config, ...(image.layers ?? [])]) {
      if (!d || typeof d.digest !== 'string' || FOREIGN.test(d.mediaType ?? '') || blobs.has(d.digest)) continue;
      blobs.set(d.digest, d);
    }
    const queue = [...blobs.values()].filter((d) => !done.has(d.digest));
    for (const d of queue) done.add(d.digest);
    await allEnded(queue.map((d) => transfers(() => copyBlob(d))));
  };
  const done = new Set<string>();
  const copyBlob = async (d: Descriptor): Promise<void> => {
    const id = d.digest.slice(d.digest.indexOf(':') + 1, d.digest.indexOf(':') + 13);
    const put = async (): Promise<void> => {
      if (await ends.has(d.digest)) return void (await emit({ status: 'Layer already exists', id }));
      if (await ends.mount(d.digest)) return void (await emit({ status: `Mounted from ${ends.from}`, id }));
      await ends.transfer(
        d,
        (current) => void emit({ status: 'Pushing', id, progressDetail: { current, total: d.size } }),
      );
      await emit({ status: 'Pushed', id, progressDetail: { current: d.size, total: d.size } });
    };
    if (!(await ends.once(d.digest, put))) await emit({ status: 'Layer already exists', id });
  };

  if (!isIndex(top.manifest, top.descriptor.mediaType)) {
    await copyBlobs(top.manifest);
    return ends.putManifest(top.bytes, top.descriptor.mediaType, true);
  }
  const index = top.manifest as ImageIndex;
  // a subset of platforms keeps the attestation manifests of the images it keeps, and only those
  const chosen = (m: Descriptor): boolean =>
    m.platform !== undefined && !isAttestationEntry(m) && wanted!.some((w) => platformMatches(m.platform!, w));
  const images = wanted === undefined ? index.manifests : index.manifests.filter(chosen);
  if (wanted !== undefined && images.length === 0)
    throw new InvalidArgument('none of the platforms asked for is in the source index');
  const attested = (m: Descriptor): boolean =>
    isAttestationEntry(m) && images.some((i) => i.digest === m.annotations?.['vnd.docker.reference.digest']);
  const children = wanted === undefined ? images : [...images, ...index.manifests.filter(attested)];
  for (const child of children) {
    const result = await ends.sourceManifest(child);
    if (isIndex(result.manifest, result.descriptor.mediaType))
      throw new InvalidArgument('nested indexes are not copied');
    await copyBlobs(result.manifest);
    if (wanted !== undefined && wanted.length === 1)
      return ends.putManifest(result.bytes, result.descriptor.mediaType, true);
    await ends.putManifest(result.bytes, result.descriptor.mediaType, false);
  }
  if (wanted === undefined) return ends.putManifest(top.bytes, top.descriptor.mediaType, true);
  const annotations = index.annotations ? { annotations: index.annotations } : {};
  const subset = { schemaVersion: 2, mediaType: index.mediaType ?? OCI_INDEX, manifests: children, ...annotations };
  return ends.putManifest(new TextEncoder().encode(JSON.stringify(subset)), subset.mediaType, true);
}
