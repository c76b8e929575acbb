// Registry: the OCI distribution API (v1.1) without an engine. Reads manifests, configs, blobs,
// tags and referrers, every manifest and blob checked against its digest, over transport/'s
// keep-alive pools (TLS by default; plain HTTP for loopback and `insecure` registries).
import type { AuthConfig } from '../credentials/auth-config.js';
import { Credentials } from '../credentials/credentials.js';
import { ImageNotFound, InvalidArgument, ProtocolError } from '../errors.js';
import { checkOptions } from '../options.js';
import { ociPlatform, parsePlatform, platformMatches, type Platform, type PlatformSpec } from '../platform.js';
import type { RetryPolicy } from '../progress/job.js';
import { OriginTransport, proxyFor, splitUrl } from '../transport/origin.js';
import type { TransportResponse } from '../transport/types.js';
import { readBounded } from './answer.js';
import { readBlob } from './blob.js';
import { DigestVerifier, checkDigest, sha256Of } from './digest.js';
import { nextLink } from './link.js';
import { manifestReference, registryOrigin, parseRegistryReference, parseRegistryRepository, type RegistryReference } from './name.js';
import { DEFAULT_RETRY, Requester, type RegistryRequest, type Target } from './requester.js';
import { MANIFEST_TYPES, OCI_INDEX, isIndex, type Descriptor, type ImageConfig, type ImageIndex, type Manifest, type ManifestResult } from './types.js';

/** Manifests bigger than this are refused, as registries refuse to store them (distribution's limit). */
export const MAX_MANIFEST_SIZE = 4 * 1024 * 1024;
/** Image configs bigger than this are refused (they are read whole). */
const MAX_CONFIG_SIZE = 64 * 1024 * 1024;
/** A page of a tag list or of referrers. */
const MAX_PAGE_SIZE = 16 * 1024 * 1024;
/** How long a credential lookup in config.json (and its helper) is reused. */
const CONFIG_CREDENTIALS_TTL = 30_000;

export interface RegistryOptions {
  /** Folder of the docker CLI's config.json (default $DOCKER_CONFIG, then ~/.docker). */
  configDir?: string;
  /** Credentials for every call that gives none of its own (before login memory and config.json). */
  authConfig?: AuthConfig;
  /** Registries (`host[:port]`) reached over plain HTTP; loopback ones always are. */
  insecure?: string[];
  /** Inactivity timeout of each request, in ms (default 60 000; 0 = none). */
  timeout?: number;
  /** Extra CA certificates (PEM) trusted for HTTPS registries. */
  ca?: string | Uint8Array;
  /** When to try again after a 429, a 5xx or a broken connection (default: 3 more tries). */
  retry?: RetryPolicy;
  /** Where HTTPS_PROXY, HTTP_PROXY, NO_PROXY and DOCKER_AUTH_CONFIG are read (default process.env). */
  env?: Record<string, string | undefined>;
  /** Login memory and config to share (a `Docker`'s `credentials`: docker.registry). */
  credentials?: Credentials;
  /** Most connections open to one origin at once (default 16). */
  maxSockets?: number;
}

const REGISTRY_OPTIONS = ['configDir', 'authConfig', 'insecure', 'timeout', 'ca', 'retry', 'env', 'credentials', 'maxSockets'] as const;

interface CallOptions {
  /** Credentials for this call only. */
  authConfig?: AuthConfig;
  signal?: AbortSignal;
  /** Inactivity timeout for this call's requests, in ms. */
  timeout?: number;
}

export interface PlatformCallOptions extends CallOptions {
  /** The platform's image of an index (`os/arch[/variant]` or an object). */
  platform?: PlatformSpec;
}

export interface TagsOptions extends CallOptions {
  /** Tags per page asked for (`n`); the registry may send fewer. */
  pageSize?: number;
}

export interface ReferrersOptions extends CallOptions {
  /** Only referrers of this artifact type. */
  artifactType?: string;
}

export type BlobOptions = CallOptions;

const CALL = ['authConfig', 'signal', 'timeout'] as const;

export class Registry {
  readonly #requester: Requester;
  readonly #credentials: Credentials;
  readonly #authConfig: AuthConfig | undefined;
  readonly #insecure: Set<string>;
  readonly #timeout: number;
  readonly #fromConfig = new Map<string, { at: number; auth: Promise<AuthConfig | undefined> }>();

  constructor(options: RegistryOptions = {}) {
    checkOptions('new Registry', options, REGISTRY_OPTIONS);
    if (options.insecure !== undefined && (!Array.isArray(options.insecure) || options.insecure.some((r) => typeof r !== 'string' || r === ''))) {
      throw new InvalidArgument('insecure must be a list of registries (host[:port])');
    }
    if (options.timeout !== undefined && !(Number.isFinite(options.timeout) && options.timeout >= 0)) throw new InvalidArgument('timeout must be a number of ms (0 for none)');
    const env = options.env ?? process.env;
    this.#credentials = options.credentials ?? new Credentials({ ...(options.configDir !== undefined ? { configDir: options.configDir } : {}), env });
    this.#authConfig = options.authConfig;
    this.#insecure = new Set((options.insecure ?? []).map((r) => r.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '').toLowerCase()));
    this.#timeout = options.timeout ?? 60_000;
    const transport = new OriginTransport({
      proxy: (origin) => proxyFor(origin, env),
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      ...(options.maxSockets !== undefined ? { maxSockets: options.maxSockets } : {}),
    });
    this.#requester = new Requester({ transport, credentials: (registry) => this.#lookup(registry), retry: options.retry ?? DEFAULT_RETRY });
  }

  /** The descriptor `ref` (or its `platform`'s image) resolves to: a HEAD, unless an index must be read. */
  async resolve(ref: string, options: PlatformCallOptions = {}): Promise<Descriptor> {
    checkOptions('registry.resolve', options, [...CALL, 'platform']);
    const reference = parseRegistryReference(ref);
    const want = options.platform === undefined ? undefined : ociPlatform(options.platform);
    const response = await this.#manifestRequest(reference, 'HEAD', options);
    const digest = response.headers['docker-content-digest'];
    const mediaType = (response.headers['content-type'] ?? '').split(';')[0]!.trim();
    const size = Number(response.headers['content-length']);
    const indexType = mediaType === OCI_INDEX || mediaType === 'application/vnd.docker.distribution.manifest.list.v2+json';
    if (want === undefined || !indexType) {
      if (digest !== undefined && (reference.digest === undefined || digest === reference.digest) && mediaType && Number.isSafeInteger(size)) {
        checkDigest(digest, 'the registry\u2019s Docker-Content-Digest');
        return { mediaType, digest, size };
      }
      // no usable digest in the head: the manifest itself says
      return (await this.#manifest(reference, options)).descriptor;
    }
    return (await this.manifest(ref, options)).descriptor;
  }

  /** The manifest `ref` names (or its `platform`'s image's), its exact bytes, and its descriptor. */
  async manifest(ref: string, options: PlatformCallOptions = {}): Promise<ManifestResult> {
    checkOptions('registry.manifest', options, [...CALL, 'platform']);
    const reference = parseRegistryReference(ref);
    const top = await this.#manifest(reference, options);
    if (options.platform === undefined || !isIndex(top.manifest, top.descriptor.mediaType)) return top;
    const chosen = choosePlatform(top.manifest as ImageIndex, options.platform, ref);
    const result = await this.#manifest({ ...reference, digest: chosen.digest }, options);
    return { ...result, descriptor: { ...result.descriptor, ...(chosen.platform ? { platform: chosen.platform } : {}) } };
  }

  /** The image configuration (os, architecture, config, rootfs, history); of an index, the platform's (default: this machine's). */
  async config(ref: string, options: PlatformCallOptions = {}): Promise<ImageConfig> {
    checkOptions('registry.config', options, [...CALL, 'platform']);
    const reference = parseRegistryReference(ref);
    let { manifest, descriptor } = await this.#manifest(reference, options);
    if (isIndex(manifest, descriptor.mediaType)) {
      const chosen = choosePlatform(manifest, options.platform ?? hostPlatform(), ref);
      manifest = (await this.#manifest({ ...reference, digest: chosen.digest }, options)).manifest;
    }
    const config = (manifest as { config?: Descriptor }).config;
    if (!config || typeof config.digest !== 'string') throw new ProtocolError(`${ref}: the manifest has no config`);
    return parseJson<ImageConfig>(await this.#readBlob(reference, config.digest, MAX_CONFIG_SIZE, options), `${ref}'s config`);
  }

  /** The platforms `ref` is published for: an index's (attestations left out), or a single image's config's. */
  async platforms(ref: string, options: CallOptions = {}): Promise<Platform[]> {
    checkOptions('registry.platforms', options, CALL);
    const reference = parseRegistryReference(ref);
    const { manifest, descriptor } = await this.#manifest(reference, options);
    if (isIndex(manifest, descriptor.mediaType)) {
      return manifest.manifests.flatMap((m) => (m.platform && !(m.platform.os === 'unknown' && m.platform.architecture === 'unknown') ? [m.platform] : []));
    }
    const configDescriptor = (manifest as { config?: Descriptor }).config;
    if (!configDescriptor) return [];
    const config = parseJson<ImageConfig>(await this.#readBlob(reference, configDescriptor.digest, MAX_CONFIG_SIZE, options), `${ref}'s config`);
    if (typeof config.os !== 'string' || typeof config.architecture !== 'string') return [];
    const platform: Platform = { os: config.os, architecture: config.architecture };
    if (typeof config.variant === 'string') platform.variant = config.variant;
    if (typeof config['os.version'] === 'string') platform['os.version'] = config['os.version'];
    return [platform];
  }

  /**
   * The blob `digest` of `ref`'s repository, as it arrives: verified against the digest as it
   * streams, the last chunk handed out only once the whole blob has been checked (DigestMismatch
   * otherwise). A connection that breaks mid-way is resumed from where it stopped (Range).
   * Bad input rejects the first `next()`. Each `for await` over it downloads the blob afresh.
   */
  blob(ref: string, digest: string, options: BlobOptions = {}): AsyncIterable<Uint8Array> {
    const open = (reference: RegistryReference) => (headers: Record<string, string>, signal: AbortSignal | undefined) => this.#blobRequest(reference, digest, headers, options, signal);
    return {
      async *[Symbol.asyncIterator]() {
        checkOptions('registry.blob', options, CALL);
        const reference = parseRegistryReference(ref);
        checkDigest(digest);
        yield* readBlob(open(reference), digest, `blob ${digest}`, options.signal);
      },
    };
  }

  /** Every tag of `repository`, following the registry's Link pages. */
  async tags(repository: string, options: TagsOptions = {}): Promise<string[]> {
    checkOptions('registry.tags', options, [...CALL, 'pageSize']);
    const reference = parseRegistryRepository(repository);
    if (options.pageSize !== undefined && !(Number.isSafeInteger(options.pageSize) && options.pageSize > 0)) throw new InvalidArgument('pageSize must be a positive whole number');
    const tags: string[] = [];
    const path = `/v2/${reference.repository}/tags/list${options.pageSize !== undefined ? `?n=${options.pageSize}` : ''}`;
    for (const page of this.#pages(reference, path, 'application/json', options)) {
      const { body } = await page;
      const list = parseJson<{ tags?: unknown }>(body, `${repository}'s tag list`);
      if (list.tags !== null && list.tags !== undefined && !Array.isArray(list.tags)) throw new ProtocolError(`${repository}'s tag list has no tags array`);
      for (const tag of (list.tags as unknown[] | null | undefined) ?? []) if (typeof tag === 'string') tags.push(tag);
    }
    return tags;
  }

  /**
   * The manifests that name `ref`'s manifest as their subject (signatures, SBOMs, attestations):
   * the referrers API, or, where the registry has none (404), the `sha256-<hex>` tag's index, as
   * the OCI distribution spec 1.1 says clients must. Filtered by `artifactType` here when the
   * registry did not (OCI-Filters-Applied).
   */
  async referrers(ref: string, options: ReferrersOptions = {}): Promise<Descriptor[]> {
    checkOptions('registry.referrers', options, [...CALL, 'artifactType']);
    const reference = parseRegistryReference(ref);
    if (options.artifactType !== undefined && (typeof options.artifactType !== 'string' || options.artifactType === '')) throw new InvalidArgument('artifactType must be a non-empty string');
    const digest = reference.digest ?? (await this.resolve(ref, pick(options, CALL))).digest;
    const algorithm = checkDigest(digest);
    const found: Descriptor[] = [];
    let filtered = true;
    const query = options.artifactType !== undefined ? `?artifactType=${encodeURIComponent(options.artifactType)}` : '';
    let apiMissing = false;
    for (const page of this.#pages(reference, `/v2/${reference.repository}/referrers/${digest}${query}`, OCI_INDEX, options, [404])) {
      const { response, body } = await page;
      if (response.statusCode === 404) {
        apiMissing = true;
        break;
      }
      const applied = (response.headers['oci-filters-applied'] ?? '').split(',').map((s) => s.trim());
      if (!applied.includes('artifactType')) filtered = false;
      found.push(...indexManifests(body, `${ref}'s referrers`));
    }
    if (apiMissing) {
      filtered = false;
      const tag = `${algorithm}-${digest.slice(algorithm.length + 1)}`;
      const response = await this.#manifestRequest({ registry: reference.registry, host: reference.host, repository: reference.repository, tag }, 'GET', options, [404]);
      if (response.statusCode === 404) {
        await response.body.dump();
        return [];
      }
      found.push(...indexManifests(await readBounded(response.body, MAX_MANIFEST_SIZE, `${ref}'s referrers tag`), `${ref}'s referrers tag`));
    }
    return options.artifactType === undefined || filtered ? found : found.filter((d) => d.artifactType === options.artifactType);
  }

  /** Closes idle connections to every registry. */
  close(): Promise<void> {
    return this.#requester.transport.close();
  }

  // ---- internals ----

  #target(reference: RegistryReference): Target {
    return { registry: reference.registry, origin: registryOrigin(reference, this.#insecure) };
  }

  #lookup(registry: string): Promise<AuthConfig | undefined> {
    if (this.#authConfig) return Promise.resolve(this.#authConfig);
    const remembered = this.#credentials.remembered(registry);
    if (remembered) return Promise.resolve(remembered);
    const now = Date.now();
    let entry = this.#fromConfig.get(registry);
    if (!entry || now - entry.at > CONFIG_CREDENTIALS_TTL) {
      entry = { at: now, auth: this.#credentials.resolve(registry) };
      this.#fromConfig.set(registry, entry);
    }
    return entry.auth;
  }

  #send(reference: RegistryReference, request: Omit<RegistryRequest, 'scopes' | 'timeout'> & { scopes?: string[] }, what: string, options: CallOptions): Promise<TransportResponse> {
    const timeout = options.timeout ?? this.#timeout;
    return this.#requester.send(
      this.#target(reference),
      { scopes: [`repository:${reference.repository}:pull`], ...request, timeout, ...(options.signal ? { signal: options.signal } : {}) },
      what,
      options.authConfig,
    );
  }

  async #manifestRequest(reference: RegistryReference, method: 'GET' | 'HEAD', options: CallOptions, pass: number[] = []): Promise<TransportResponse> {
    const name = `${reference.host}/${reference.repository}:${manifestReference(reference)}`;
    try {
      return await this.#send(reference, { method, path: `/v2/${reference.repository}/manifests/${manifestReference(reference)}`, headers: { Accept: MANIFEST_TYPES.join(', ') }, pass }, `manifest ${name}`, options);
    } catch (error) {
      if (error instanceof Error && 'statusCode' in error && error.statusCode === 404 && !pass.includes(404)) {
        const registryError = error as Error & { errors?: Array<{ message?: string }> };
        throw new ImageNotFound(404, registryError.errors?.[0]?.message ?? 'manifest unknown', `manifest ${name}`);
      }
      throw error;
    }
  }

  /** GET of a manifest, bounded, checked against the digest asked for or announced. */
  async #manifest(reference: RegistryReference, options: CallOptions): Promise<ManifestResult> {
    const response = await this.#manifestRequest(reference, 'GET', options);
    const length = Number(response.headers['content-length']);
    if (Number.isFinite(length) && length > MAX_MANIFEST_SIZE) {
      response.body.cancel();
      throw new ProtocolError(`the manifest of ${reference.repository} is ${length} bytes, more than ${MAX_MANIFEST_SIZE}: refused`);
    }
    const bytes = await readBounded(response.body, MAX_MANIFEST_SIZE, `the manifest of ${reference.repository}`);
    const announced = response.headers['docker-content-digest'];
    const expected = reference.digest ?? (announced !== undefined && /^sha(256|512):/.test(announced) ? announced : undefined);
    let digest: string;
    if (expected !== undefined) {
      const verifier = new DigestVerifier(expected, 'the manifest digest');
      verifier.update(bytes);
      verifier.verify(`the manifest of ${reference.repository}:${manifestReference(reference)}`);
      digest = expected;
    } else digest = sha256Of(bytes);
    const manifest = parseJson<Manifest>(bytes, `the manifest of ${reference.repository}`);
    if (manifest === null || typeof manifest !== 'object' || manifest.schemaVersion !== 2) throw new ProtocolError(`the manifest of ${reference.repository} is not a schema 2 manifest`);
    const mediaType = manifest.mediaType ?? (response.headers['content-type'] ?? '').split(';')[0]!.trim();
    return { descriptor: { mediaType, digest, size: bytes.length }, manifest, bytes };
  }

  async #blobRequest(reference: RegistryReference, digest: string, headers: Record<string, string>, options: CallOptions, signal: AbortSignal | undefined): Promise<TransportResponse> {
    return this.#send(
      reference,
      { method: 'GET', path: `/v2/${reference.repository}/blobs/${digest}`, headers, followRedirects: true },
      `blob ${digest} of ${reference.repository}`,
      { ...options, ...(signal ? { signal } : {}) },
    );
  }

  /** A whole small blob (a config), verified. */
  async #readBlob(reference: RegistryReference, digest: string, limit: number, options: CallOptions): Promise<Uint8Array> {
    checkDigest(digest, 'a config digest');
    const response = await this.#blobRequest(reference, digest, {}, options, options.signal);
    const bytes = await readBounded(response.body, limit, `blob ${digest}`);
    const verifier = new DigestVerifier(digest);
    verifier.update(bytes);
    verifier.verify(`blob ${digest} of ${reference.repository}`);
    return bytes;
  }

  /** The pages of a paged list: the first at `path`, then each Link rel="next" on the same origin. */
  *#pages(reference: RegistryReference, first: string, accept: string, options: CallOptions, pass: number[] = []): Generator<Promise<{ response: TransportResponse; body: Uint8Array }>> {
    const target = this.#target(reference);
    let path: string | undefined = first;
    let result: { response: TransportResponse; body: Uint8Array } | undefined;
    for (let pages = 0; path !== undefined; pages++) {
      if (pages > 100_000) throw new ProtocolError(`${reference.repository}: more than 100000 pages`);
      const at: string = path;
      const page = (async () => {
        const response = await this.#send(reference, { method: 'GET', path: at, headers: { Accept: accept }, pass }, `GET ${at.split('?')[0]}`, options);
        const body = response.statusCode === 404 ? (await response.body.dump(), new Uint8Array()) : await readBounded(response.body, MAX_PAGE_SIZE, `a page of ${at.split('?')[0]}`);
        return (result = { response, body });
      })();
      yield page;
      // (the consumer has awaited the page before asking for the next)
      const link = result?.response.statusCode === 200 ? nextLink(result.response.headers['link']) : undefined;
      path = undefined;
      if (link !== undefined) {
        const next = splitUrl(new URL(link, `${target.origin.secure ? 'https' : 'http'}://${reference.host}${at}`).href);
        if (next.origin.host !== target.origin.host || next.origin.port !== target.origin.port) throw new ProtocolError(`${reference.repository}: a next page on another origin is refused`);
        path = next.path;
      }
    }
  }
}

/** The descriptor of `index` for `platform` (a variant left out matches any); none is ImageNotFound. */
function choosePlatform(index: ImageIndex, platform: PlatformSpec, ref: string): Descriptor {
  const want = parsePlatform(platform);
  const found = index.manifests.find((m) => m.platform !== undefined && platformMatches(m.platform, want));
  if (!found) throw new ImageNotFound(404, `no image for ${[want.os, want.architecture, want.variant].filter(Boolean).join('/')} in the index`, ref);
  checkDigest(found.digest, 'an index entry\u2019s digest');
  return found;
}

/** This machine's platform as an image names it (linux, and Node's arch in GOARCH words). */
function hostPlatform(): PlatformSpec {
  const arch: Record<string, string> = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return { os: 'linux', architecture: arch[process.arch] ?? process.arch };
}

function indexManifests(body: Uint8Array, what: string): Descriptor[] {
  const index = parseJson<{ manifests?: unknown }>(body, what);
  if (!Array.isArray(index?.manifests)) throw new ProtocolError(`${what} is not an image index`);
  return (index.manifests as Descriptor[]).filter((d) => d !== null && typeof d === 'object' && typeof d.digest === 'string');
}

function parseJson<T>(bytes: Uint8Array, what: string): T {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch {
    throw new ProtocolError(`${what} is not JSON`);
  }
}

function pick<T extends object>(options: T, keys: readonly string[]): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([k]) => keys.includes(k))) as Partial<T>;
}
