// The credentials the engine accepts for a registry, and how they travel: X-Registry-Auth is the
// URL-safe base64 (with padding, as Go's base64.URLEncoding decodes it) of their JSON.

export interface AuthConfig {
  username?: string;
  password?: string;
  email?: string;
  serveraddress?: string;
  /** An OAuth refresh token, used instead of username/password. */
  identitytoken?: string;
  registrytoken?: string;
}

/** The config.json key docker uses for Docker Hub. */
export const INDEX_SERVER = 'https://index.docker.io/v1/';

export function encodeAuthHeader(auth: AuthConfig | undefined): string {
  return Buffer.from(JSON.stringify(auth ?? {}), 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
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
