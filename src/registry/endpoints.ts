// Where a repository's requests go under the user's host configuration (hosts/: certs.d,
// hosts.toml, registries.conf): the operation a request is part of, whether a failure at one
// endpoint passes it on to the next, and what the request's path becomes at an endpoint (its API
// root, its repository after a `location` rewrite, containerd's `ns=`).
import { ConnectionError, RegistryError, TimeoutError } from '../errors.js';
import type { HostEndpoint, HostOperation, HostsPlan } from '../hosts/types.js';

/** PlanFor: the plan of endpoints for one operation on a repository. */
export type PlanFor = (operation: HostOperation) => Promise<HostsPlan>;

/**
 * The operation a request is part of: a write, or a request whose token must allow push or
 * delete, is a push; a tag's manifest or the tag list is a resolve; the rest (by digest) a pull.
 */
export function operationOf(
  method: string,
  path: string,
  scopes: readonly string[],
  repository: string,
): HostOperation {
  if ((method !== 'GET' && method !== 'HEAD') || scopes.some((scope) => /:(?:pull,)?(?:push|delete)$/.test(scope)))
    return 'push';
  const own = `/v2/${repository}/`;
  const rest = path.startsWith(own) ? path.slice(own.length) : '';
  return /^manifests\/[^:/?]+(?:\?|$)/.test(rest) || rest.startsWith('tags/list') ? 'resolve' : 'pull';
}

/** True when a failure at an endpoint passes the request to the next one: no connection, a 5xx, or a 404. */
export function passesOn(error: unknown): boolean {
  if (error instanceof ConnectionError || error instanceof TimeoutError) return true;
  return error instanceof RegistryError && (error.statusCode >= 500 || error.statusCode === 404);
}

/** `path` (built for `/v2/<repository>/…`) as `endpoint` is asked it: its API root and repository, and `ns=` for a mirror. */
export function endpointPath(endpoint: HostEndpoint, repository: string, path: string): string {
  const own = `/v2/${repository}/`;
  let at = path.startsWith(own)
    ? `${endpoint.pathPrefix}/${endpoint.repository}/${path.slice(own.length)}`
    : path.startsWith('/v2/')
      ? `${endpoint.pathPrefix}${path.slice(3)}`
      : path;
  if (endpoint.ns !== undefined) at += `${at.includes('?') ? '&' : '?'}ns=${encodeURIComponent(endpoint.ns)}`;
  return at;
}

/** A token scope for `repository` as `endpoint` names it (a `location` rewrite changes the repository). */
export function endpointScope(endpoint: HostEndpoint, repository: string, scope: string): string {
  const own = `repository:${repository}:`;
  return scope.startsWith(own) ? `repository:${endpoint.repository}:${scope.slice(own.length)}` : scope;
}

/** hosts.toml's `header` entries as request headers (a list joined as one field, RFC 9110 §5.3). */
export function endpointHeaders(endpoint: HostEndpoint): Record<string, string> {
  return Object.fromEntries(Object.entries(endpoint.headers).map(([name, values]) => [name, values.join(', ')]));
}

/** `host[:port]` of an endpoint, as credentials and certs.d name it (the port left out when it is the scheme's). */
export function endpointAuthority(endpoint: HostEndpoint): string {
  const { host, port, secure } = endpoint.origin;
  const bracketed = host.includes(':') ? `[${host}]` : host;
  return port === (secure ? 443 : 80) ? bracketed : `${bracketed}:${port}`;
}

/** An insecure endpoint (registries.conf `insecure = true`) over plain HTTP, tried after its HTTPS (port 80 where HTTPS had its default). */
export function plainTwin(endpoint: HostEndpoint): HostEndpoint {
  const { tls: _tls, ...rest } = endpoint;
  const port = endpoint.origin.port === 443 ? 80 : endpoint.origin.port;
  return {
    ...rest,
    origin: { secure: false, host: endpoint.origin.host, port },
    source: `${endpoint.source} (plain HTTP)`,
  };
}

/** True when `next` is `endpoint`'s plain-HTTP twin: tried only when no connection could be made over HTTPS. */
export function isPlainTwin(endpoint: HostEndpoint | undefined, next: HostEndpoint | undefined): boolean {
  return (
    endpoint !== undefined &&
    next !== undefined &&
    endpoint.insecure &&
    endpoint.origin.secure &&
    !next.origin.secure &&
    next.source === `${endpoint.source} (plain HTTP)`
  );
}
