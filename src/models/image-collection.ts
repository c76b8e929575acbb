// docker.images: docker-py's ImageCollection. Each method is an images/* operation whose raw
// result is shaped into Image / RegistryData objects.
import type { AuthConfig } from '../credentials/auth-config.js';
import { ImageNotFound } from '../errors.js';
import type { ApiClient } from '../images/api-client.js';
import { buildImage, type BuildKitOptions, type BuildOptions, type BuildOutput } from '../images/build.js';
import { pruneBuilds, type PruneBuildsOptions, type PruneBuildsResult } from '../images/prune-builds.js';
import type { BuildKitEvent } from '../buildkit/status.js';
import { inspectDistribution } from '../images/distribution.js';
import type { Filters } from '../images/filters.js';
import { EnsureFlights, ensureImage, type EnsureOptions } from '../images/ensure.js';
import { inspectImage, type InspectOptions } from '../images/inspect.js';
import { listImages, type ListOptions } from '../images/list.js';
import { loadImages, type LoadOptions } from '../images/load.js';
import type { PlatformSpec } from '../platform.js';
import type { ProgressJob } from '../progress/job.js';
import { pruneImages, type PruneResult } from '../images/prune.js';
import { pullTarget, startPull, type PullOptions } from '../images/pull.js';
import { pushImage, type PushOptions, type PushResult } from '../images/push.js';
import { joinReference, parseReference } from '../reference.js';
import { removeImage, type RemoveOptions } from '../images/remove.js';
import { searchImages, type SearchOptions } from '../images/search.js';
import type { DeleteResponseItem, SearchResult } from '../images/types.js';
import type { BinarySource } from '../stream/body-source.js';
import { mapJob, type Job } from '../job.js';
import type { ProgressEvent } from '../progress/events.js';
import { Image } from './image.js';
import { RegistryData, type PlatformsOf } from './registry-data.js';
import { versionAnswer } from '../images/shapes.js';

export class ImageCollection {
  readonly #ctx: ApiClient;

  readonly #flights = new EnsureFlights();

  readonly #platformsOf: PlatformsOf | undefined;

  /** `platformsOf` asks the registry itself for an image's platforms, when the engine sends none. */
  constructor(ctx: ApiClient, platformsOf?: PlatformsOf) {
    this.#ctx = ctx;
    this.#platformsOf = platformsOf;
  }

  /**
   * An image by name or ID; ImageNotFound when the engine has none. `platform`: that platform's
   * image of a multi-platform one (API 1.49); `manifests`: fill `attrs.Manifests` (API 1.48).
   */
  async get(name: string, options: InspectOptions = {}): Promise<Image> {
    return new Image(this.#ctx, await inspectImage(this.#ctx, name, options));
  }

  /**
   * Images on the engine, with full inspect data (as docker-py returns), fetched concurrently
   * over the connection pool rather than one after another. An image removed between the list
   * and its inspect is left out. With `manifests` (API 1.47), each image's `attrs.Manifests` is
   * the list's.
   */
  async list(options: ListOptions = {}): Promise<Image[]> {
    const summaries = await listImages(this.#ctx, options);
    const images = await Promise.all(
      summaries.map((s) =>
        this.get(s.Id, options.signal ? { signal: options.signal } : {}).then(
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
   * With `allTags`, pulls every tag and resolves to all of the repository's images.
   */
  pull(repository: string, options: PullOptions & { allTags: true }): ProgressJob<Image[]>;
  pull(repository: string, options?: PullOptions): ProgressJob<Image>;
  pull(repository: string, options: PullOptions = {}): ProgressJob<Image | Image[]> {
    const target = pullTarget(repository, options);
    return startPull(this.#ctx, target, options, async (_log, signal): Promise<Image | Image[]> => {
      if (target.tag === undefined) return this.list({ name: target.repository, signal });
      return this.get(joinReference(target.repository, target.tag), { signal });
    });
  }

  /** Pushes a repository (or one tag of it); rejects when the registry refuses. */
  push(repository: string, options: PushOptions = {}): ProgressJob<PushResult> {
    return pushImage(this.#ctx, repository, options);
  }

  /** Removes an image: what was untagged and deleted. */
  remove(image: string, options: RemoveOptions = {}): Promise<DeleteResponseItem[]> {
    return removeImage(this.#ctx, image, options);
  }

  prune(options: { filters?: Filters; signal?: AbortSignal } = {}): Promise<PruneResult> {
    return pruneImages(this.#ctx, options);
  }

  search(term: string, options: SearchOptions = {}): Promise<SearchResult[]> {
    return searchImages(this.#ctx, term, options);
  }

  /**
   * Loads a `docker save` tarball, streamed: its bytes, a stream of them, or the path of a file
   * holding it (read through one reused buffer when the transport allows: see
   * Transport.releasesChunks); resolves to the loaded images.
   */
  load(data: BinarySource | string, options: LoadOptions = {}): Job<Image[], ProgressEvent> {
    return mapJob(loadImages(this.#ctx, data, options), ({ loaded }, signal) =>
      Promise.all(loaded.map((name) => this.get(name, { signal }))),
    );
  }

  /**
   * Builds an image from `path` (a folder) or `fileobj` (a Dockerfile, or with `customContext` a
   * tar context), streaming the context as it is packed. Resolves to the image and the build log;
   * a failing step rejects with BuildError. Neither path nor fileobj is a TypeError, as in docker-py.
   */
  build(options: BuildKitOptions): Job<{ image: Image; logs: BuildKitEvent[] }, BuildKitEvent>;
  build(options: BuildOptions): Job<{ image: Image; logs: ProgressEvent[] }, ProgressEvent>;
  build(options: BuildOptions): Job<{ image: Image; logs: Array<ProgressEvent | BuildKitEvent> }, ProgressEvent | BuildKitEvent> {
    const inner = buildImage(this.#ctx, options) as Job<BuildOutput<ProgressEvent | BuildKitEvent>, ProgressEvent | BuildKitEvent>;
    return mapJob(inner, async ({ imageId, logs }, signal) => ({ image: await this.get(imageId, { signal }), logs }));
  }

  /** Removes build cache (docker-py's prune_builds). */
  pruneBuilds(options: PruneBuildsOptions = {}): Promise<PruneBuildsResult> {
    return pruneBuilds(this.#ctx, options);
  }

  /**
   * Makes sure `name` is here, pulling only as `pull` says (`missing` by default, `always`,
   * `never`, or `{ maxAge }` in ms), for `platform` when given (a present image of another
   * platform counts as missing), retrying a rate-limited or transiently failed pull (`retries`,
   * default 3). Concurrent calls for the same name, platform and policy share one inspect and
   * at most one pull; each gets its own Image. A Job: the shared pull's events, and `totals`.
   */
  ensure(name: string, options: EnsureOptions = {}): ProgressJob<Image> {
    return ensureImage(this.#ctx, this.#flights, name, options, (attrs, shared) => new Image(this.#ctx, shared ? structuredClone(attrs) : attrs));
  }

  /** What the registry says about an image: its digest and platforms. */
  async getRegistryData(name: string, options: { authConfig?: AuthConfig; signal?: AbortSignal } = {}): Promise<RegistryData> {
    parseReference(name, 'name'); // bad input is refused before either request starts
    // both at once, but neither left in flight when the other fails
    const [distribution, engineVersion] = await Promise.allSettled([
      inspectDistribution(this.#ctx, name, options),
      this.#ctx.api.json('GET', '/version', { shape: versionAnswer, ...(options.signal ? { signal: options.signal } : {}) }),
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
    const data = new RegistryData(this.#ctx, name, attrs, { os: version.Os, architecture: version.Arch }, pull, options.authConfig, this.#platformsOf);
    return data.askRegistry(options.signal);
  }
}
