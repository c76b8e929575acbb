// RegistryData: what a registry says about an image (GET /distribution/{name}/json).
import type { AuthConfig } from '../credentials/auth-config.js';
import { engineHelpers, type Client, type PlatformsOf } from '../images/api-client.js';
import { inspectDistribution } from '../images/distribution.js';
import { checkOptions, SIGNAL_ONLY, type Cancellable } from '../options.js';
import { splitReference } from '../reference.js';
import type { ProgressJob } from '../progress/job.js';
import { AbortError, PlatformsUnknown } from '../errors.js';
import { parsePlatform, platformMatches, type PlatformSpec } from '../platform.js';
import type { DistributionInspect, Platform } from '../images/types.js';
import type { Image } from './image.js';

/** EnginePlatform: the engine's own os and architecture, what a platform descriptor leaves out. */
export interface EnginePlatform {
  /** `linux`, `windows`. */
  os: string;
  /** `amd64`, `arm64`. */
  architecture: string;
}

/** RegistryDataPull: how a RegistryData pulls its digest (`images.pull`, bound to its client). */
export type RegistryDataPull = (
  repository: string,
  digest: string,
  platform: PlatformSpec | undefined,
) => ProgressJob<Image>;

/** What `images.getRegistryData` makes a RegistryData of: the data, the engine's platform, and how to pull. */
export interface RegistryDataParts {
  client: Client;
  imageName: string;
  attrs: DistributionInspect;
  engine: EnginePlatform;
  pull: RegistryDataPull;
  authConfig?: AuthConfig | undefined;
}

/** Makes a RegistryData (its constructor is private); not exported from the entry points. */
export let makeRegistryData: (parts: RegistryDataParts) => RegistryData;

/** RegistryData: what a registry says about an image (docker-py's RegistryData): its digest and platforms. */
export class RegistryData {
  /** The engine's answer to GET /distribution/{name}/json, with its field names. */
  attrs: DistributionInspect;
  /** The name this data was asked for. */
  readonly imageName: string;
  readonly #client: Client;
  readonly #authConfig: AuthConfig | undefined;
  readonly #pull: RegistryDataPull;
  readonly #engine: EnginePlatform;
  readonly #platformsOf: PlatformsOf | undefined;
  /** What the registry said, when the engine sent no platforms. */
  #fromRegistry: Platform[] | undefined;
  /** Why the registry was not asked, or could not be, when the engine sent no platforms. */
  #unasked: PlatformsUnknown | undefined;

  static {
    makeRegistryData = (parts) => new RegistryData(parts);
  }

  /** Made by `images.getRegistryData`. */
  private constructor(parts: RegistryDataParts) {
    this.#client = parts.client;
    this.imageName = parts.imageName;
    this.attrs = parts.attrs;
    this.#engine = parts.engine;
    this.#pull = parts.pull;
    this.#authConfig = parts.authConfig;
    this.#platformsOf = engineHelpers(parts.client).platformsOf;
  }

  /** The manifest digest. */
  get id(): string {
    return this.attrs.Descriptor.digest;
  }

  /** `sha256:` plus the first 10 hex digits of the digest. */
  get shortId(): string {
    return this.id.slice(0, 17);
  }

  /**
   * The platforms the registry lists for this image: the engine's `Platforms`, or when it sends
   * none (null, as Docker 28's containerd store does for a single OCI image), the descriptor's own
   * `platform`, else what the registry itself said (asked when this object was made or reloaded);
   * empty when none of these could be had (then `hasPlatform` throws PlatformsUnknown).
   */
  get platforms(): Platform[] {
    const { Platforms, Descriptor } = this.attrs;
    return Platforms ?? (Descriptor.platform ? [Descriptor.platform] : (this.#fromRegistry ?? []));
  }

  /**
   * Asks the registry for the platforms when the engine sent none; resolves with this object even
   * when the registry cannot be reached from here (the engine often can when the client cannot):
   * then `hasPlatform` throws PlatformsUnknown, saying why. Rejects only when `signal` aborts.
   */
  async askRegistry(signal?: AbortSignal): Promise<this> {
    this.#fromRegistry = undefined;
    this.#unasked = undefined;
    if (this.attrs.Platforms || this.attrs.Descriptor.platform) return this;
    if (!this.#platformsOf) {
      this.#unasked = new PlatformsUnknown(
        this.imageName,
        'the engine sent none, and this client has no registry to ask',
      );
      return this;
    }
    const name = `${splitReference(this.imageName).repository}@${this.id}`;
    try {
      this.#fromRegistry = await this.#platformsOf(name, this.#authConfig, signal);
    } catch (error) {
      if (signal?.aborted || error instanceof AbortError) throw error;
      const why = error instanceof Error ? error.message : String(error);
      this.#unasked = new PlatformsUnknown(
        this.imageName,
        `the engine sent none, and the registry could not be asked: ${why}`,
        { cause: error },
      );
    }
    return this;
  }

  /**
   * Whether the registry has this image for `platform` (`os[/arch[/variant]]` or an object);
   * a missing os or architecture is the engine's own (read when this object was made). An invalid
   * descriptor is InvalidArgument; PlatformsUnknown when the engine sent no platforms and the
   * registry could not be asked (never a `false` that was not the registry's).
   */
  hasPlatform(platform: PlatformSpec): boolean {
    const given = parsePlatform(platform);
    const want = parsePlatform({
      os: given.os ?? this.#engine.os,
      architecture: given.architecture ?? this.#engine.architecture,
      ...(given.variant ? { variant: given.variant } : {}),
    });
    if (this.#unasked) throw this.#unasked;
    return this.platforms.some((p: Platform) => platformMatches(p, want));
  }

  /** Pulls exactly this digest (`platform`: that platform's image of an index). */
  pull(platform?: PlatformSpec): ProgressJob<Image> {
    return this.#pull(splitReference(this.imageName).repository, this.id, platform);
  }

  /** Asks the registry again. */
  async reload(options: Cancellable = {}): Promise<this> {
    checkOptions('registryData.reload', options, SIGNAL_ONLY);
    this.attrs = await inspectDistribution(this.#client, this.imageName, {
      ...(this.#authConfig ? { authConfig: this.#authConfig } : {}),
      signal: options.signal,
    });
    return this.askRegistry(options.signal);
  }
}
