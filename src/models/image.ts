// Image: a thin object over an image's inspect data; each method is one images/* operation.
import type { Client } from '../images/api-client.js';
import { imageAttestations, type AttestationsOptions } from '../images/attestations.js';
import { HISTORY_OPTIONS, imageHistory, type HistoryOptions } from '../images/history.js';
import { inspectImage } from '../images/inspect.js';
import { checkOptions, optionNames, SIGNAL_ONLY, type Cancellable } from '../options.js';
import { SAVE_OPTIONS, saveImages, type SaveOptions } from '../images/save.js';
import { tagImage } from '../images/tag.js';
import type { AttestationStatement, HistoryEntry, ImageAttrs } from '../images/types.js';
import { InvalidArgument } from '../errors.js';
import { openImageArchive, type ImageChoice } from '../image-archive/archive.js';
import type { FileEntry } from '../image-archive/files.js';

/** ImageSaveOptions: the options of `image.save`. */
export interface ImageSaveOptions extends SaveOptions {
  /**
   * Record a name in the archive, so that a later load restores the tag: true for the first tag,
   * a string for that tag (one of this image's); otherwise the image is saved by ID.
   */
  named?: boolean | string;
}

const IMAGE_SAVE_OPTIONS = [...SAVE_OPTIONS, 'named'];
const FILES_OPTIONS = optionNames<ImageFilesOptions>({ platform: true, signal: true });

/** ImageFilesOptions: the options of `image.files`. */
export interface ImageFilesOptions extends Cancellable, Pick<ImageChoice, 'platform'> {}

/** Image: an image on the engine (docker-py's Image), its inspect data in `attrs`. */
export class Image {
  /** The engine's inspect data, field names as the engine sends them. */
  attrs: ImageAttrs;
  readonly #client: Client;

  /** An image of `client`'s engine with this inspect data (`images.get` makes them). */
  constructor(client: Client, attrs: ImageAttrs) {
    this.#client = client;
    this.attrs = attrs;
  }

  /** The image ID (`sha256:...`). */
  get id(): string {
    return this.attrs.Id;
  }

  /** `sha256:` plus the first 10 hex digits of the ID. */
  get shortId(): string {
    return this.id.startsWith('sha256:') ? this.id.slice(0, 17) : this.id.slice(0, 10);
  }

  /** The image's labels. */
  get labels(): Record<string, string> {
    return this.attrs.Config?.Labels ?? {};
  }

  /** `repo:tag` names, without the engine's `<none>:<none>` placeholder. */
  get tags(): string[] {
    return (this.attrs.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
  }

  /** The image's layers and the steps that made them; `platform`: of that platform's image (API 1.48). */
  async history(options: HistoryOptions = {}): Promise<HistoryEntry[]> {
    checkOptions('image.history', options, HISTORY_OPTIONS);
    return imageHistory(this.#client, this.id, options);
  }

  /**
   * The in-toto statements attached to this image (API 1.55, the containerd image store):
   * `platform`'s (default: the engine's), only of predicate `type` when given, each with its
   * decoded `Statement` when `statement` is true.
   */
  attestations(options: AttestationsOptions = {}): Promise<AttestationStatement[]> {
    return imageAttestations(this.#client, this.id, options);
  }

  /** Reads the inspect data from the engine again. */
  async reload(options: Cancellable = {}): Promise<this> {
    checkOptions('image.reload', options, SIGNAL_ONLY);
    this.attrs = await inspectImage(this.#client, this.id, options);
    return this;
  }

  /** Tags this image; `repository` may carry the tag (`repo:tag`). */
  async tag(repository: string, tag?: string, options: Cancellable = {}): Promise<true> {
    checkOptions('image.tag', options, SIGNAL_ONLY);
    return tagImage(this.#client, this.id, repository, tag, options);
  }

  /**
   * The image as a `docker save` tarball, streamed in chunks of at most `chunkSize`. With `named`
   * (true: the first tag; a string: that tag, which must be one of this image's) the archive
   * records the name, so a later load restores the tag; otherwise it is saved by ID. Bad input
   * is thrown by the first `next()`.
   */
  async *save(options: ImageSaveOptions = {}): AsyncIterable<Uint8Array> {
    checkOptions('image.save', options, IMAGE_SAVE_OPTIONS);
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
    yield* saveImages(this.#client, name, saveOptions);
  }

  /**
   * The image's files, its layers merged (whiteouts applied), without running it: the image is
   * saved and its archive read as a stream (spooled to a temporary folder past 16 MiB, removed
   * at the end). `platform`: that platform's files, of a multi-platform image.
   */
  files(options: ImageFilesOptions = {}): AsyncIterable<FileEntry> {
    const self = this;
    return (async function* () {
      checkOptions('image.files', options, FILES_OPTIONS);
      const archive = await openImageArchive(
        saveImages(self.#client, self.id, options.signal ? { signal: options.signal } : {}),
      );
      try {
        yield* archive.files(options.platform === undefined ? {} : { platform: options.platform });
      } finally {
        await archive.close();
      }
    })();
  }

  /** `<Image: 'name:tag', …>`, as docker-py prints one. */
  toString(): string {
    return `<Image: ${this.tags.map((t) => `'${t}'`).join(', ')}>`;
  }
}
