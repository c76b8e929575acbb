// openImageArchive: an image archive (`docker save`'s docker-archive, or an OCI image layout),
// from a path (a tar, or a folder), bytes or a stream, and the merged filesystem of each image it holds.
import { ClientClosed, InvalidArgument } from '../errors.js';
import { checkOptions, optionNames } from '../options.js';
import { formatPlatform, parsePlatform, platformMatches, type PlatformSpec } from '../platform.js';
import { toBodySource } from '../stream/body-source.js';
import { bytesAccess, fileAccess, type OwnedAccess } from './access.js';
import { spool } from './spool.js';
import type { ExtractOptions, ExtractResult } from './extract.js';
import type { FileEntry, ImageFiles } from './files.js';
import type { ArchiveLayout } from './layout.js';
import type { ArchiveMembers } from './members.js';
import type { ArchiveAttestationsOptions } from './attestations.js';
import type { ArchiveReferrersOptions } from './referrers.js';
import type { ArchiveValidation } from './validate.js';
import type { ArchiveVerifyAttestationsOptions, ArchiveVerifyOptions } from './signatures.js';
import type { AttestationVerification, ImageVerification } from '../signatures/verify.js';
import type { Descriptor } from '../oci.js';
import type { AttestationList } from '../attestations/collect.js';
import type { RandomAccess } from '../tar/reader.js';
import type { ArchiveImage, ImageSource } from './source.js';

/** OpenImageArchiveOptions: the options of `openImageArchive`. */
export interface OpenImageArchiveOptions {
  /** A stream is kept in memory up to this many bytes, and past it written to a temporary folder (default 16 MiB). */
  memoryLimit?: number;
}

/** ImageChoice: which image of the archive: the only one, or the one with this name or digest, and of this platform. */
export interface ImageChoice {
  platform?: PlatformSpec;
  /** A name the image was saved under (`repo:tag`), or its digest. */
  image?: string;
}

const CHOICE = optionNames<ImageChoice>({ platform: true, image: true });
const EXTRACT = optionNames<ImageChoice & ExtractOptions>({ platform: true, image: true, devices: true });
const OPEN = optionNames<OpenImageArchiveOptions>({ memoryLimit: true });

/** Makes an ImageArchive (its constructor is private); not exported from the entry points. */
let makeImageArchive: (layout: ArchiveLayout) => ImageArchive;

/** The stored bytes of layer `index` of `image` in `archive` (for registry.append's base); not exported from the entry points. */
export let archiveLayer: (archive: ImageArchive, image: ArchiveImage, index: number) => Promise<RandomAccess>;

/** The layout `archive` reads (for registry.load); not exported from the entry points. */
export let archiveLayout: (archive: ImageArchive) => ArchiveLayout;

/** ImageArchive: what openImageArchive opened. close() lets go of its files, or removes its temporary folder. */
export class ImageArchive {
  /** `docker-archive` (manifest.json and `<id>/layer.tar`) or `oci` (an OCI image layout). */
  readonly format: 'docker-archive' | 'oci';
  /** The images it holds, one per platform. */
  readonly images: readonly ArchiveImage[];
  readonly #layout: ArchiveLayout;
  readonly #files = new Map<ArchiveImage, ImageFiles>();
  /** What the merged views read layers from: this archive's layout, while it is open. */
  readonly #source: ImageSource;
  #closed = false;

  static {
    makeImageArchive = (layout) => new ImageArchive(layout);
    archiveLayer = (archive, image, index) => archive.#layer(image, index);
    archiveLayout = (archive) => {
      archive.#open('layout');
      return archive.#layout;
    };
  }

  /** Made by openImageArchive. */
  private constructor(layout: ArchiveLayout) {
    this.#layout = layout;
    this.format = layout.format;
    this.images = layout.images;
    this.#source = { images: this.images, layer: async (image, index) => this.#layer(image, index) };
  }

  /** The stored bytes of a layer. */
  async #layer(image: ArchiveImage, index: number): Promise<RandomAccess> {
    this.#open('layer');
    return this.#layout.layer(image, index);
  }

  #open(where: string): void {
    if (this.#closed) throw new ClientClosed(`imageArchive.${where}: the archive is closed`);
  }

  /** The image `choice` names: the only one there is, or the one matching its name, digest and platform. */
  image(choice: ImageChoice = {}): ArchiveImage {
    return this.#choose(choice, 'image', CHOICE);
  }

  /** The image `choice` names, its options checked as `imageArchive.${where}`'s against `known`. */
  #choose(choice: ImageChoice, where: string, known: readonly string[]): ArchiveImage {
    this.#open(where);
    checkOptions(`imageArchive.${where}`, choice, known);
    let candidates = [...this.images];
    if (choice.image !== undefined) {
      const name = choice.image;
      candidates = candidates.filter(
        (i) => i.digest === name || i.names.includes(name) || i.names.includes(`${name}:latest`),
      );
    }
    if (choice.platform !== undefined) {
      const want = parsePlatform(choice.platform);
      candidates = candidates.filter((i) => i.platform !== undefined && platformMatches(i.platform, want));
    }
    if (candidates.length === 1) return candidates[0]!;
    const held = this.images
      .map((i) => `${i.names[0] ?? i.digest.slice(0, 19)} (${i.platform ? formatPlatform(i.platform) : 'no platform'})`)
      .join(', ');
    if (candidates.length === 0)
      throw new InvalidArgument(
        `imageArchive.${where}: no image in the archive matches ${JSON.stringify(choice)}; it holds ${held || 'none'}`,
      );
    throw new InvalidArgument(
      `imageArchive.${where}: the archive holds ${candidates.length} images (${held}); choose one with { image } or { platform }`,
    );
  }

  async #filesOf(choice: ImageChoice | undefined, where: string, known = CHOICE): Promise<ImageFiles> {
    const image = this.#choose(choice ?? {}, where, known);
    let files = this.#files.get(image);
    if (files === undefined) {
      const { ImageFiles } = await import('./files.js');
      files = this.#files.get(image);
      if (files === undefined) this.#files.set(image, (files = new ImageFiles(this.#source, image)));
    }
    return files;
  }

  /** The merged filesystem, path by path (parents first); each entry says its layer. */
  files(choice?: ImageChoice): AsyncIterable<FileEntry> {
    const self = this;
    return (async function* () {
      yield* (await self.#filesOf(choice, 'files')).files();
    })();
  }

  /** One file's content, symlinks followed inside the image; FileNotFound when it has none there. */
  async readFile(path: string, choice?: ImageChoice): Promise<Uint8Array> {
    if (typeof path !== 'string' || path === '')
      throw new InvalidArgument('imageArchive.readFile: path must be a non-empty string');
    return (await this.#filesOf(choice, 'readFile')).readFile(path);
  }

  /** The merged filesystem as one tar stream (`docker export` of the image). */
  export(choice?: ImageChoice): AsyncIterable<Uint8Array> {
    const self = this;
    return (async function* () {
      yield* (await self.#filesOf(choice, 'export')).export();
    })();
  }

  /** Writes the merged filesystem into `dir`, never outside it. */
  async extract(dir: string, options: ImageChoice & ExtractOptions = {}): Promise<ExtractResult> {
    if (typeof dir !== 'string' || dir === '')
      throw new InvalidArgument('imageArchive.extract: dir must be a non-empty string');
    const files = await this.#filesOf(options, 'extract', EXTRACT);
    const { extractFiles } = await import('./extract.js');
    return extractFiles(files.files(), dir, options.devices === undefined ? {} : { devices: options.devices });
  }

  /**
   * Reads every layer of the archive's images (or of the one `choice` names) whole and checks it
   * (crane validate): an OCI layout's against its digest, a docker-archive's against its config's
   * diff_id. DigestMismatch naming the layer when one is not what it says; reads at offsets
   * (files, export) check sizes only.
   */
  async validate(choice?: ImageChoice): Promise<ArchiveValidation> {
    this.#open('validate');
    const images = choice === undefined ? this.images : [this.#choose(choice, 'validate', CHOICE)];
    const { validateImages } = await import('./validate.js');
    return validateImages(images, this.format, (image, index) => this.#layer(image, index));
  }

  /** The in-toto statements of the OCI layout's indexes (BuildKit's attestation manifests), each bound to its platform's manifest; of a docker-archive, none (docs/attestations.md). */
  async attestations(options: ArchiveAttestationsOptions = {}): Promise<AttestationList> {
    this.#open('attestations');
    const { archiveAttestations } = await import('./attestations.js');
    return archiveAttestations(this.#layout, options);
  }

  /**
   * The manifests of the OCI layout whose `subject` is `subject` (signatures, SBOMs, attestations),
   * listed as the referrers API lists them: `subject` a digest, or a name index.json gives (default:
   * the layout's one image or index); of a docker-archive, none (docs/image-archive.md).
   */
  async referrers(options?: ArchiveReferrersOptions): Promise<Descriptor[]>;
  /** The referrers of `subject` (a digest, or a name index.json gives; undefined: the layout's one image or index). */
  async referrers(subject: string | undefined, options?: ArchiveReferrersOptions): Promise<Descriptor[]>;
  async referrers(
    subject?: string | ArchiveReferrersOptions,
    options: ArchiveReferrersOptions = {},
  ): Promise<Descriptor[]> {
    this.#open('referrers');
    const { archiveReferrers } = await import('./referrers.js');
    if (subject !== null && typeof subject === 'object') return archiveReferrers(this.#layout, undefined, subject);
    return archiveReferrers(this.#layout, subject, options);
  }

  /**
   * Verifies the cosign signatures the OCI layout keeps of `subject` (cosign verify --local-image):
   * the legacy ones `cosign save` writes or a `.sig` tag copied in, and Sigstore bundle referrers;
   * with a key, or keyless. `subject` as `referrers` takes it. VerificationError when none verifies.
   */
  async verify(options: ArchiveVerifyOptions): Promise<ImageVerification>;
  /** The signatures of `subject` (a digest, or a name index.json gives; undefined: the layout's one image or index). */
  async verify(subject: string | undefined, options: ArchiveVerifyOptions): Promise<ImageVerification>;
  async verify(
    subject: string | undefined | ArchiveVerifyOptions,
    options?: ArchiveVerifyOptions,
  ): Promise<ImageVerification> {
    this.#open('verify');
    const { archiveVerify } = await import('./signatures.js');
    if (subject !== null && typeof subject === 'object') return archiveVerify(this.#layout, undefined, subject);
    return archiveVerify(this.#layout, subject, options as ArchiveVerifyOptions);
  }

  /** Verifies the cosign attestations the OCI layout keeps of `subject` (cosign verify-attestation --local-image), each decoded; VerificationError when none verifies. */
  async verifyAttestations(options: ArchiveVerifyAttestationsOptions): Promise<AttestationVerification[]>;
  /** The attestations of `subject` (a digest, or a name index.json gives; undefined: the layout's one image or index). */
  async verifyAttestations(
    subject: string | undefined,
    options: ArchiveVerifyAttestationsOptions,
  ): Promise<AttestationVerification[]>;
  async verifyAttestations(
    subject: string | undefined | ArchiveVerifyAttestationsOptions,
    options?: ArchiveVerifyAttestationsOptions,
  ): Promise<AttestationVerification[]> {
    this.#open('verifyAttestations');
    const { archiveVerifyAttestations } = await import('./signatures.js');
    if (subject !== null && typeof subject === 'object')
      return archiveVerifyAttestations(this.#layout, undefined, subject);
    return archiveVerifyAttestations(this.#layout, subject, options as ArchiveVerifyAttestationsOptions);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#layout.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * openImageArchive: reads an image archive's layout (`docker save` of any engine: docker-archive,
 * or an OCI image layout) from a path, bytes, a stream (a Node Readable, a web ReadableStream, any
 * async iterable of bytes, `image.save()`). A path is a tar file, or a folder: an OCI image layout
 * as oras, skopeo, umoci, crane and BuildKit write one, or an unpacked docker-archive, read in place
 * (no `..`, no symlink out of it). A file and bytes are read at offsets; a stream is read once, in
 * memory up to `memoryLimit` and past it into a temporary folder that close() removes.
 */
export async function openImageArchive(
  source: string | Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  options: OpenImageArchiveOptions = {},
): Promise<ImageArchive> {
  checkOptions('openImageArchive', options, OPEN);
  const limit = options.memoryLimit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0))
    throw new InvalidArgument('openImageArchive: memoryLimit must be a whole number of bytes');
  let access: OwnedAccess | undefined;
  let folder: string | undefined;
  if (typeof source === 'string') {
    const cannot = (error: NodeJS.ErrnoException): never => {
      throw new InvalidArgument(`openImageArchive: cannot open ${source}: ${error.code ?? error.message}`);
    };
    const stats = await process.getBuiltinModule('node:fs/promises').stat(source).catch(cannot);
    if (stats.isDirectory()) folder = source;
    else access = await fileAccess(source).catch(cannot);
  } else {
    const body = toBodySource(source, 'openImageArchive: source');
    access = body instanceof Uint8Array ? bytesAccess(body) : await spool(body, limit);
  }
  let members: ArchiveMembers | undefined;
  try {
    // the layout's parsing, the merging and the tar reader are loaded by the first open
    const [{ ArchiveLayout }, { tarMembers }, { folderMembers }] = await Promise.all([
      import('./layout.js'),
      import('./members.js'),
      import('./folder.js'),
    ]);
    members = folder === undefined ? await tarMembers(access!) : await folderMembers(folder);
    return makeImageArchive(await ArchiveLayout.read(members));
  } catch (error) {
    await (members ?? access)?.close();
    throw error;
  }
}
