// References as the docker CLI reads them, made into what a registry is asked: `busybox` is
// registry-1.docker.io's `library/busybox:latest`, whose credentials are docker.io's
// (config.json's https://index.docker.io/v1/); `127.0.0.1:5000/x` is the registry 127.0.0.1:5000.
import { checkDigest } from '../digest.js';
import { InvalidArgument } from '../errors.js';
import { isLoopback } from '../hosts/authority.js';
import { parseReference, registryOf, splitReference } from '../reference.js';

/** Docker Hub's registry API host. */
export const DOCKER_HUB_HOST = 'registry-1.docker.io';

/** RegistryReference: a reference as the docker CLI reads it: registry host, repository, tag, digest. */
export interface RegistryReference {
  /** The registry as credentials and `insecure` name it: `docker.io`, or `host[:port]`. */
  registry: string;
  /** The host[:port] requests go to: `registry-1.docker.io` for docker.io. */
  host: string;
  /** The repository inside the registry: `library/busybox`. */
  repository: string;
  /** The tag (`latest` when neither a tag nor a digest is given). */
  tag?: string;
  digest?: string;
}

/**
 * parseRegistryReference: parses `ref` (`[host[:port]/]path[:tag][@digest]`); bad input is
 * InvalidArgument naming `what`, a digest this client cannot verify (not sha256: or sha512:)
 * included, before any request.
 */
export function parseRegistryReference(ref: unknown, what = 'reference'): RegistryReference {
  const parsed = parseReference(ref, what);
  if (parsed.digest !== undefined) checkDigest(parsed.digest, `the digest in ${what}`);
  const registry = registryOf(parsed.repository);
  let path = parsed.repository;
  const slash = path.indexOf('/');
  if (slash !== -1 && (registry !== 'docker.io' || /^(?:docker\.io|index\.docker\.io)$/.test(path.slice(0, slash))))
    path = path.slice(slash + 1);
  if (registry === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  const host = registry === 'docker.io' ? DOCKER_HUB_HOST : registry;
  if (parsed.digest === undefined) return { registry, host, repository: path, tag: parsed.tag ?? 'latest' };
  return {
    registry,
    host,
    repository: path,
    ...(parsed.tag !== undefined ? { tag: parsed.tag } : {}),
    digest: parsed.digest,
  };
}

/** A repository (a tag or digest in it is InvalidArgument: `tags` lists a repository's tags). */
export function parseRegistryRepository(repository: unknown, what = 'repository'): RegistryReference {
  const ref = parseRegistryReference(repository, what);
  const split = splitReference(repository as string);
  if (split.tag !== undefined || split.digest !== undefined) {
    throw new InvalidArgument(`${what} ${JSON.stringify(repository)} must name a repository, without a tag or digest`);
  }
  return { registry: ref.registry, host: ref.host, repository: ref.repository };
}

/** The reference as a string, registry and all: `127.0.0.1:5000/a/b@sha256:...`. */
export function formatReference(ref: RegistryReference): string {
  const name = ref.registry === 'docker.io' ? `docker.io/${ref.repository}` : `${ref.registry}/${ref.repository}`;
  return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** What the manifests endpoint is asked for: the digest when there is one, else the tag. */
export function manifestReference(ref: RegistryReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** True for a registry dockerd reaches over plain HTTP without being told: loopback (127.0.0.0/8, ::1, localhost). */
export function isLoopbackRegistry(registry: string): boolean {
  // `[v6]:port`, `[v6]`, a bare v6 address (colons but no port), or `name[:port]`
  const bracketed = /^\[([^\]]+)\]/.exec(registry);
  const host = (
    bracketed ? bracketed[1]! : registry.split(':').length === 2 ? registry.replace(/:\d+$/, '') : registry
  ).toLowerCase();
  return isLoopback(host);
}

/**
 * The origin a registry is reached at: HTTPS, unless it is loopback or listed in `insecure`
 * (`host[:port]`, as dockerd's --insecure-registry names it), then plain HTTP.
 */
export function registryOrigin(
  reference: Pick<RegistryReference, 'registry' | 'host'>,
  insecure: ReadonlySet<string>,
): { secure: boolean; host: string; port: number } {
  const plain =
    isLoopbackRegistry(reference.host) ||
    insecure.has(reference.registry.toLowerCase()) ||
    insecure.has(reference.host.toLowerCase());
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(reference.host);
  const [host, port] = bracketed
    ? [bracketed[1]!, bracketed[2]]
    : [reference.host.replace(/:\d+$/, ''), /:(\d+)$/.exec(reference.host)?.[1]];
  return { secure: !plain, host, port: port !== undefined ? Number(port) : plain ? 80 : 443 };
}
