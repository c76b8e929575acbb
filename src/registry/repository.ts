// One repository of one registry, as every call reaches it (go-containerregistry's remote fetcher):
// its origin, the scopes a token must allow for it, and the requests made to it (manifests, blobs,
// pages, uploads), each with the call's credentials, timeout and signal. The calls in registry.ts,
// referrers.ts, write.ts and copy-ends.ts are written over it and never build a request by hand.
import { ManifestNotFound, ProtocolError, RegistryError } from '../errors.js';
import { MANIFEST_TYPES, type Manifest, type ManifestResult } from '../oci.js';
import { authority, originKey, splitUrl } from '../transport/origin.js';
import type { TransportResponse } from '../transport/types.js';
import { readBounded } from './answer.js';
import { readBlob } from './blob.js';
import { checkDigest, digestOf, verifyBytes } from '../digest.js';
import { nextLink } from './link.js';
import type { RegistryReference } from './name.js';
import type { RegistryCallOptions } from './options.js';
import type { RegistryRequest, Requester, Target } from './requester.js';
import type { UploadSend } from './upload.js';

/** MAX_MANIFEST_SIZE: manifests bigger than this are refused, as registries refuse to store them (distribution's limit). */
export const MAX_MANIFEST_SIZE = 4 * 1024 * 1024;
/** A page of a tag list or of referrers. */
const MAX_PAGE_SIZE = 16 * 1024 * 1024;
/** Most pages of one list. */
const MAX_PAGES = 100_000;

/** What a token for a repository must allow: reading, reading and writing, or deleting. */
export type Access = 'pull' | 'push' | 'delete';

/** A request to the repository: its scopes are the repository's `pull` unless given. */
export type RepositoryRequest = Omit<RegistryRequest, 'scopes' | 'timeout'> & { scopes?: string[] };

/** One page of a paged list, read whole (empty for a 404 passed through). */
export interface Page {
  response: TransportResponse;
  body: Uint8Array;
}

export class Repository {
  /** The registry as credentials name it, the host requests go to, the repository's path there. */
  readonly registry: string;
  readonly host: string;
  readonly repository: string;
  readonly target: Target;
  readonly #requester: Requester;
  readonly #timeout: number;

  constructor(requester: Requester, name: Pick<RegistryReference, 'registry' | 'host' | 'repository'>, target: Target, timeout: number) {
    this.#requester = requester;
    this.registry = name.registry;
    this.host = name.host;
    this.repository = name.repository;
    this.target = target;
    this.#timeout = timeout;
  }

  /** `host/repository`, as messages name it. */
  get name(): string {
    return `${this.host}/${this.repository}`;
  }

  /** The scope a token needs for `access` to this repository (`repository:NAME:pull,push`). */
  scope(access: Access): string {
    return `repository:${this.repository}:${access === 'push' ? 'pull,push' : access}`;
  }

  /** Sends `request` with the call's credentials, timeout and signal; see Requester.send. */
  send(request: RepositoryRequest, what: string, call: RegistryCallOptions): Promise<TransportResponse> {
    const timeout = call.timeout ?? this.#timeout;
    const signal = request.signal ?? call.signal;
    return this.#requester.send(
      this.target,
      { scopes: [this.scope('pull')], ...request, timeout, ...(signal ? { signal } : {}) },
      what,
      call.authConfig,
    );
  }

  /** How an upload to this repository sends its requests (with push access). */
  uploader(what: string, call: RegistryCallOptions): UploadSend {
    return (method, path, headers, body, bodyLength, pass) =>
      this.send(
        {
          method, path, headers, scopes: [this.scope('push')],
          ...(body !== undefined ? { body } : {}), ...(bodyLength !== undefined ? { bodyLength } : {}), ...(pass ? { pass } : {}),
        },
        `${method} ${what}`,
        call,
      );
  }

  /** The path and query of a Location the registry gave, which must be on its own origin. */
  location(location: string | undefined): string {
    const origin = this.target.origin;
    if (location === undefined) throw new ProtocolError('the registry started an upload without a Location');
    const next = splitUrl(new URL(location, `${origin.secure ? 'https' : 'http'}://${authority(origin)}/`).href);
    if (originKey(next.origin) !== originKey(origin)) throw new ProtocolError('the registry sent an upload to another origin: refused');
    return next.path;
  }

  /** The manifests endpoint of `which` (a tag or a digest). */
  manifestPath(which: string): string {
    return `/v2/${this.repository}/manifests/${which}`;
  }

  /** A GET or HEAD of the manifest `which` (a tag or digest); a 404 not in `pass` is ManifestNotFound. */
  async manifestRequest(which: string, method: 'GET' | 'HEAD', call: RegistryCallOptions, pass: number[] = []): Promise<TransportResponse> {
    const name = `${this.name}:${which}`;
    try {
      return await this.send({ method, path: this.manifestPath(which), headers: { Accept: MANIFEST_TYPES.join(', ') }, pass }, `manifest ${name}`, call);
    } catch (error) {
      if (error instanceof RegistryError && error.statusCode === 404 && !pass.includes(404)) {
        // a HEAD's 404 has no body: the registry's answer is then the spec's code and message
        const told = error.errors.some((e) => e.message !== undefined);
        throw new ManifestNotFound(`manifest ${name}`, 404, told ? error.errors : [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }]);
      }
      throw error;
    }
  }

  /** The manifest `which` (a tag or digest): bounded, checked against the digest asked for or announced. */
  async manifest(which: string, call: RegistryCallOptions): Promise<ManifestResult> {
    const response = await this.manifestRequest(which, 'GET', call);
    const length = Number(response.headers['content-length']);
    if (Number.isFinite(length) && length > MAX_MANIFEST_SIZE) {
      response.body.cancel();
      throw new ProtocolError(`the manifest of ${this.repository} is ${length} bytes, more than ${MAX_MANIFEST_SIZE}: refused`);
    }
    const bytes = await readBounded(response.body, MAX_MANIFEST_SIZE, `the manifest of ${this.repository}`);
    const announced = response.headers['docker-content-digest'];
    const asked = isDigest(which) ? which : undefined;
    const expected = asked ?? (announced !== undefined && /^sha(256|512):/.test(announced) ? announced : undefined);
    if (expected !== undefined) verifyBytes(bytes, expected, `the manifest of ${this.repository}:${which}`, 'the manifest digest');
    const digest = expected ?? digestOf(bytes);
    const manifest = parseJson<Manifest>(bytes, `the manifest of ${this.repository}`);
    if (manifest === null || typeof manifest !== 'object' || manifest.schemaVersion !== 2) {
      throw new ProtocolError(`the manifest of ${this.repository} is not a schema 2 manifest`);
    }
    const mediaType = manifest.mediaType ?? (response.headers['content-type'] ?? '').split(';')[0]!.trim();
    return { descriptor: { mediaType, digest, size: bytes.length }, manifest, bytes };
  }

  /** The manifest `which` read whole as an answer to a GET that may be a 404 (undefined then). */
  async manifestIfAny(which: string, call: RegistryCallOptions, what: string): Promise<Uint8Array | undefined> {
    const response = await this.manifestRequest(which, 'GET', call, [404]);
    if (response.statusCode === 404) {
      await response.body.dump();
      return undefined;
    }
    return readBounded(response.body, MAX_MANIFEST_SIZE, what);
  }

  /** The GET of the blob `digest`, redirects followed, with `headers` (a Range on resumption). */
  blobRequest(digest: string, headers: Record<string, string>, call: RegistryCallOptions, signal?: AbortSignal): Promise<TransportResponse> {
    const path = `/v2/${this.repository}/blobs/${digest}`;
    return this.send({ method: 'GET', path, headers, followRedirects: true, ...(signal ? { signal } : {}) }, `blob ${digest} of ${this.repository}`, call);
  }

  /** The blob `digest` as it arrives, verified, resumed after a broken connection (see readBlob). */
  blob(digest: string, call: RegistryCallOptions, signal = call.signal): AsyncGenerator<Uint8Array> {
    return readBlob((headers, s) => this.blobRequest(digest, headers, call, s), digest, `blob ${digest}`, signal);
  }

  /** A whole small blob (a config), verified. */
  async readBlob(digest: string, limit: number, call: RegistryCallOptions): Promise<Uint8Array> {
    checkDigest(digest, 'a config digest');
    const response = await this.blobRequest(digest, {}, call);
    const bytes = await readBounded(response.body, limit, `blob ${digest}`);
    verifyBytes(bytes, digest, `blob ${digest} of ${this.repository}`);
    return bytes;
  }

  /** True when the repository has the blob `digest` (a HEAD). */
  async hasBlob(digest: string, call: RegistryCallOptions): Promise<boolean> {
    const path = `/v2/${this.repository}/blobs/${digest}`;
    const head = await this.send({ method: 'HEAD', path, scopes: [this.scope('push')], pass: [404] }, `HEAD ${this.name}`, call);
    await head.body.dump();
    return head.statusCode === 200;
  }

  /** The pages of a paged list: the first at `first`, then each Link rel="next" on the same origin. */
  *pages(first: string, accept: string, call: RegistryCallOptions, pass: number[] = []): Generator<Promise<Page>> {
    const origin = this.target.origin;
    let path: string | undefined = first;
    let result: Page | undefined;
    for (let pages = 0; path !== undefined; pages++) {
      if (pages > MAX_PAGES) throw new ProtocolError(`${this.repository}: more than ${MAX_PAGES} pages`);
      const at: string = path;
      const what = at.split('?')[0];
      const page = (async () => {
        const response = await this.send({ method: 'GET', path: at, headers: { Accept: accept }, pass }, `GET ${what}`, call);
        if (response.statusCode === 404) {
          await response.body.dump();
          return (result = { response, body: new Uint8Array() });
        }
        const body = await readBounded(response.body, MAX_PAGE_SIZE, `a page of ${what}`);
        return (result = { response, body });
      })();
      yield page;
      // (the consumer has awaited the page before asking for the next)
      const link = result?.response.statusCode === 200 ? nextLink(result.response.headers['link']) : undefined;
      path = undefined;
      if (link !== undefined) {
        const next = splitUrl(new URL(link, `${origin.secure ? 'https' : 'http'}://${this.host}${at}`).href);
        if (next.origin.host !== origin.host || next.origin.port !== origin.port) {
          throw new ProtocolError(`${this.repository}: a next page on another origin is refused`);
        }
        path = next.path;
      }
    }
  }
}

/** True for a digest, false for a tag (a tag has no colon). */
export function isDigest(which: string): boolean {
  return which.includes(':');
}

/** `bytes` as JSON; anything else is ProtocolError naming `what`. */
export function parseJson<T>(bytes: Uint8Array, what: string): T {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch {
    throw new ProtocolError(`${what} is not JSON`);
  }
}
