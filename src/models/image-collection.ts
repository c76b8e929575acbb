// docker.images: docker-py's ImageCollection. Each method is an images/* operation whose raw
// result is shaped into Image / RegistryData objects.
import { ImageNotFound } from '../errors.js';
import type { Client } from '../images/api-client.js';
import {
  buildImage,
  BUILD_OPTIONS,
  type BuildKitOptions,
  type BuildOptions,
  type BuildOutput,
} from '../images/build.js';
import {
  pruneBuilds,
  PRUNE_BUILDS_OPTIONS,
  type PruneBuildsOptions,
  type PruneBuildsResult,
} from '../images/prune-builds.js';
import type { BuildKitEvent } from '../buildkit/status.js';
import { DISTRIBUTION_OPTIONS, inspectDistribution, type DistributionOptions } from '../images/distribution.js';
import { EnsureFlights, ensureImage, type EnsureOptions } from '../images/ensure.js';
import { inspectImage, INSPECT_OPTIONS, type InspectOptions } from '../images/inspect.js';
import { listImages, LIST_OPTIONS, type ListOptions } from '../images/list.js';
import { loadImages, LOAD_OPTIONS, type LoadOptions } from '../images/load.js';
import { checkOptions } from '../options.js';
import type { PlatformSpec } from '../platform.js';
import type { ProgressJob } from '../progress/job.js';
import { pruneImages, PRUNE_OPTIONS, type PruneOptions, type PruneResult } from '../images/prune.js';
import { startPull, type PullOptions } from '../images/pull.js';
import { pushImage, PUSH_OPTIONS, type PushOptions, type PushResult } from '../images/push.js';
import { joinReference, parseReference } from '../reference.js';
import { removeImage, REMOVE_OPTIONS, type RemoveOptions } from '../images/remove.js';
import { searchImages, SEARCH_OPTIONS, type SearchOptions } from '../images/search.js';
import type { DeleteResponseItem, SearchResult } from '../images/types.js';
import type { BinarySource } from '../stream/body-source.js';
import { Job, mapJob } from '../job.js';
import type { ProgressEvent } from '../progress/events.js';
import { Image } from './image.js';
import { makeRegistryData, type RegistryData } from './registry-data.js';

/** BuildResult: what `images.build` resolves to, the built image and the build's log. */
export interface BuildResult<E = ProgressEvent> {
  /** The built image. */
  image: Image;
  /** Every event of the build, in order. */
  log: E[];
}

/** ImageCollection: the engine's images (docker-py's `client.images`), reached as `docker.images`. */
export class ImageCollection {
  readonly #client: Client;

  readonly #flights = new EnsureFlights();

  /** The images of `client`'s engine (`docker.images` is one). */
  constructor(client: Client) {
    this.#client = client;
  }

  /**
   * An image by name or ID; ImageNotFound when the engine has none. `platform`: that platform's
   * image of a multi-platform one (API 1.49); `manifests`: fill `attrs.Manifests` (API 1.48).
   */
  async get(name: string, options: InspectOptions = {}): Promise<Image> {
    checkOptions('images.get', options, INSPECT_OPTIONS);
    return new Image(this.#client, await inspectImage(this.#client, name, options));
  }

  /**
   * Images on the engine, with full inspect data (as docker-py returns), fetched concurrently
   * over the connection pool rather than one after another. An image removed between the list
   * and its inspect is left out. With `manifests` (API 1.47), each image's `attrs.Manifests` is
   * the list's.
   */
  async list(options: ListOptions = {}): Promise<Image[]> {
    checkOptions('images.list', options, LIST_OPTIONS);
    const summaries = await listImages(this.#client, options);
    const images = await Promise.all(
      summaries.map((s) =>
        this.get(s.Id, { signal: options.signal }).then(
          (image) => {
            if (options.manifests) image.attrs.Manifests = s.Manifests ?? [];
            return image;
          },
          (error: unknown) => {
            if (error instanceof ImageNotFound) return undefined;
            throw error;
          },
        ),
      ),
    );
    return images.filter((i): i is Image => i !== undefined);
  }

  /**
   * Pulls `repository` (a tag or digest may come inside it, or as `tag`; `latest` when neither).
   * Resolves to the image; with `allTags: true`, pulls every tag and resolves to all of the
   * repository's images.
   */
  pull(repository: string, options: PullOptions & { allTags: true }): ProgressJob<Image[]>;
  pull(repository: string, options?: PullOptions & { allTags?: false | undefined }): ProgressJob<Image>;
  pull(repository: string, options: PullOptions): ProgressJob<Image | Image[]>;
  pull(repository: string, options: PullOptions = {}): ProgressJob<Image | Image[]> {
    return startPull(
      this.#client,
      repository,
      options,
      'images.pull',
      async (target, _log, signal): Promise<Image | Image[]> => {
        if (target.tag === undefined) return this.list({ name: target.repository, signal });
        return this.get(joinReference(target.repository, target.tag), { signal });
      },
    );
  }

  /** Pushes a repository (or one tag of it); rejects when the registry refuses. */
  push(repository: string, options: PushOptions = {}): ProgressJob<PushResult> {
    return pushImage(this.#client, repository, options);
  }

  /** Removes an image: what was untagged and deleted. */
  async remove(image: string, options: RemoveOptions = {}): Promise<DeleteResponseItem[]> {
    checkOptions('images.remove', options, REMOVE_OPTIONS);
    return removeImage(this.#client, image, options);
  }

  /** Removes unused images (dangling ones, unless `filters.dangling` is false): what went, and the bytes freed. */
  async prune(options: PruneOptions = {}): Promise<PruneResult> {
    checkOptions('images.prune', options, PRUNE_OPTIONS);
    return pruneImages(this.#client, options);
  }

  /** Searches a registry (Docker Hub for a bare term, or the registry the term names). */
  async search(term: string, options: SearchOptions = {}): Promise<SearchResult[]> {
    checkOptions('images.search', options, SEARCH_OPTIONS);
    return searchImages(this.#client, term, options);
  }

  /**
   * Loads a `docker save` tarball, streamed: its bytes, a stream of them, or the path of a file
   * holding it (read through one reused buffer when the transport allows: see
   * Transport.releasesChunks); resolves to the loaded images.
   */
  load(data: BinarySource | string, options: LoadOptions = {}): Job<Image[], ProgressEvent> {
    return this.#checked('images.load', options, LOAD_OPTIONS, () =>
      mapJob(loadImages(this.#client, data, options), ({ loaded }, signal) =>
        Promise.all(loaded.map((name) => this.get(name, { signal }))),
      ),
    );
  }

  /**
   * Builds an image from `path` (a folder) or `fileobj` (a Dockerfile, or with `customContext` a
   * tar context), streaming the context as it is packed. Resolves to the image and the build log;
   * a failing step rejects with BuildError. Neither path nor fileobj is InvalidArgument.
   */
  build(options: BuildKitOptions): Job<BuildResult<BuildKitEvent>, BuildKitEvent>;
  build(options: BuildOptions): Job<BuildResult, ProgressEvent>;
  build(options: BuildOptions): Job<BuildResult<ProgressEvent | BuildKitEvent>, ProgressEvent | BuildKitEvent> {
    return this.#checked('images.build', options, BUILD_OPTIONS, () => {
      const inner = buildImage(this.#client, options) as Job<
        BuildOutput<ProgressEvent | BuildKitEvent>,
        ProgressEvent | BuildKitEvent
      >;
      return mapJob(inner, async ({ imageId, log }, signal) => ({ image: await this.get(imageId, { signal }), log }));
    });
  }

  /** Removes build cache (docker-py's prune_builds). */
  async pruneBuilds(options: PruneBuildsOptions = {}): Promise<PruneBuildsResult> {
    checkOptions('images.pruneBuilds', options, PRUNE_BUILDS_OPTIONS);
    return pruneBuilds(this.#client, options);
  }

  /**
   * Makes sure `name` is here, pulling only as `pull` says (`missing` by default, `always`,
   * `never`, or `{ maxAge }` in ms), for `platform` when given (a present image of another
   * platform counts as missing), retrying a rate-limited or transiently failed pull (`retries`,
   * default 3). Concurrent calls for the same name, platform and policy share one inspect and
   * at most one pull; each gets its own Image. A ProgressJob: the shared pull's events, `totals`
   * and `tries`.
   */
  ensure(name: string, options: EnsureOptions = {}): ProgressJob<Image> {
    return ensureImage(
      this.#client,
      this.#flights,
      name,
      options,
      (attrs, shared) => new Image(this.#client, shared ? structuredClone(attrs) : attrs),
    );
  }

  /** What the registry says about an image: its digest and platforms. */
  async getRegistryData(name: string, options: DistributionOptions = {}): Promise<RegistryData> {
    checkOptions('images.getRegistryData', options, DISTRIBUTION_OPTIONS);
    parseReference(name, 'name'); // bad input is refused before either request starts
    // both at once, but neither left in flight when the other fails
    const [distribution, engineVersion] = await Promise.allSettled([
      inspectDistribution(this.#client, name, options),
      this.#client.api.version({ signal: options.signal }),
    ]);
    if (distribution.status === 'rejected') throw distribution.reason;
    if (engineVersion.status === 'rejected') throw engineVersion.reason;
    const [attrs, version] = [distribution.value, engineVersion.value];
    const pull = (repository: string, digest: string, platform: PlatformSpec | undefined): ProgressJob<Image> =>
      this.pull(repository, {
        tag: digest,
        ...(platform !== undefined ? { platform } : {}),
        ...(options.authConfig ? { authConfig: options.authConfig } : {}),
      });
    const data = makeRegistryData({
      client: this.#client,
      imageName: name,
      attrs,
      engine: { os: version.Os, architecture: version.Arch },
      pull,
      authConfig: options.authConfig,
    });
    return data.askRegistry(options.signal);
  }

  /** `start()`'s Job when `options` has only `known` names; else a Job that rejects, naming the call. */
  #checked<J>(where: string, options: unknown, known: readonly string[], start: () => J): J {
    try {
      checkOptions(where, options, known);
    } catch (error) {
      return new Job(() => Promise.reject(error)) as J;
    }
    return start();
  }
}
