// Registry: the OCI distribution API (v1.1) without an engine. Reads manifests, configs, blobs,
// tags and referrers, every manifest and blob checked against its digest, over transport/'s
// keep-alive pools (TLS by default; plain HTTP for loopback and `insecure` registries).
import type { AuthConfig } from '../credentials/auth-config.js';
import { Credentials } from '../credentials/credentials.js';
import { ImageNotFound, InvalidArgument, ProtocolError } from '../errors.js';
import { checkOptions } from '../options.js';
import { ociPlatform, parsePlatform, platformMatches, type Platform, type PlatformSpec } from '../platform.js';
import { ProgressJob, type RetryPolicy } from '../progress/job.js';
import type { ProgressEvent } from '../progress/events.js';
import { copyImage, type CopyEnds } from './copy.js';
import { copiedSubjects, copyReferrers } from './copy-referrers.js';
import { registryAttestations, type RegistryAttestationsOptions } from './attestations.js';
import type { AttestationList } from '../attestations/collect.js';
import { OriginTransport, authority, originKey, proxyFor, splitUrl, type Origin } from '../transport/origin.js';
import { stat, fileChunks } from '../files.js';
import { toBodySource, type BinarySource } from '../stream/body-source.js';
import { checkTag } from '../reference.js';
import { uploadBlob, type UploadSend, type UploadSource } from './upload.js';
import type { TransportResponse } from '../transport/types.js';
import { readBounded } from './answer.js';
import { readBlob } from './blob.js';
import { ContentHash, DigestVerifier, checkDigest, sha256Of } from './digest.js';
import { nextLink } from './link.js';
import { registryImageFiles } from './image-files.js';
import { extractFiles, type ExtractOptions, type ExtractResult } from '../image-archive/extract.js';
import type { FileEntry, ImageFiles } from '../image-archive/files.js';
import { formatReference, manifestReference, registryOrigin, parseRegistryReference, parseRegistryRepository, type RegistryReference } from './name.js';
import { DEFAULT_RETRY, Requester, type RegistryRequest, type Target } from './requester.js';
import { MANIFEST_TYPES, OCI_INDEX, OCI_MANIFEST, isIndex, type Descriptor, type ImageConfig, type ImageIndex, type ImageManifest, type Manifest, type ManifestResult } from '../oci.js';

/** MAX_MANIFEST_SIZE: manifests bigger than this are refused, as registries refuse to store them (distribution's limit). */
export const MAX_MANIFEST_SIZE = 4 * 1024 * 1024;
/** Image configs bigger than this are refused (they are read whole). */
const MAX_CONFIG_SIZE = 64 * 1024 * 1024;
/** A page of a tag list or of referrers. */
const MAX_PAGE_SIZE = 16 * 1024 * 1024;
/** How long a credential lookup in config.json (and its helper) is reused. */
const CONFIG_CREDENTIALS_TTL = 30_000;

/** RegistryOptions: the options of `new Registry(options)`. */
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

/** PlatformCallOptions: the options of the registry calls that pick one platform of an index. */
export interface PlatformCallOptions extends CallOptions {
  /** The platform's image of an index (`os/arch[/variant]` or an object). */
  platform?: PlatformSpec;
}

/** TagsOptions: the options of `registry.tags`. */
export interface TagsOptions extends CallOptions {
  /** Tags per page asked for (`n`); the registry may send fewer. */
  pageSize?: number;
}

/** ReferrersOptions: the options of `registry.referrers`. */
export interface ReferrersOptions extends CallOptions {
  /** Only referrers of this artifact type. */
  artifactType?: string;
}

/** BlobOptions: the options of `registry.blob`. */
export type BlobOptions = CallOptions;

/** RegistryCopyOptions: the options of `registry.copy`. */
export interface RegistryCopyOptions extends CallOptions {
  /** Only these platforms of an index: one gives that platform's image manifest, several a new index of them. */
  platforms?: PlatformSpec[];
  /** Blobs copied at once (default 4). */
  concurrency?: number;
  /** Also every manifest that refers to what is copied (signatures, attestations, SBOMs), recursively, and the legacy `.sig`/`.att`/`.sbom` tags. */
  referrers?: boolean;
}

/** PushBlobOptions: the options of `registry.pushBlob`. */
export interface PushBlobOptions extends CallOptions {
  /** The blob's digest, when known: checked, and a blob the registry has is not sent. */
  digest?: string;
  /** Its size in bytes, when known (a stream of known size goes in one PUT). */
  size?: number;
  /** Bytes per PATCH of a chunked upload (at least the registry's OCI-Chunk-Min-Length). */
  chunkSize?: number;
  /** The media type of the descriptor returned (default application/octet-stream). */
  mediaType?: string;
}

/** PushManifestOptions: the options of `registry.pushManifest`. */
export interface PushManifestOptions extends CallOptions {
  /** Content-Type of the manifest (default: its own `mediaType`). */
  mediaType?: string;
}

/** AttachOptions: what `registry.attach` pushes: the artifact type, its blobs and annotations. */
export interface AttachOptions extends CallOptions {
  artifactType: string;
  /** The artifact's blobs (its layers); none gives one empty blob, as OCI 1.1 says. */
  blobs: Array<{ mediaType: string; data: BinarySource | string; annotations?: Record<string, string> }>;
  annotations?: Record<string, string>;
}

/** The OCI empty descriptor's media type and content (image spec 1.1, `{}`). */
const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
const EMPTY_JSON = new TextEncoder().encode('{}');

const CALL = ['authConfig', 'signal', 'timeout'] as const;
const FILES = [...CALL, 'platform'];

/** Registry: an OCI distribution client without an engine (resolve, manifest, config, platforms, blob, tags, referrers, copy, push, tag, delete, attach); `docker.registry` is one sharing the client's credentials. */
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
    return (await this.#image(parseRegistryReference(ref), ref, options)).config;
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

  /**
   * The merged filesystem of the image `ref` names (of an index, `platform`'s, default this
   * machine's), path by path, parents first, as `openImageArchive(...).files()` gives an archive's:
   * each layer's blob streamed and checked against its digest, nothing written to disk. Bad input
   * rejects the first `next()`.
   */
  files(ref: string, options: PlatformCallOptions = {}): AsyncIterable<FileEntry> {
    const self = this;
    return (async function* () {
      yield* (await self.#imageFiles(ref, options, 'files', FILES)).files();
    })();
  }

  /** One file of the image `ref` names, symlinks followed inside the image; FileNotFound when it has none there. */
  async readFile(ref: string, path: string, options: PlatformCallOptions = {}): Promise<Uint8Array> {
    if (typeof path !== 'string' || path === '') throw new InvalidArgument('registry.readFile: path must be a non-empty string');
    return (await this.#imageFiles(ref, options, 'readFile', FILES)).readFile(path);
  }

  /** The merged filesystem of the image `ref` names as one tar stream (`crane export`). */
  export(ref: string, options: PlatformCallOptions = {}): AsyncIterable<Uint8Array> {
    const self = this;
    return (async function* () {
      yield* (await self.#imageFiles(ref, options, 'export', FILES)).export();
    })();
  }

  /** Writes the merged filesystem of the image `ref` names into `dir`, never outside it (see openImageArchive's extract). */
  async extract(ref: string, dir: string, options: PlatformCallOptions & ExtractOptions = {}): Promise<ExtractResult> {
    if (typeof dir !== 'string' || dir === '') throw new InvalidArgument('registry.extract: dir must be a non-empty string');
    const files = await this.#imageFiles(ref, options, 'extract', [...FILES, 'devices']);
    return extractFiles(files.files(), dir, options.devices === undefined ? {} : { devices: options.devices });
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

  /**
   * Pushes a blob to `repository` (bytes, a stream, or a file's path): not at all when the registry
   * has it already (given or computed digest), in one PUT when its size and digest are known, else
   * in chunks. Content that does not hash to `digest` is DigestMismatch, refused before the
   * registry completes it.
   */
  async pushBlob(repository: string, data: BinarySource | string, options: PushBlobOptions = {}): Promise<Descriptor> {
    checkOptions('registry.pushBlob', options, [...CALL, 'digest', 'size', 'chunkSize', 'mediaType']);
    const reference = parseRegistryRepository(repository);
    if (options.digest !== undefined) checkDigest(options.digest);
    if (options.size !== undefined && !(Number.isSafeInteger(options.size) && options.size >= 0)) throw new InvalidArgument('size must be a whole number of bytes');
    if (options.chunkSize !== undefined && !(Number.isSafeInteger(options.chunkSize) && options.chunkSize > 0)) throw new InvalidArgument('chunkSize must be a positive whole number of bytes');
    let source: UploadSource;
    if (typeof data === 'string') {
      const fail = (error: NodeJS.ErrnoException): Error => new InvalidArgument(`cannot read ${data}: ${error.code ?? error.message}`);
      const size = (await stat(data).catch((error: NodeJS.ErrnoException) => Promise.reject(fail(error)))).size;
      let digest = options.digest;
      if (digest === undefined) {
        const hash = new ContentHash();
        for await (const chunk of fileChunks(data, undefined, fail)) hash.update(chunk);
        digest = hash.digest();
      }
      source = { data: fileChunks(data, undefined, fail), size, digest };
    } else {
      source = { data: toBodySource(data, 'data'), ...(options.size !== undefined ? { size: options.size } : {}), ...(options.digest !== undefined ? { digest: options.digest } : {}) };
    }
    const target = this.#target(reference);
    const scopes = [`repository:${reference.repository}:pull,push`];
    const send: UploadSend = (method, path, headers, body, bodyLength, pass) =>
      this.#requester.send(
        target,
        { method, path, headers, scopes, timeout: options.timeout ?? this.#timeout, ...(options.signal ? { signal: options.signal } : {}), ...(body !== undefined ? { body } : {}), ...(bodyLength !== undefined ? { bodyLength } : {}), ...(pass ? { pass } : {}) },
        `${method} a blob to ${reference.host}/${reference.repository}`,
        options.authConfig,
      );
    const { digest, size } = await uploadBlob(send, reference.repository, source, (location) => sameOrigin(location, target.origin), options.chunkSize);
    return { mediaType: options.mediaType ?? 'application/octet-stream', digest, size };
  }

  /**
   * Pushes a manifest (an object, sent as JSON, or its exact bytes) under `ref`'s tag or digest;
   * its media type is `mediaType`, else the manifest's own. A digest in `ref` that the bytes do
   * not hash to is DigestMismatch, before anything is sent.
   */
  async pushManifest(ref: string, manifest: Manifest | Uint8Array, options: PushManifestOptions = {}): Promise<Descriptor> {
    checkOptions('registry.pushManifest', options, [...CALL, 'mediaType']);
    const reference = parseRegistryReference(ref);
    return (await this.#putManifest(reference, manifest, options)).descriptor;
  }

  /** The manifest `ref` names, under another tag of its repository (its exact bytes, so its digest). */
  async tag(ref: string, tag: string, options: CallOptions = {}): Promise<Descriptor> {
    checkOptions('registry.tag', options, CALL);
    const reference = parseRegistryReference(ref);
    checkTag(tag);
    const { bytes, descriptor } = await this.#manifest(reference, options);
    return (await this.#putManifest({ registry: reference.registry, host: reference.host, repository: reference.repository, tag }, bytes, { ...options, mediaType: descriptor.mediaType })).descriptor;
  }

  /** Deletes the manifest `ref` names: by digest, or by tag where the registry allows it (registry 2.8 does not: UNSUPPORTED). */
  async delete(ref: string, options: CallOptions = {}): Promise<void> {
    checkOptions('registry.delete', options, CALL);
    const reference = parseRegistryReference(ref);
    const response = await this.#send(
      reference,
      { method: 'DELETE', path: `/v2/${reference.repository}/manifests/${manifestReference(reference)}`, scopes: [`repository:${reference.repository}:delete`] },
      `DELETE ${reference.host}/${reference.repository}@${manifestReference(reference)}`,
      options,
    );
    await response.body.dump();
  }

  /**
   * Attaches an OCI 1.1 artifact to `subject` (a signature, an SBOM): its blobs pushed, then a
   * manifest whose `subject` is the image. A registry without the referrers API (no OCI-Subject
   * in its answer) gets the `sha256-<hex>` tag's index updated, every earlier referrer kept.
   */
  async attach(subject: string, options: AttachOptions): Promise<Descriptor> {
    checkOptions('registry.attach', options, [...CALL, 'artifactType', 'blobs', 'annotations']);
    const reference = parseRegistryReference(subject, 'subject');
    if (typeof options?.artifactType !== 'string' || options.artifactType === '') throw new InvalidArgument('attach needs an artifactType');
    if (!Array.isArray(options.blobs)) throw new InvalidArgument('blobs must be a list of { mediaType, data }');
    const call = pick(options, CALL) as CallOptions;
    const subjectDescriptor = await this.resolve(subject, call);
    const repository = `${reference.registry}/${reference.repository}`;
    const layers: Descriptor[] = [];
    for (const blob of options.blobs) {
      if (typeof blob?.mediaType !== 'string' || blob.mediaType === '') throw new InvalidArgument('each blob needs a mediaType');
      const pushed = await this.pushBlob(repository, blob.data, { ...call, mediaType: blob.mediaType });
      layers.push({ mediaType: pushed.mediaType, digest: pushed.digest, size: pushed.size, ...(blob.annotations ? { annotations: blob.annotations } : {}) });
    }
    const empty = await this.pushBlob(repository, EMPTY_JSON, { ...call, mediaType: OCI_EMPTY });
    const manifest = {
      schemaVersion: 2 as const,
      mediaType: OCI_MANIFEST,
      artifactType: options.artifactType,
      config: { mediaType: OCI_EMPTY, digest: empty.digest, size: empty.size },
      layers: layers.length ? layers : [{ mediaType: OCI_EMPTY, digest: empty.digest, size: empty.size }],
      subject: { mediaType: subjectDescriptor.mediaType, digest: subjectDescriptor.digest, size: subjectDescriptor.size },
      ...(options.annotations ? { annotations: options.annotations } : {}),
    };
    const bytes = new TextEncoder().encode(JSON.stringify(manifest));
    const digest = sha256Of(bytes);
    const base = { registry: reference.registry, host: reference.host, repository: reference.repository };
    const { descriptor, response } = await this.#putManifest({ ...base, digest }, bytes, { ...call, mediaType: OCI_MANIFEST });
    if (response.headers['oci-subject'] === undefined) {
      // the tag schema fallback (distribution spec 1.1): the index under sha256-<hex> gains this one
      const algorithm = checkDigest(subjectDescriptor.digest);
      const tag = `${algorithm}-${subjectDescriptor.digest.slice(algorithm.length + 1)}`;
      const existing = await this.#manifestRequest({ ...base, tag }, 'GET', call, [404]);
      const earlier = existing.statusCode === 404 ? (await existing.body.dump(), []) : indexManifests(await readBounded(existing.body, MAX_MANIFEST_SIZE, `${subject}'s referrers tag`), `${subject}'s referrers tag`);
      const entry: Descriptor = { mediaType: OCI_MANIFEST, digest, size: bytes.length, artifactType: options.artifactType, ...(options.annotations ? { annotations: options.annotations } : {}) };
      const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...earlier.filter((d) => d.digest !== digest), entry] };
      await this.#putManifest({ ...base, tag }, new TextEncoder().encode(JSON.stringify(index)), { ...call, mediaType: OCI_INDEX });
    }
    return { ...descriptor, artifactType: options.artifactType, ...(options.annotations ? { annotations: options.annotations } : {}) };
  }

  /**
   * Copies `src` to `dst` (another repository, of this registry or another), streamed: every
   * platform of an index by default, or only `platforms`. A Job: its events are the blobs'
   * progress, as a push's (`job.totals`); its result is the destination's descriptor.
   */
  copy(src: string, dst: string, options: RegistryCopyOptions = {}): ProgressJob<Descriptor> {
    return new ProgressJob<Descriptor>(async (scope, state) => {
      state.tries = 1;
      checkOptions('registry.copy', options, [...CALL, 'platforms', 'concurrency', 'referrers']);
      if (options.platforms !== undefined && !Array.isArray(options.platforms)) throw new InvalidArgument('platforms must be a list');
      const from = parseRegistryReference(src, 'src');
      const to = parseRegistryReference(dst, 'dst');
      const call: CallOptions = { ...pick(options, CALL), signal: scope.signal };
      const target = this.#target(to);
      const push = [`repository:${to.repository}:pull,push`];
      const send: UploadSend = (method, path, headers, body, bodyLength, pass) =>
        this.#requester.send(target, { method, path, headers, scopes: push, timeout: call.timeout ?? this.#timeout, signal: scope.signal, ...(body !== undefined ? { body } : {}), ...(bodyLength !== undefined ? { bodyLength } : {}), ...(pass ? { pass } : {}) }, `${method} to ${to.host}/${to.repository}`, call.authConfig);
      const base = { registry: to.registry, host: to.host, repository: to.repository };
      const ends: CopyEnds = {
        from: from.repository,
        sourceManifest: (digest) => this.#manifest(digest ? { ...from, digest } : from, call),
        has: async (digest) => {
          const head = await send('HEAD', `/v2/${to.repository}/blobs/${digest}`, {}, undefined, undefined, [404]);
          await head.body.dump();
          return head.statusCode === 200;
        },
        mount: async (digest) => {
          if (from.host !== to.host || from.repository === to.repository) return false;
          const response = await this.#requester.send(
            target,
            { method: 'POST', path: `/v2/${to.repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from.repository)}`, scopes: [...push, `repository:${from.repository}:pull`], timeout: call.timeout ?? this.#timeout, signal: scope.signal, pass: [202] },
            `mount ${digest} into ${to.repository}`,
            call.authConfig,
          );
          await response.body.dump();
          return response.statusCode === 201;
        },
        transfer: async (descriptor, progress) => {
          let sent = 0;
          const counted = async function* (source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
            for await (const chunk of source) {
              sent += chunk.length;
              progress(sent);
              yield chunk;
            }
          };
          const source = readBlob((headers, signal) => this.#blobRequest(from, descriptor.digest, headers, call, signal), descriptor.digest, `blob ${descriptor.digest}`, scope.signal);
          await uploadBlob(send, to.repository, { data: counted(source), size: descriptor.size, digest: descriptor.digest }, (location) => sameOrigin(location, target.origin));
        },
        putManifest: async (bytes, mediaType, tagged) =>
          (await this.#putManifest(tagged ? to : { ...base, digest: sha256Of(bytes) }, bytes, { ...call, mediaType })).descriptor,
      };
      const emit = (event: ProgressEvent): unknown => {
        state.totals.update(event);
        return scope.emit(event);
      };
      const copied = await copyImage(ends, { ...(options.platforms ? { platforms: options.platforms } : {}), ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}) }, emit);
      if (options.referrers) {
        const [source, destination] = [from, to].map((r) => formatReference({ registry: r.registry, host: r.host, repository: r.repository })) as [string, string];
        await copyReferrers(this, source, destination, await copiedSubjects(this, destination, copied, options.platforms !== undefined, call), call, emit);
      }
      return copied;
    }, options.signal);
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

  /** The image manifest and config `ref` names: of an index, `platform`'s (default: this machine's). */
  async #image(reference: RegistryReference, ref: string, options: PlatformCallOptions): Promise<{ manifest: ImageManifest; descriptor: Descriptor; config: ImageConfig }> {
    let { manifest, descriptor } = await this.#manifest(reference, options);
    if (isIndex(manifest, descriptor.mediaType)) {
      const chosen = choosePlatform(manifest, options.platform ?? hostPlatform(), ref);
      ({ manifest, descriptor } = await this.#manifest({ ...reference, digest: chosen.digest }, options));
    }
    const configDescriptor = (manifest as { config?: Descriptor }).config;
    if (!configDescriptor || typeof configDescriptor.digest !== 'string') throw new ProtocolError(`${ref}: the manifest has no config`);
    const config = parseJson<ImageConfig>(await this.#readBlob(reference, configDescriptor.digest, MAX_CONFIG_SIZE, options), `${ref}'s config`);
    return { manifest: manifest as ImageManifest, descriptor, config };
  }

  /** The merged view of the image `ref` names (options checked as `registry.${where}`'s), its layers read with blob(). */
  async #imageFiles(ref: string, options: PlatformCallOptions, where: string, known: readonly string[]): Promise<ImageFiles> {
    checkOptions(`registry.${where}`, options, known);
    const reference = parseRegistryReference(ref);
    const { manifest, descriptor, config } = await this.#image(reference, ref, options);
    if (options.platform !== undefined) {
      // a single image is only the platform asked for if its config says so
      const want = parsePlatform(options.platform);
      const has = { os: config.os, architecture: config.architecture, ...(typeof config.variant === 'string' ? { variant: config.variant } : {}) };
      if (!platformMatches(has, want)) throw new ImageNotFound(404, `no image for ${[want.os, want.architecture, want.variant].filter(Boolean).join('/')}: the image is ${[has.os, has.architecture, has.variant].filter(Boolean).join('/')}`, ref);
    }
    const call = pick(options, CALL) as CallOptions;
    return registryImageFiles(ref, descriptor.digest, manifest, config, (digest) => this.blob(ref, digest, call));
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

  async #putManifest(reference: RegistryReference, manifest: Manifest | Uint8Array, options: CallOptions & { mediaType?: string }): Promise<{ descriptor: Descriptor; response: TransportResponse }> {
    let bytes: Uint8Array;
    if (manifest instanceof Uint8Array) bytes = manifest;
    else if (manifest !== null && typeof manifest === 'object') bytes = new TextEncoder().encode(JSON.stringify(manifest));
    else throw new InvalidArgument('manifest must be an object or its bytes');
    if (bytes.length > MAX_MANIFEST_SIZE) throw new InvalidArgument(`the manifest is ${bytes.length} bytes, more than ${MAX_MANIFEST_SIZE}`);
    const mediaType = options.mediaType ?? (manifest instanceof Uint8Array ? parseJson<{ mediaType?: unknown }>(bytes, 'the manifest').mediaType : manifest.mediaType);
    if (typeof mediaType !== 'string' || mediaType === '') throw new InvalidArgument('the manifest has no mediaType: give one');
    const digest = reference.digest ?? sha256Of(bytes);
    if (reference.digest !== undefined) {
      const verifier = new DigestVerifier(reference.digest);
      verifier.update(bytes);
      verifier.verify('the manifest to push');
    }
    const response = await this.#send(
      reference,
      { method: 'PUT', path: `/v2/${reference.repository}/manifests/${manifestReference(reference)}`, headers: { 'Content-Type': mediaType }, body: bytes, scopes: [`repository:${reference.repository}:pull,push`] },
      `PUT the manifest ${reference.host}/${reference.repository}:${manifestReference(reference)}`,
      options,
    );
    await response.body.dump();
    return { descriptor: { mediaType, digest, size: bytes.length }, response };
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

  /** The in-toto statements about `ref` (of an index: about its `platform`'s manifest and about the index), from the index's attestation manifests and from referrers, each bound to its image (docs/attestations.md). */
  attestations(ref: string, options: RegistryAttestationsOptions = {}): Promise<AttestationList> {
    return registryAttestations(this, ref, options);
  }
}

/** The path and query of a Location the registry gave, which must be on its own origin. */
function sameOrigin(location: string | undefined, origin: Origin): string {
  if (location === undefined) throw new ProtocolError('the registry started an upload without a Location');
  const base = `${origin.secure ? 'https' : 'http'}://${authority(origin)}`;
  const next = splitUrl(new URL(location, `${base}/`).href);
  if (originKey(next.origin) !== originKey(origin)) throw new ProtocolError('the registry sent an upload to another origin: refused');
  return next.path;
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
