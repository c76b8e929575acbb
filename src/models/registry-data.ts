// RegistryData: what a registry says about an image (GET /distribution/{name}/json).
import type { AuthConfig } from '../credentials/auth-config.js';
import { InvalidArgument } from '../errors.js';
import type { ApiClient } from '../images/api-client.js';
import { inspectDistribution } from '../images/distribution.js';
import { splitReference } from '../images/reference.js';
import type { ProgressJob } from '../progress/job.js';
import type { DistributionInspect, Platform } from '../images/types.js';
import type { Image } from './image.js';

export type PlatformSpec = string | { os?: string; architecture?: string; variant?: string };

// GOARCH names, as the engine normalises them (containerd's platforms.Normalize)
const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', armel: 'arm', i386: '386' };

function normalize(spec: PlatformSpec, engine: { os: string; architecture: string }): { os: string; architecture: string; variant?: string } {
  let parts: { os?: string | undefined; architecture?: string | undefined; variant?: string | undefined };
  if (typeof spec === 'string') {
    const split = spec.split('/');
    if (spec === '' || split.length > 3 || split.some((p) => p === '' || /\s/.test(p))) {
      throw new InvalidArgument(`${JSON.stringify(spec)} is not a valid platform descriptor (os[/arch[/variant]])`);
    }
    parts = { os: split[0], architecture: split[1], variant: split[2] };
  } else if (spec !== null && typeof spec === 'object') {
    for (const key of ['os', 'architecture', 'variant'] as const) {
      if (spec[key] !== undefined && (typeof spec[key] !== 'string' || spec[key] === '')) {
        throw new InvalidArgument(`platform.${key} must be a non-empty string`);
      }
    }
    parts = spec;
  } else {
    throw new InvalidArgument('platform must be a string or an object');
  }
  const os = (parts.os ?? engine.os).toLowerCase();
  const rawArch = (parts.architecture ?? engine.architecture).toLowerCase();
  const architecture = ARCH_ALIASES[rawArch] ?? rawArch;
  let variant = parts.variant?.toLowerCase();
  if (architecture === 'arm64' && variant === 'v8') variant = undefined;
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/** The engine's own os and architecture: what a platform descriptor leaves out. */
export interface EnginePlatform {
  os: string;
  architecture: string;
}

export type RegistryDataPull = (repository: string, digest: string, platform: string | undefined) => ProgressJob<Image>;

export class RegistryData {
  attrs: DistributionInspect;
  /** The name this data was asked for. */
  readonly imageName: string;
  readonly #ctx: ApiClient;
  readonly #authConfig: AuthConfig | undefined;
  readonly #pull: RegistryDataPull;
  readonly #engine: EnginePlatform;

  constructor(
    ctx: ApiClient,
    imageName: string,
    attrs: DistributionInspect,
    engine: EnginePlatform,
    pull: RegistryDataPull,
    authConfig?: AuthConfig,
  ) {
    this.#ctx = ctx;
    this.imageName = imageName;
    this.attrs = attrs;
    this.#engine = engine;
    this.#pull = pull;
    this.#authConfig = authConfig;
  }

  /** The manifest digest. */
  get id(): string {
    return this.attrs.Descriptor.digest;
  }

  get shortId(): string {
    return this.id.slice(0, 17);
  }

  /**
   * Whether the registry has this image for `platform` (`os[/arch[/variant]]` or an object);
   * a missing os or architecture is the engine's own (read when this object was made). An invalid
   * descriptor is InvalidArgument.
   */
  hasPlatform(platform: PlatformSpec): boolean {
    const engine = this.#engine;
    const want = normalize(platform, engine);
    return this.attrs.Platforms.some((p: Platform) => {
      const have = normalize({ os: p.os, architecture: p.architecture, ...(p.variant ? { variant: p.variant } : {}) }, engine);
      return have.os === want.os && have.architecture === want.architecture && (want.variant === undefined || have.variant === want.variant);
    });
  }

  /** Pulls exactly this digest. */
  pull(platform?: string): ReturnType<RegistryDataPull> {
    return this.#pull(splitReference(this.imageName).repository, this.id, platform);
  }

  async reload(options: { signal?: AbortSignal } = {}): Promise<this> {
    this.attrs = await inspectDistribution(this.#ctx, this.imageName, {
      ...(this.#authConfig ? { authConfig: this.#authConfig } : {}),
      ...options,
    });
    return this;
  }
}
