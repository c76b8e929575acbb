// The credentials the engine accepts for a registry, and how they travel: X-Registry-Auth is the
// URL-safe base64 (with padding, as Go's base64.URLEncoding decodes it) of their JSON.

/** AuthConfig: credentials for a registry, with the engine's field names (they travel as its JSON). */
export interface AuthConfig {
  /** The registry user. */
  username?: string;
  /** Its password or access token. */
  password?: string;
  /** An email address, for registries that still ask for one. */
  email?: string;
  /** The registry (`host[:port]`, or Docker Hub's `https://index.docker.io/v1/`). */
  serveraddress?: string;
  /** An OAuth refresh token, used instead of username/password. */
  identitytoken?: string;
  /** A bearer token for the registry, used as it is. */
  registrytoken?: string;
}

/** The config.json key docker uses for Docker Hub. */
export const INDEX_SERVER = 'https://index.docker.io/v1/';

/** The X-Registry-Auth value for `auth` (`{}`, anonymous, when there is none). */
export function encodeAuthHeader(auth: AuthConfig | undefined): string {
  return base64UrlJson(auth ?? {});
}

/** The URL-safe base64 (padded) of `value`'s JSON: how X-Registry-Auth and X-Registry-Config travel. */
export function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** A registry's host[:port] from a config key or server address (`https://host/v1/` -> `host`). */
export function registryHostname(key: string): string {
  const stripped = key.replace(/^[a-z]+:\/\//i, '');
  const host = stripped.split('/')[0] ?? stripped;
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}

/** The server address to hand to a credential helper or /auth for a registry host. */
export function serverAddressOf(registry: string): string {
  return registry === 'docker.io' ? INDEX_SERVER : registry;
}
