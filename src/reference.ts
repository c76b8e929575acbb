// Image references (distribution/reference grammar), checked before any request is made so that
// bad input is an InvalidArgument naming the argument, not a confusing engine error.
import { InvalidArgument } from './errors.js';

/** Reference: an image reference, split: repository, and tag or digest. */
export interface Reference {
  /** Repository, including any registry host: `127.0.0.1:5000/team/app`. */
  repository: string;
  tag?: string;
  /** `sha256:...` */
  digest?: string;
}

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const DOMAIN_RE = new RegExp(`^${DOMAIN}$`);
const PATH_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const MAX_NAME = 255;

function fail(what: string, value: string, why: string): never {
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  throw new InvalidArgument(`${what} ${JSON.stringify(shown)} ${why}`);
}

function checkString(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string') throw new InvalidArgument(`${what} must be a string`);
  if (value === '') throw new InvalidArgument(`${what} must not be empty`);
  if (/[\0-\x20\x7f]/.test(value)) fail(what, value, 'must not contain whitespace or control characters');
}

/** Splits `repo[:tag][@digest]`; a ':' after the last '/' starts the tag (a registry port comes before it). */
export function splitReference(reference: string): Reference {
  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { repository: rest, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** parseReference: a full reference parsed and checked (the distribution/reference grammar); InvalidArgument naming `what` otherwise. */
export function parseReference(reference: unknown, what = 'repository'): Reference {
  checkString(reference, what);
  const ref = splitReference(reference);
  checkRepository(ref.repository, what);
  if (ref.tag !== undefined) checkTag(ref.tag, `tag in ${what}`);
  if (ref.digest !== undefined && !DIGEST.test(ref.digest)) fail(what, reference, 'has an invalid digest');
  return ref;
}

export function checkRepository(repository: unknown, what = 'repository'): asserts repository is string {
  checkString(repository, what);
  if (repository.length > MAX_NAME) fail(what, repository, `is longer than ${MAX_NAME} characters`);
  // As the docker CLI splits it: the first component is a registry only if it looks like a host.
  const registry = registryOf(repository);
  const hasDomain = registry !== 'docker.io' || repository.startsWith('docker.io/');
  const path = hasDomain ? repository.slice(repository.indexOf('/') + 1) : repository;
  if ((hasDomain && !DOMAIN_RE.test(repository.slice(0, repository.indexOf('/')))) || !PATH_RE.test(path)) {
    const hint = /[A-Z]/.test(path) ? ' (repository names must be lowercase)' : '';
    fail(what, repository, `is not a valid repository name${hint}`);
  }
}

export function checkTag(tag: unknown, what = 'tag'): asserts tag is string {
  checkString(tag, what);
  if (!TAG.test(tag) && !DIGEST.test(tag)) fail(what, tag, 'is not a valid tag');
}

/** A slash-separated segment that is empty, `.` or `..`. */
const EMPTY_OR_DOT_SEGMENT = /(?:^|\/)\.{0,2}(?:\/|$)/;

/**
 * checkImageName accepts a name that may be an image ID (`sha256:...`, a short hex prefix) or a
 * reference: looser than a reference, but still no empty string, whitespace, control characters
 * or dot segments.
 */
export function checkImageName(name: unknown, what = 'image name'): asserts name is string {
  checkString(name, what);
  if (name.length > 512) fail(what, name, 'is too long');
  if (EMPTY_OR_DOT_SEGMENT.test(name)) fail(what, name, 'has an empty or dot path segment');
}

/** The registry a repository lives in: its first component when that is a host, else docker.io. */
export function registryOf(repository: string): string {
  const slash = repository.indexOf('/');
  if (slash === -1) return 'docker.io';
  const first = repository.slice(0, slash);
  if (first === 'docker.io' || first === 'index.docker.io') return 'docker.io';
  if (first.includes('.') || first.includes(':') || first === 'localhost') return first;
  return 'docker.io';
}

/** `repo:tag` or `repo@sha256:...`, as docker-py joins them. */
export function joinReference(repository: string, tag: string): string {
  return `${repository}${tag.includes(':') ? '@' : ':'}${tag}`;
}

/**
 * normalizeReference: a reference as the docker CLI normalizes `-t` (distribution's
 * ParseNormalizedNamed, then TagNameOnly): `team/app:1` is `docker.io/team/app:1`, `app` is
 * `docker.io/library/app:latest`; a name with a registry host keeps it.
 */
export function normalizeReference(reference: unknown, what = 'reference'): string {
  const { repository, tag, digest } = parseReference(reference, what);
  let path = repository;
  if (registryOf(repository) === 'docker.io') {
    const slash = repository.indexOf('/');
    if (slash !== -1 && /^(?:docker\.io|index\.docker\.io)$/.test(repository.slice(0, slash)))
      path = repository.slice(slash + 1);
    path = `docker.io/${path.includes('/') ? path : `library/${path}`}`;
  }
  const suffix =
    tag === undefined && digest === undefined
      ? ':latest'
      : `${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`;
  return `${path}${suffix}`;
}
