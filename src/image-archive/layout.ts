// The two layouts `docker save` writes. docker-archive (Docker before 25): manifest.json lists each
// image's config file and its layers' `<id>/layer.tar` paths (a layer saved twice is a symlink to
// the first). OCI image layout (Docker 25 and later, and the containerd image store): index.json,
// oci-layout and blobs/<alg>/<hex>, where indexes lead to platform manifests, manifests to configs
// and layers; Docker writes a manifest.json beside it, read here only for the names.
import { posix } from 'node:path';
import { digestAlgorithm, digestOf, verifyBytes } from '../digest.js';
import { ArchiveError } from '../errors.js';
import { readTar, type RandomAccess } from '../tar/reader.js';
import { sliceAccess } from './access.js';
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

interface Member {
  offset: number;
  size: number;
  linkTo?: string;
}

/** The largest JSON file (manifest, index, config) read from an archive. */
const MAX_JSON = 16 * 1024 * 1024;

const INDEX_TYPES = new Set<string>([OCI_INDEX, DOCKER_LIST]);
const IMAGE_MANIFEST_TYPES = new Set<string>([OCI_MANIFEST, DOCKER_MANIFEST]);
const IMAGE_CONFIG_TYPES = new Set<string>([OCI_CONFIG, DOCKER_CONFIG]);

/** cosign save's kinds of index.json entry that hold its legacy signatures and attestations, not the image. */
const COSIGN_LEGACY_KINDS = new Set(['dev.cosignproject.cosign/sigs', 'dev.cosignproject.cosign/atts']);

/** isCosignLegacy: true for an index.json entry of cosign save's legacy signatures or attestations. */
export function isCosignLegacy(descriptor: LayoutDescriptor): boolean {
  return COSIGN_LEGACY_KINDS.has(descriptor?.annotations?.['kind'] ?? '');
}

/** An archive's members by name, and the images its layout describes. */
export class ArchiveLayout {
  readonly images: ArchiveImage[] = [];
  /** `docker-archive` or `oci` */
  format: 'docker-archive' | 'oci' = 'docker-archive';
  readonly #access: RandomAccess;
  readonly #members = new Map<string, Member>();
  readonly #layerPaths = new Map<ArchiveImage, string[]>();
  /** The OCI layout's images by their manifest's digest. */
  readonly #imagesByDigest = new Map<string, ArchiveImage>();

  private constructor(access: RandomAccess) {
    this.#access = access;
  }

  static async read(access: RandomAccess): Promise<ArchiveLayout> {
    const layout = new ArchiveLayout(access);
    for await (const entry of readTar(access)) {
      const name = memberName(entry.name);
      if (entry.type === 'file') layout.#members.set(name, { offset: entry.offset, size: entry.size });
      else if (entry.type === 'symlink' && entry.linkname !== undefined)
        layout.#members.set(name, {
          offset: 0,
          size: 0,
          linkTo: memberName(posix.join(posix.dirname(name), entry.linkname)),
        });
      else if (entry.type === 'hardlink' && entry.linkname !== undefined)
        layout.#members.set(name, { offset: 0, size: 0, linkTo: memberName(entry.linkname) });
    }
    if (layout.#members.has('index.json') && layout.#members.has('oci-layout')) {
      layout.format = 'oci';
      await layout.#readOci();
    } else if (layout.#members.has('manifest.json')) {
      await layout.#readDockerArchive();
    } else {
      throw new ArchiveError(
        'not an image archive: it has neither an OCI layout (index.json, oci-layout) nor a docker-archive manifest.json',
      );
    }
    return layout;
  }

  /** The stored bytes of one of `image`'s layers. */
  layer(image: ArchiveImage, index: number): RandomAccess {
    const path = this.#layerPaths.get(image)?.[index];
    if (path === undefined) throw new ArchiveError(`the image has no layer ${index}`);
    const member = this.#member(path);
    if (member === undefined)
      throw new ArchiveError(`the archive lacks ${path}, layer ${index} of ${image.digest}`, { entry: path });
    return sliceAccess(this.#access, member.offset, member.size);
  }

  /** A blob of the OCI layout (`blobs/<alg>/<hex>`), its digest checked; undefined when the layout does not hold it. */
  ociBlob(digest: string): Promise<Uint8Array | undefined> {
    return this.#blob(digest);
  }

  /** The OCI layout's index.json, parsed (ArchiveError when there is none). */
  ociIndex(): Promise<unknown> {
    return this.#json('index.json');
  }

  #member(name: string): Member | undefined {
    let member = this.#members.get(name);
    for (let hops = 0; member?.linkTo !== undefined && hops < 8; hops++) member = this.#members.get(member.linkTo);
    return member?.linkTo === undefined ? member : undefined;
  }

  async #bytes(name: string): Promise<Uint8Array | undefined> {
    const member = this.#member(name);
    if (member === undefined) return undefined;
    if (member.size > MAX_JSON)
      throw new ArchiveError(
        `${name} is ${member.size} bytes, more than a manifest or config can be here (${MAX_JSON})`,
        { entry: name },
      );
    return this.#access.read(member.offset, member.size);
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

  /** A blob of the OCI layout, its digest checked; undefined when the layout does not hold it. */
  async #blob(digest: string): Promise<Uint8Array | undefined> {
    const path = blobPath(digest);
    const bytes = await this.#bytes(path);
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
      const configBytes = await this.#bytes(memberName(configPath));
      if (configBytes === undefined) throw new ArchiveError(`the archive lacks ${configPath}`, { entry: configPath });
      const config = checkConfig(await this.#json(configPath, configBytes), configPath);
      const diffIds = config.rootfs?.diff_ids ?? [];
      const image: ArchiveImage = {
        names: stringList(item['RepoTags']),
        digest: digestOf(configBytes),
        platform: platformOf(config),
        config,
        layers: (layers as string[]).map((path, i) => {
          const member = this.#member(memberName(path));
          const diffId = diffIds[i];
          const descriptor: LayerDescriptor = {
            digest: diffId ?? '',
            mediaType: DOCKER_LAYER,
            size: member?.size ?? 0,
          };
          if (diffId !== undefined) descriptor.diffId = diffId;
          return descriptor;
        }),
      };
      this.images.push(image);
      this.#layerPaths.set(image, (layers as string[]).map(memberName));
    }
  }

  async #readOci(): Promise<void> {
    const index = (await this.#json('index.json')) as { manifests?: unknown };
    if (!Array.isArray(index.manifests)) throw new ArchiveError('index.json has no manifests', { entry: 'index.json' });
    // Docker's manifest.json beside the layout: the names each config was saved under
    const namesByConfig = new Map<string, string[]>();
    if (this.#members.has('manifest.json')) {
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
    const bytes = await this.#blob(descriptor.digest);
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
    const configBytes = await this.#blob(document.config.digest);
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
      image.layers.map((l) => blobPath(l.digest)),
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

/** A member's name as looked up: no leading './' or '/'. */
function memberName(name: string): string {
  return posix
    .normalize(name)
    .replace(/^(\.\/|\/)+/, '')
    .replace(/\/$/, '');
}

/** The names an index entry gives an image (`repo:tag`), as ArchiveImage.names holds them. */
export function namesOf(descriptor: LayoutDescriptor): string[] {
  const a = descriptor?.annotations ?? {};
  const full = a['io.containerd.image.name'];
  if (full) return [full.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '')];
  const ref = a['org.opencontainers.image.ref.name'];
  return ref && ref.includes(':') ? [ref] : [];
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function checkConfig(value: unknown, path: string): ImageConfig {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ArchiveError(`${path} is not an image config`, { entry: path });
  return value as ImageConfig;
}
