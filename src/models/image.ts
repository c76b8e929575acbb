// Image: a thin object over an image's inspect data; each method is one images/* operation.
import type { ApiClient } from '../images/api-client.js';
import { imageAttestations, type AttestationsOptions } from '../images/attestations.js';
import { imageHistory } from '../images/history.js';
import { inspectImage } from '../images/inspect.js';
import type { PlatformSpec } from '../platform.js';
import { saveImages, type SaveOptions } from '../images/save.js';
import { tagImage } from '../images/tag.js';
import type { AttestationStatement, HistoryEntry, ImageAttrs } from '../images/types.js';
import { InvalidArgument } from '../errors.js';
import { openImageArchive, type ImageChoice } from '../image-archive/archive.js';
import type { FileEntry } from '../image-archive/files.js';
import { checkOptions } from '../options.js';

export class Image {
  /** The engine's inspect data, field names as the engine sends them. */
  attrs: ImageAttrs;
  readonly #ctx: ApiClient;

  constructor(ctx: ApiClient, attrs: ImageAttrs) {
    this.#ctx = ctx;
    this.attrs = attrs;
  }

  get id(): string {
    return this.attrs.Id;
  }

  /** `sha256:` plus the first 10 hex digits of the ID. */
  get shortId(): string {
    return this.id.startsWith('sha256:') ? this.id.slice(0, 17) : this.id.slice(0, 10);
  }

  get labels(): Record<string, string> {
    return this.attrs.Config?.Labels ?? {};
  }

  /** `repo:tag` names, without the engine's `<none>:<none>` placeholder. */
  get tags(): string[] {
    return (this.attrs.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
  }

  /** The image's layers and the steps that made them; `platform`: of that platform's image (API 1.48). */
  history(options: { platform?: PlatformSpec; signal?: AbortSignal } = {}): Promise<HistoryEntry[]> {
    return imageHistory(this.#ctx, this.id, options);
  }

  /**
   * The in-toto statements attached to this image (API 1.55, the containerd image store):
   * `platform`'s (default: the engine's), only of predicate `type` when given, each with its
   * decoded `Statement` when `statement` is true.
   */
  attestations(options: AttestationsOptions = {}): Promise<AttestationStatement[]> {
    return imageAttestations(this.#ctx, this.id, options);
  }

  /** Reads the inspect data from the engine again. */
  async reload(options: { signal?: AbortSignal } = {}): Promise<this> {
    this.attrs = await inspectImage(this.#ctx, this.id, options);
    return this;
  }

  /** Tags this image; `repository` may carry the tag (`repo:tag`). */
  tag(repository: string, tag?: string, options: { signal?: AbortSignal } = {}): Promise<true> {
    return tagImage(this.#ctx, this.id, repository, tag, options);
  }

  /**
   * The image as a `docker save` tarball, streamed in chunks of at most `chunkSize`. With `named`
   * (true: the first tag; a string: that tag, which must be one of this image's) the archive
   * records the name, so a later load restores the tag; otherwise it is saved by ID.
   */
  save(options: SaveOptions & { named?: boolean | string } = {}): AsyncIterable<Uint8Array> {
    let name = this.id;
    if (options.named === true) {
      name = this.tags[0] ?? this.id;
    } else if (typeof options.named === 'string') {
      if (!this.tags.includes(options.named)) {
        throw new InvalidArgument(`${JSON.stringify(options.named)} is not one of this image's tags`);
      }
      name = options.named;
    }
    const { named: _named, ...saveOptions } = options;
    return saveImages(this.#ctx, name, saveOptions);
  }

  /**
   * The image's files, its layers merged (whiteouts applied), without running it: the image is
   * saved and its archive read as a stream (spooled to a temporary folder past 16 MiB, removed
   * at the end). `platform`: that platform's files, of a multi-platform image.
   */
  files(options: Pick<ImageChoice, 'platform'> & { signal?: AbortSignal } = {}): AsyncIterable<FileEntry> {
    const self = this;
    return (async function* () {
      checkOptions('image.files', options, ['platform', 'signal']);
      const archive = await openImageArchive(saveImages(self.#ctx, self.id, options.signal ? { signal: options.signal } : {}));
      try {
        yield* archive.files(options.platform === undefined ? {} : { platform: options.platform });
      } finally {
        await archive.close();
      }
    })();
  }

  toString(): string {
    return `<Image: ${this.tags.map((t) => `'${t}'`).join(', ')}>`;
  }
}
