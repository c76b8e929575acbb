// A platform, taken in one shape everywhere (`'os[/arch[/variant]]'` or `{ os, architecture,
// variant }`), and encoded as each endpoint wants it: `os/arch[/variant]` for pull and build, a
// JSON OCI platform for push, history, save, load, inspect and remove.
import { InvalidArgument } from './errors.js';

/** Platform: an OCI platform, as engines and registries send it. */
export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
  features?: string[];
}

/** PlatformSpec: a platform as calls take one, `'os[/arch[/variant]]'` or `{ os, architecture, variant }`. */
export type PlatformSpec = string | { os?: string; architecture?: string; variant?: string };

/** The parts of a platform, checked and normalised; any may be missing. */
export interface PlatformParts {
  os?: string;
  architecture?: string;
  variant?: string;
}

// GOARCH names, as the engine normalises them (containerd's platforms.Normalize)
const ARCH_ALIASES: Record<string, string> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  aarch64: 'arm64',
  armhf: 'arm',
  armel: 'arm',
  i386: '386',
};

/** formatPlatform: `os/arch[/variant]`, the parts that are there. */
export function formatPlatform(platform: PlatformParts): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** The parts of `spec`; anything else than `os[/arch[/variant]]` or such an object is InvalidArgument naming `what`. */
export function parsePlatform(spec: unknown, what = 'platform'): PlatformParts {
  let parts: PlatformParts;
  if (typeof spec === 'string') {
    const split = spec.split('/');
    if (spec === '' || split.length > 3 || split.some((p) => p === '' || /\s/.test(p))) {
      throw new InvalidArgument(`${what} ${JSON.stringify(spec)} is not a valid platform (os[/arch[/variant]])`);
    }
    parts = {};
    if (split[0] !== undefined) parts.os = split[0];
    if (split[1] !== undefined) parts.architecture = split[1];
    if (split[2] !== undefined) parts.variant = split[2];
  } else if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
    const given = spec as Record<string, unknown>;
    parts = {};
    for (const key of ['os', 'architecture', 'variant'] as const) {
      const value = given[key];
      if (value === undefined) continue;
      if (typeof value !== 'string' || value === '' || /\s/.test(value))
        throw new InvalidArgument(`${what}.${key} must be a non-empty string without spaces`);
      parts[key] = value;
    }
    if (parts.os === undefined && parts.architecture === undefined)
      throw new InvalidArgument(`${what} needs an os or an architecture`);
  } else {
    throw new InvalidArgument(
      `${what} must be a string (os[/arch[/variant]]) or an object { os, architecture, variant }`,
    );
  }
  return normalize(parts);
}

function normalize(parts: PlatformParts): PlatformParts {
  const out: PlatformParts = {};
  if (parts.os !== undefined) out.os = parts.os.toLowerCase();
  if (parts.architecture !== undefined) {
    const arch = parts.architecture.toLowerCase();
    out.architecture = ARCH_ALIASES[arch] ?? arch;
  }
  const variant = parts.variant?.toLowerCase();
  if (variant !== undefined && !(out.architecture === 'arm64' && variant === 'v8')) out.variant = variant;
  return out;
}

/** `os/arch[/variant]`, as pull and build take a platform. */
export function platformPath(spec: unknown, what = 'platform'): string {
  const { os, architecture, variant } = parsePlatform(spec, what);
  if (os === undefined) throw new InvalidArgument(`${what} needs an os (os[/arch[/variant]])`);
  return [os, architecture, variant].filter((p) => p !== undefined).join('/');
}

/** The JSON OCI platform, as push, history, save, load, inspect and remove take one; it needs both os and architecture. */
export function platformJson(spec: unknown, what = 'platform'): string {
  return JSON.stringify(ociPlatform(spec, what));
}

/** `spec` as an OCI platform object (os and architecture required, as the engine requires them). */
export function ociPlatform(spec: unknown, what = 'platform'): Platform {
  const { os, architecture, variant } = parsePlatform(spec, what);
  if (os === undefined || architecture === undefined)
    throw new InvalidArgument(`${what} needs both an os and an architecture (os/arch[/variant])`);
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/** True when `have` is the platform `want` asks for (a variant left out matches any). */
export function platformMatches(have: PlatformParts, want: PlatformParts): boolean {
  const h = normalize(have);
  return (
    h.os === want.os &&
    h.architecture === want.architecture &&
    (want.variant === undefined || h.variant === want.variant)
  );
}
