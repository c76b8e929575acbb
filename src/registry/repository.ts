// One repository of one registry, as every call reaches it (go-containerregistry's remote fetcher):
// its origin, the scopes a token must allow for it, and the requests made to it (manifests, blobs,
// pages, uploads), each with the call's credentials, timeout and signal. The calls in registry.ts,
// referrers.ts, write.ts and copy-ends.ts are written over it and never build a request by hand.
import { ConnectionError, InvalidArgument, ManifestNotFound, ProtocolError, RegistryError } from '../errors.js';
import { MANIFEST_TYPES, type Manifest, type ManifestResult } from '../oci.js';
import type { HostEndpoint, HostOperation, HostsPlan } from '../hosts/types.js';
import { originKey, splitUrl, type Origin } from '../transport/origin.js';
import type { TransportResponse } from '../transport/types.js';
import { readBounded, readCapped, readSized } from './answer.js';
import { readBlob, type OpenBlob } from './blob.js';
import { checkDigest, digestOf, verifyBytes } from '../digest.js';
import { DEFAULT_MAX_ENTRIES, listBound } from '../referrers.js';
import {
  endpointAuthority,
  endpointHeaders,
  endpointPath,
  endpointScope,
  isPlainTwin,
  operationOf,
  passesOn,
  type PlanFor,
} from './endpoints.js';
import { DEFAULT_MAX_PAGES, MAX_MANIFEST_SIZE } from './bounds.js';
import { nextLink } from './link.js';
import type { RegistryReference } from './name.js';
import type { ListBounds, RegistryCallOptions } from './options.js';
import type { RegistryRequest, Requester, Target } from './requester.js';
import type { UploadSend } from './upload.js';

/** A page of a tag list or of referrers. */
const MAX_PAGE_SIZE = 16 * 1024 * 1024;

/** What a token for a repository must allow: reading, reading and writing, or deleting. */
export type Access = 'pull' | 'push' | 'delete';

/** A request to the repository: its scopes are the repository's `pull` unless given. */
export type RepositoryRequest = Omit<RegistryRequest, 'scopes' | 'timeout' | 'headersTimeout'> & { scopes?: string[] };

/** The limits of a repository's requests unless a call gives its own. */
export interface RequestLimits {
  timeout: number;
  headersTimeout: number;
}

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
  readonly #limits: RequestLimits;
  readonly #planFor: PlanFor | undefined;
  readonly #plans = new Map<HostOperation, Promise<HostsPlan>>();
  /** The endpoint that answered last (a Location or a Link it gives is on its origin). */
  #answered: HostEndpoint | undefined;

  /** `plans`: the host configuration's endpoints per operation (hosts/); without it, every request goes to `target`. */
  constructor(
    requester: Requester,
    name: Pick<RegistryReference, 'registry' | 'host' | 'repository'>,
    target: Target,
    limits: RequestLimits,
    plans?: PlanFor,
  ) {
    this.#requester = requester;
    this.#planFor = plans;
    this.registry = name.registry;
    this.host = name.host;
    this.repository = name.repository;
    this.target = target;
    this.#limits = limits;
  }

  /** False once this registry has answered a referrers API request with 404 (see Requester.withoutReferrersApi). */
  get referrersApi(): boolean {
    return !this.#requester.withoutReferrersApi.has(this.host);
  }

  /** Remembers that this registry has no referrers API. */
  noReferrersApi(): void {
    this.#requester.withoutReferrersApi.add(this.host);
  }

  /**
   * Runs `put` (the blob `digest` made present here) unless this client is already putting it
   * here: then waits for that (and, should it fail, runs `put` after all); true when `put` ran.
   */
  async once(digest: string, put: () => Promise<void>): Promise<boolean> {
    const key = `${this.host}/${this.repository}@${digest}`;
    const putting = this.#requester.puttingBlobs;
    const other = putting.get(key);
    if (
      other !== undefined &&
      (await other.then(
        () => true,
        () => false,
      ))
    )
      return false;
    const mine = put();
    putting.set(key, mine);
    try {
      await mine;
      return true;
    } finally {
      if (putting.get(key) === mine) putting.delete(key);
    }
  }

  /** `host/repository`, as messages name it. */
  get name(): string {
    return `${this.host}/${this.repository}`;
  }

  /** The scope a token needs for `access` to this repository (`repository:NAME:pull,push`). */
  scope(access: Access): string {
    return `repository:${this.repository}:${access === 'push' ? 'pull,push' : access}`;
  }

  /**
   * Sends `request` with the call's credentials, timeout and signal (see Requester.send) to the
   * endpoints of the plan for its operation, in order: a mirror that cannot be reached, answers a
   * 5xx or has nothing (404) passes it to the next; a push goes to the first endpoint that may
   * push only. A path that is a whole URL (a Location, a Link) is sent as it is.
   */
  async send(request: RepositoryRequest, what: string, call: RegistryCallOptions): Promise<TransportResponse> {
    const timeout = call.timeout ?? this.#limits.timeout;
    const headersTimeout = call.headersTimeout ?? this.#limits.headersTimeout;
    const signal = request.signal ?? call.signal;
    const given = /^https?:\/\//i.test(request.path) ? splitUrl(request.path).path : undefined;
    const base = { scopes: [this.scope('pull')], ...request, timeout, headersTimeout, ...(signal ? { signal } : {}) };
    if (this.#planFor === undefined)
      return this.#requester.send(this.target, { ...base, path: given ?? request.path }, what, call.authConfig);
    const operation = operationOf(request.method, given ?? request.path, base.scopes, this.repository);
    const plan = await this.#plan(operation);
    // a push goes to the first endpoint allowed to (and its plain-HTTP twin when insecure: nothing is sent before TLS fails)
    const endpoints =
      operation === 'push'
        ? plan.endpoints.filter((e, i) => i === 0 || (i === 1 && isPlainTwin(plan.endpoints[0], e)))
        : plan.endpoints;
    for (const [i, endpoint] of endpoints.entries()) {
      const last = i === endpoints.length - 1;
      const twin = isPlainTwin(endpoint, endpoints[i + 1]);
      const target = {
        registry: endpoint.mirror ? endpointAuthority(endpoint) : plan.registry,
        origin: endpoint.origin,
      };
      const sent = {
        ...base,
        path: given ?? endpointPath(endpoint, this.repository, request.path),
        scopes: base.scopes.map((scope) => endpointScope(endpoint, this.repository, scope)),
        headers: { ...endpointHeaders(endpoint), ...request.headers },
        ...(last ? {} : { once: true }),
      };
      try {
        const response = await this.#requester.send(target, sent, what, call.authConfig);
        if (!last && !twin && response.statusCode === 404) {
          await response.body.dump();
          continue;
        }
        this.#answered = endpoint;
        return response;
      } catch (error) {
        if (last || !passesOn(error) || (twin && !(error instanceof ConnectionError))) throw error;
      }
    }
    throw new ProtocolError(`no endpoint to ${operation} ${this.name}`);
  }

  /** The plan for `operation`, resolved once for this repository. */
  #plan(operation: HostOperation): Promise<HostsPlan> {
    let plan = this.#plans.get(operation);
    if (plan === undefined) this.#plans.set(operation, (plan = (this.#planFor as PlanFor)(operation)));
    return plan;
  }

  /** The origin that answered last (the registry's own before any answer). */
  get #origin(): Origin {
    return this.#answered?.origin ?? this.target.origin;
  }

  /** How an upload to this repository sends its requests (with push access). */
  uploader(what: string, call: RegistryCallOptions): UploadSend {
    return (method, path, headers, body, bodyLength, pass) =>
      this.send(
        {
          method,
          path,
          headers,
          scopes: [this.scope('push')],
          ...(body !== undefined ? { body } : {}),
          ...(bodyLength !== undefined ? { bodyLength } : {}),
          ...(pass ? { pass } : {}),
        },
        `${method} ${what}`,
        call,
      );
  }

  /** The URL of a Location the registry gave, which must be on the origin that gave it (sent as it is). */
  location(location: string | undefined): string {
    const origin = this.#origin;
    if (location === undefined) throw new ProtocolError('the registry started an upload without a Location');
    const next = splitUrl(new URL(location, `${originKey(origin)}/`).href);
    if (originKey(next.origin) !== originKey(origin))
      throw new ProtocolError('the registry sent an upload to another origin: refused');
    return `${originKey(origin)}${next.path}`;
  }

  /** The manifests endpoint of `which` (a tag or a digest). */
  manifestPath(which: string): string {
    return `/v2/${this.repository}/manifests/${which}`;
  }

  /** A GET or HEAD of the manifest `which` (a tag or digest); a 404 not in `pass` is ManifestNotFound. */
  async manifestRequest(
    which: string,
    method: 'GET' | 'HEAD',
    call: RegistryCallOptions,
    pass: number[] = [],
  ): Promise<TransportResponse> {
    const name = `${this.name}:${which}`;
    try {
      return await this.send(
        { method, path: this.manifestPath(which), headers: { Accept: MANIFEST_TYPES.join(', ') }, pass },
        `manifest ${name}`,
        call,
      );
    } catch (error) {
      if (error instanceof RegistryError && error.statusCode === 404 && !pass.includes(404)) {
        // a HEAD's 404 has no body: the registry's answer is then the spec's code and message
        const told = error.errors.some((e) => e.message !== undefined);
        throw new ManifestNotFound(
          `manifest ${name}`,
          404,
          told ? error.errors : [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }],
        );
      }
      throw error;
    }
  }

  /**
   * The manifest `which` (a tag or digest): bounded, checked against the digest asked for or
   * announced. `size`, a descriptor's, bounds it to that many bytes (see readSized).
   */
  async manifest(which: string, call: RegistryCallOptions, size?: number): Promise<ManifestResult> {
    const response = await this.manifestRequest(which, 'GET', call);
    const what = `the manifest of ${this.repository}`;
    const bytes =
      size === undefined ? await readCapped(response, MAX_MANIFEST_SIZE, what) : await readSized(response, size, what);
    const announced = response.headers['docker-content-digest'];
    const asked = isDigest(which) ? which : undefined;
    const expected = asked ?? (announced !== undefined && /^sha(256|512):/.test(announced) ? announced : undefined);
    if (expected !== undefined)
      verifyBytes(bytes, expected, `the manifest of ${this.repository}:${which}`, 'the manifest digest');
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

  /**
   * The GET of the blob `digest`, redirects followed, with `headers` (a Range on resumption);
   * `borrow`: the caller copies each chunk before it asks for the next (RegistryRequest.borrowBody).
   */
  blobRequest(
    digest: string,
    headers: Record<string, string>,
    call: RegistryCallOptions,
    signal?: AbortSignal,
    borrow = false,
  ): Promise<TransportResponse> {
    const path = `/v2/${this.repository}/blobs/${digest}`;
    return this.send(
      { method: 'GET', path, headers, followRedirects: true, borrowBody: borrow, ...(signal ? { signal } : {}) },
      `blob ${digest} of ${this.repository}`,
      call,
    );
  }

  /** The blob `digest` (of `size` bytes, when known) as it arrives, verified, resumed after a broken connection; `borrowed`: each chunk valid until the next is asked for (see readBlob). */
  blob(
    digest: string,
    call: RegistryCallOptions,
    size?: number,
    signal = call.signal,
    borrowed = false,
  ): AsyncGenerator<Uint8Array> {
    const open: OpenBlob = (headers, s) => this.blobRequest(digest, headers, call, s, borrowed);
    return readBlob(open, digest, `blob ${digest}`, signal, size, borrowed);
  }

  /** A whole small blob (a config), verified; `size`, a descriptor's, bounds it to that many bytes (see readSized). */
  async readBlob(digest: string, limit: number, call: RegistryCallOptions, size?: number): Promise<Uint8Array> {
    checkDigest(digest, 'a config digest');
    if (size !== undefined && size > limit)
      throw new ProtocolError(`blob ${digest} is ${size} bytes, more than ${limit}: refused`);
    const response = await this.blobRequest(digest, {}, call);
    const bytes =
      size === undefined
        ? await readCapped(response, limit, `blob ${digest}`)
        : await readSized(response, size, `blob ${digest}`);
    verifyBytes(bytes, digest, `blob ${digest} of ${this.repository}`);
    return bytes;
  }

  /** True when the repository has the blob `digest` (a HEAD). */
  async hasBlob(digest: string, call: RegistryCallOptions): Promise<boolean> {
    const path = `/v2/${this.repository}/blobs/${digest}`;
    const head = await this.send(
      { method: 'HEAD', path, scopes: [this.scope('push')], pass: [404] },
      `HEAD ${this.name}`,
      call,
    );
    await head.body.dump();
    return head.statusCode === 200;
  }

  /**
   * The pages of a paged list: the first at `first`, then each Link rel="next" on the same origin;
   * more than `maxPages` of them is ProtocolError, never a list cut short.
   */
  *pages(
    first: string,
    accept: string,
    call: RegistryCallOptions,
    maxPages: number,
    pass: number[] = [],
  ): Generator<Promise<Page>> {
    let path: string | undefined = first;
    let result: Page | undefined;
    for (let pages = 0; path !== undefined; pages++) {
      if (pages >= maxPages)
        throw new ProtocolError(`${this.repository}: the list has more than ${maxPages} pages (maxPages): refused`);
      const at: string = path;
      const what = (/^https?:\/\//i.test(at) ? splitUrl(at).path : at).split('?')[0];
      const page = (async () => {
        const response = await this.send(
          { method: 'GET', path: at, headers: { Accept: accept }, pass },
          `GET ${what}`,
          call,
        );
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
        const origin = this.#origin;
        const next = splitUrl(
          new URL(link, `${originKey(origin)}${/^https?:\/\//i.test(at) ? splitUrl(at).path : at}`).href,
        );
        if (next.origin.host !== origin.host || next.origin.port !== origin.port) {
          throw new ProtocolError(`${this.repository}: a next page on another origin is refused`);
        }
        path = `${originKey(origin)}${next.path}`;
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

/** A descriptor's size when it is a byte count (a bound for reading what it describes), else undefined. */
export function sizeOf(descriptor: { size?: unknown }): number | undefined {
  return typeof descriptor.size === 'number' && Number.isSafeInteger(descriptor.size) && descriptor.size >= 0
    ? descriptor.size
    : undefined;
}

/** The page and entry bounds a list call asked for (ListBounds), its defaults for the rest. */
export function listBounds(options: ListBounds): { maxPages: number; maxEntries: number } {
  return {
    maxPages: listBound('maxPages', options.maxPages, DEFAULT_MAX_PAGES),
    maxEntries: listBound('maxEntries', options.maxEntries, DEFAULT_MAX_ENTRIES),
  };
}

/** Refuses a list of more than `maxEntries` entries (ProtocolError, never a list cut short). */
export function checkEntries(count: number, maxEntries: number, what: string): void {
  if (count > maxEntries) throw new ProtocolError(`${what} has more than ${maxEntries} entries (maxEntries): refused`);
}
