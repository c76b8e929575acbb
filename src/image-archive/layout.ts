// The two layouts `docker save` writes. docker-archive (Docker before 25): manifest.json lists each
// image's config file and its layers' `<id>/layer.tar` paths (a layer saved twice is a symlink to
// the first). OCI image layout (Docker 25 and later, and the containerd image store): index.json,
// oci-layout and blobs/<alg>/<hex>, where indexes lead to platform manifests, manifests to configs
// and layers; Docker writes a manifest.json beside it, read here only for the names. Either is
// read through its members by name (members.ts): of a tar, or of a folder.
import { DigestVerifier, digestAlgorithm, digestOf, verifiedChunks, verifyBytes } from '../digest.js';
import { ArchiveError } from '../errors.js';
import type { RandomAccess } from '../tar/reader.js';
import { accessChunks } from './access.js';
import { memberName, type ArchiveMembers } from './members.js';
import {
  DOCKER_CONFIG,
  DOCKER_LAYER,
  DOCKER_LIST,
  DOCKER_MANIFEST,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_MANIFEST,
  platformOf,
  type Descriptor,
  type ImageConfig,
} from '../oci.js';
import type { ArchiveImage, LayerDescriptor } from './source.js';

/** Where a layer's blob is, and the size its manifest gives it (a docker-archive gives none). */
interface LayerPath {
  path: string;
  size: number | undefined;
}

/** A blob streamed out of a layout is read in pieces of this size. */
const PIECE = 1024 * 1024;

/** The largest JSON file (manifest, index, config) read from an archive. */
const MAX_JSON = 16 * 1024 * 1024;

const INDEX_TYPES = new Set<string>([OCI_INDEX, DOCKER_LIST]);
const IMAGE_MANIFEST_TYPES = new Set<string>([OCI_MANIFEST, DOCKER_MANIFEST]);
const IMAGE_CONFIG_TYPES = new Set<string>([OCI_CONFIG, DOCKER_CONFIG]);

/** cosign save's kinds of index.json entry that hold its legacy signatures and attestations, not the image. */
export const COSIGN_SIGS = 'dev.cosignproject.cosign/sigs';
export const COSIGN_ATTS = 'dev.cosignproject.cosign/atts';
const COSIGN_LEGACY_KINDS = new Set([COSIGN_SIGS, COSIGN_ATTS]);

/** A tag of the tag schema: a digest's referrers (`sha256-<hex>`) or cosign's legacy `.sig`, `.att`, `.sbom` of it. */
const TAG_SCHEMA = /^sha(256|512)-[0-9a-f]{64,128}(\.[a-z]+)?$/;

/** isTagSchema: true for a name (`repo:tag`, or a bare tag) whose tag is of the tag schema. */
export function isTagSchema(name: string): boolean {
  return TAG_SCHEMA.test(name.slice(name.lastIndexOf(':') + 1));
}

/**
 * isCosignLegacy: true for an index.json entry of cosign's legacy signatures or attestations:
 * marked so by cosign save, or copied in under a `sha256-<hex>.sig` (`.att`, `.sbom`) tag.
 */
export function isCosignLegacy(descriptor: LayoutDescriptor): boolean {
  const tag = descriptor?.annotations?.['org.opencontainers.image.ref.name'];
  return (
    COSIGN_LEGACY_KINDS.has(descriptor?.annotations?.['kind'] ?? '') ||
    (typeof tag === 'string' && isTagSchema(tag) && tag.includes('.'))
  );
}

/** The images an archive's layout describes, read through its members (which close() lets go of). */
export class ArchiveLayout {
  readonly images: ArchiveImage[] = [];
  /** `docker-archive` or `oci` */
  format: 'docker-archive' | 'oci' = 'docker-archive';
  readonly #members: ArchiveMembers;
  readonly #layerPaths = new Map<ArchiveImage, LayerPath[]>();
  /** The OCI layout's images by their manifest's digest. */
  readonly #imagesByDigest = new Map<string, ArchiveImage>();

  private constructor(members: ArchiveMembers) {
    this.#members = members;
  }

  /** The layout `members` hold; on failure, the caller still owns them. */
  static async read(members: ArchiveMembers): Promise<ArchiveLayout> {
    const layout = new ArchiveLayout(members);
    if ((await members.has('index.json')) && (await members.has('oci-layout'))) {
      layout.format = 'oci';
      await layout.#checkOciLayout();
      await layout.#readOci();
    } else if (await members.has('manifest.json')) {
      await layout.#readDockerArchive();
    } else {
      throw new ArchiveError(
        'not an image archive: it has neither an OCI layout (index.json, oci-layout) nor a docker-archive manifest.json',
      );
    }
    return layout;
  }

  /** The stored bytes of one of `image`'s layers; ArchiveError when the blob is missing, or is not the size its manifest gives. */
  async layer(image: ArchiveImage, index: number): Promise<RandomAccess> {
    const at = this.#layerPaths.get(image)?.[index];
    if (at === undefined) throw new ArchiveError(`the image has no layer ${index}`);
    const access = await this.#members.open(at.path);
    if (access === undefined)
      throw new ArchiveError(`the archive lacks ${at.path}, layer ${index} of ${image.digest}`, { entry: at.path });
    if (at.size !== undefined && access.size !== at.size)
      throw new ArchiveError(
        `${at.path} is ${access.size} bytes, not the ${at.size} its manifest gives (layer ${index} of ${image.digest}): refused`,
        { entry: at.path },
      );
    return access;
  }

  /** Lets go of the archive's members (its file, or the folder's open files). */
  close(): Promise<void> {
    return this.#members.close();
  }

  /**
   * A blob of the OCI layout (`blobs/<alg>/<hex>`), its digest checked, and its `size` when a
   * descriptor gives it; at most `max` bytes (a manifest's bound by default). Undefined when the
   * layout does not hold it.
   */
  ociBlob(digest: string, size?: number, max = MAX_JSON): Promise<Uint8Array | undefined> {
    return this.#blob(digest, size, max);
  }

  /**
   * The blob `descriptor` names, streamed from the layout in pieces and checked against its digest
   * before the last piece is handed on (registry.load's source); ArchiveError when the layout
   * lacks it or it is not the descriptor's size.
   */
  async *ociBlobChunks(descriptor: { digest: string; size: number }): AsyncGenerator<Uint8Array> {
    const path = blobPath(descriptor.digest);
    const access = await this.#members.open(path);
    if (access === undefined) throw new ArchiveError(`the layout lacks ${path}`, { entry: path });
    if (access.size !== descriptor.size)
      throw new ArchiveError(
        `${path} is ${access.size} bytes, not the ${descriptor.size} its descriptor gives: refused`,
        {
          entry: path,
        },
      );
    yield* verifiedChunks(accessChunks(access, PIECE), new DigestVerifier(descriptor.digest), path);
  }

  /** The OCI layout's index.json, parsed (ArchiveError when there is none). */
  ociIndex(): Promise<unknown> {
    return this.#json('index.json');
  }

  /** Member `name` whole (a manifest, index or config: at most MAX_JSON bytes, and `size` bytes when a descriptor gives it). */
  #bytes(name: string, size: number | undefined = undefined, max = MAX_JSON): Promise<Uint8Array | undefined> {
    return this.#members.read(name, (stored) => {
      if (size !== undefined && stored !== size)
        throw new ArchiveError(`${name} is ${stored} bytes, not the ${size} its descriptor gives: refused`, {
          entry: name,
        });
      if (stored > max)
        throw new ArchiveError(`${name} is ${stored} bytes, more than can be read whole here (${max})`, {
          entry: name,
        });
    });
  }

  /** oci-layout: a JSON object that names the layout's version. */
  async #checkOciLayout(): Promise<void> {
    const marker = (await this.#json('oci-layout')) as { imageLayoutVersion?: unknown } | null;
    if (marker === null || typeof marker !== 'object' || typeof marker.imageLayoutVersion !== 'string')
      throw new ArchiveError('oci-layout does not name an imageLayoutVersion: not an OCI image layout', {
        entry: 'oci-layout',
      });
  }

  async #json(name: string, bytes?: Uint8Array): Promise<unknown> {
    const data = bytes ?? (await this.#bytes(name));
    if (data === undefined) throw new ArchiveError(`the archive lacks ${name}`, { entry: name });
    try {
      return JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
    } catch (error) {
      throw new ArchiveError(`${name} is not JSON`, { entry: name, cause: error });
    }
  }

  /** A blob of the OCI layout, its digest (and `size`, when a descriptor gives it) checked; undefined when the layout does not hold it. */
  async #blob(digest: string, size: number | undefined, max = MAX_JSON): Promise<Uint8Array | undefined> {
    const path = blobPath(digest);
    const bytes = await this.#bytes(path, size, max);
    if (bytes === undefined) return undefined;
    verifyBytes(bytes, digest, path);
    return bytes;
  }

  async #readDockerArchive(): Promise<void> {
    const manifest = await this.#json('manifest.json');
    if (!Array.isArray(manifest))
      throw new ArchiveError('manifest.json is not a list of images', { entry: 'manifest.json' });
    for (const item of manifest as Array<Record<string, unknown>>) {
      const configPath = item['Config'];
      const layers = item['Layers'];
      if (typeof configPath !== 'string' || !Array.isArray(layers) || !layers.every((l) => typeof l === 'string')) {
        throw new ArchiveError('manifest.json has an image without Config and Layers', { entry: 'manifest.json' });
      }
      const configBytes = await this.#bytes(configPath);
      if (configBytes === undefined) throw new ArchiveError(`the archive lacks ${configPath}`, { entry: configPath });
      const config = checkConfig(await this.#json(configPath, configBytes), configPath);
      const diffIds = config.rootfs?.diff_ids ?? [];
      const paths = layers as string[];
      const sizes: number[] = [];
      for (const path of paths) sizes.push((await this.#members.open(path))?.size ?? 0);
      const image: ArchiveImage = {
        names: stringList(item['RepoTags']),
        digest: digestOf(configBytes),
        platform: platformOf(config),
        config,
        layers: paths.map((path, i) => {
          const diffId = diffIds[i];
          const descriptor: LayerDescriptor = { digest: diffId ?? '', mediaType: DOCKER_LAYER, size: sizes[i]! };
          if (diffId !== undefined) descriptor.diffId = diffId;
          return descriptor;
        }),
      };
      this.images.push(image);
      this.#layerPaths.set(
        image,
        paths.map((path) => ({ path, size: undefined })),
      );
    }
  }

  async #readOci(): Promise<void> {
    const index = (await this.#json('index.json')) as { manifests?: unknown };
    if (!Array.isArray(index.manifests)) throw new ArchiveError('index.json has no manifests', { entry: 'index.json' });
    // Docker's manifest.json beside the layout: the names each config was saved under
    const namesByConfig = new Map<string, string[]>();
    if (await this.#members.has('manifest.json')) {
      const saved = await this.#json('manifest.json').catch(() => undefined);
      if (Array.isArray(saved))
        for (const item of saved as Array<Record<string, unknown>>)
          if (typeof item['Config'] === 'string')
            namesByConfig.set(memberName(item['Config']), stringList(item['RepoTags']));
    }
    for (const descriptor of index.manifests as LayoutDescriptor[])
      await this.#walk(descriptor, namesOf(descriptor), namesByConfig, 0);
  }

  async #walk(
    descriptor: LayoutDescriptor,
    names: string[],
    namesByConfig: Map<string, string[]>,
    depth: number,
  ): Promise<void> {
    if (depth > 4 || typeof descriptor?.digest !== 'string') return;
    // attestations (SBOMs, provenance) are manifests too, of no platform: not images
    if (descriptor.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') return;
    const bytes = await this.#blob(descriptor.digest, sizeOf(descriptor));
    if (bytes === undefined) return; // a platform this archive does not hold
    const document = (await this.#json(blobPath(descriptor.digest), bytes)) as {
      mediaType?: string;
      artifactType?: unknown;
      subject?: unknown;
      manifests?: LayoutDescriptor[];
      config?: LayoutDescriptor;
      layers?: LayoutDescriptor[];
    };
    const mediaType = document.mediaType ?? descriptor.mediaType ?? '';
    if (INDEX_TYPES.has(mediaType) || Array.isArray(document.manifests)) {
      for (const child of document.manifests ?? [])
        await this.#walk(child, [...names, ...namesOf(child)], namesByConfig, depth + 1);
      return;
    }
    if (!IMAGE_MANIFEST_TYPES.has(mediaType) && document.config === undefined) return;
    // what oras lists beside the images (referrers: signatures, SBOMs; other artifacts), and
    // cosign save's legacy signatures and attestations, are manifests but not images
    if (
      document.subject !== undefined ||
      document.artifactType !== undefined ||
      (typeof document.config?.mediaType === 'string' && !IMAGE_CONFIG_TYPES.has(document.config.mediaType)) ||
      isCosignLegacy(descriptor)
    )
      return;
    // oras lists an index's platform manifests beside it too: one image, every name it was given
    const known = this.#imagesByDigest.get(descriptor.digest);
    if (known !== undefined) {
      known.names = [...new Set([...known.names, ...names])];
      return;
    }
    if (typeof document.config?.digest !== 'string' || !Array.isArray(document.layers))
      throw new ArchiveError(`the manifest ${descriptor.digest} has no config or layers`, {
        entry: blobPath(descriptor.digest),
      });
    const configPath = blobPath(document.config.digest);
    const configBytes = await this.#blob(document.config.digest, sizeOf(document.config));
    if (configBytes === undefined)
      throw new ArchiveError(`the archive lacks ${configPath}, the config of ${descriptor.digest}`, {
        entry: configPath,
      });
    const config = checkConfig(await this.#json(configPath, configBytes), configPath);
    const diffIds = config.rootfs?.diff_ids ?? [];
    const image: ArchiveImage = {
      names: [...new Set([...names, ...(namesByConfig.get(configPath) ?? [])])],
      digest: descriptor.digest,
      platform: platformOf(config) ?? descriptor.platform,
      config,
      layers: document.layers.map((layer, i) => {
        if (typeof layer?.digest !== 'string')
          throw new ArchiveError(`the manifest ${descriptor.digest} has a layer without a digest`);
        const out: LayerDescriptor = {
          digest: layer.digest,
          mediaType: layer.mediaType ?? '',
          size: typeof layer.size === 'number' ? layer.size : 0,
        };
        if (diffIds[i] !== undefined) out.diffId = diffIds[i];
        return out;
      }),
    };
    this.images.push(image);
    this.#imagesByDigest.set(image.digest, image);
    this.#layerPaths.set(
      image,
      document.layers.map((l) => ({ path: blobPath(l.digest!), size: sizeOf(l) })),
    );
  }
}

/** A descriptor as a layout's JSON holds it: any field may be missing. */
type LayoutDescriptor = Partial<Descriptor>;

function blobPath(digest: string): string {
  // only the algorithms the image spec registers, so that no name reaches node:crypto unchecked
  const algorithm = digestAlgorithm(digest);
  if (algorithm === undefined) throw new ArchiveError(`${JSON.stringify(digest)} is not a sha256 or sha512 digest`);
  return `blobs/${algorithm}/${digest.slice(algorithm.length + 1)}`;
}

/** The size a descriptor gives, when it gives one. */
function sizeOf(descriptor: LayoutDescriptor | undefined): number | undefined {
  return typeof descriptor?.size === 'number' ? descriptor.size : undefined;
}

/** The names an index entry gives an image (`repo:tag`), as ArchiveImage.names holds them. */
export function namesOf(descriptor: LayoutDescriptor): string[] {
  const a = descriptor?.annotations ?? {};
  const full = a['io.containerd.image.name'];
  if (full) return [full.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '')];
  const ref = a['org.opencontainers.image.ref.name'];
  // a tag alone (`v1`, as oras, umoci, crane and registry.save write one) names the image too; a
  // tag-schema one (`sha256-<hex>.sig`) names a signature, not an image
  return ref && !isTagSchema(ref) ? [ref] : [];
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function checkConfig(value: unknown, path: string): ImageConfig {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ArchiveError(`${path} is not an image config`, { entry: path });
  return value as ImageConfig;
}
