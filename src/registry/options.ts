// The options the Registry's calls take, and each call's list of their names (checked by
// checkOptions before anything is sent).
import type { AuthConfig } from '../credentials/auth-config.js';
import type { Credentials } from '../credentials/credentials.js';
import type { ExtractOptions } from '../image-archive/extract.js';
import { checkDigest } from '../digest.js';
import { InvalidArgument } from '../errors.js';
import { checkOptions, optionNames } from '../options.js';
import type { PlatformSpec } from '../platform.js';
import type { RetryPolicy } from '../progress/job.js';
import type { BinarySource } from '../stream/body-source.js';

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
  /** Whole-head deadline of each response, in ms: from the request sent to the last byte of the head, however it trickles (default 30 000; 0 = none). */
  headersTimeout?: number;
  /**
   * Called with a Bearer challenge's token realm before any request is sent to it: false (or a
   * promise of false) refuses it (RegistryError, DENIED), e.g. a realm on a private address a
   * registry should not send you to. Default: every http(s) realm.
   */
  allowRealm?: (realm: URL) => boolean | Promise<boolean>;
  /**
   * certs.d folders (Docker's scheme: `<folder>/<host[:port]>/*.crt` CAs, `<name>.cert` with
   * `<name>.key` a client certificate), searched in order. Default: `~/.config/containers/certs.d`,
   * `/etc/containers/certs.d`, `/etc/docker/certs.d`; `false`: none. See docs/registry.md.
   */
  certsDir?: string | readonly string[] | false;
  /** containerd's hosts folder (`<folder>/<host[:port]>/hosts.toml`). Default `/etc/containerd/certs.d`; `false`: none. */
  hostsDir?: string | false;
  /** containers' registries.conf (v2). Default: the user's, else `/etc/containers/registries.conf`; `false`: none. */
  registriesConf?: string | false;
  /**
   * Docker Hub mirrors (URLs, as dockerd's `registry-mirrors`) tried in order before Docker Hub
   * for pulls, or a function giving them when first needed (`docker.registry` with the client's
   * `engineMirrors: true`: the engine's `RegistryConfig.Mirrors`).
   */
  hubMirrors?: readonly string[] | (() => Promise<readonly string[]>);
}

/**
 * RegistryCallOptions: the options every registry call takes (its credentials, its own timeout).
 * Not the Engine API's `CallOptions`, which carry a request's headers, body and query.
 */
export interface RegistryCallOptions {
  /** Credentials for this call only. */
  authConfig?: AuthConfig;
  /** Stops the call when it aborts. */
  signal?: AbortSignal;
  /** Inactivity timeout for this call's requests, in ms. */
  timeout?: number;
  /** Whole-head deadline of this call's responses, in ms (default: the Registry's). */
  headersTimeout?: number;
  /** The whole call's deadline, in ms from its start (every request, retry and body read in it, and a stream it hands back until the stream ends): then TimeoutError, kind `deadline`. Default none. */
  deadline?: number;
}

/** PlatformCallOptions: the options of the registry calls that pick one platform of an index. */
export interface PlatformCallOptions extends RegistryCallOptions {
  /** The platform's image of an index (`os/arch[/variant]` or an object). */
  platform?: PlatformSpec;
}

/** ListBounds: the bounds of a paged list (tags, referrers): past either, the call fails (ProtocolError), it is never cut short. */
export interface ListBounds {
  /** Most pages read (default 1,000). */
  maxPages?: number;
  /** Most entries kept (default 100,000). */
  maxEntries?: number;
}

/** TagsOptions: the options of `registry.tags`. */
export interface TagsOptions extends RegistryCallOptions, ListBounds {
  /** Tags per page asked for (`n`); the registry may send fewer. */
  pageSize?: number;
}

/** ReferrersOptions: the options of `registry.referrers`. */
export interface ReferrersOptions extends RegistryCallOptions, ListBounds {
  /** Only referrers of this artifact type. */
  artifactType?: string;
}

/** BlobOptions: the options of `registry.blob`. */
export interface BlobOptions extends RegistryCallOptions {
  /**
   * Each chunk is lent: valid until the next is asked for, its memory then reused. For a consumer
   * that does not keep chunks (a hash, a file write, a socket): the connection's reads of up to
   * 1 MiB as they are, no allocation or copy per chunk.
   */
  borrowChunks?: boolean;
}

/** BlobDescriptor: what `registry.blob` may be given instead of a bare digest: the digest and the size a descriptor gives it. */
export interface BlobDescriptor {
  digest: string;
  /** Its size in bytes: a blob that turns out longer is refused one byte past it. */
  size: number;
}

/** RegistryCopyOptions: the options of `registry.copy`. */
export interface RegistryCopyOptions extends RegistryCallOptions {
  /** Only these platforms of an index: one gives that platform's image manifest, several a new index of them. */
  platforms?: PlatformSpec[];
  /** Blobs copied at once (default 4). */
  concurrency?: number;
  /** Also every manifest that refers to what is copied (signatures, attestations, SBOMs), recursively, and the legacy `.sig`/`.att`/`.sbom` tags. */
  referrers?: boolean;
}

/** RegistrySaveOptions: the options of `registry.save`. */
export interface RegistrySaveOptions extends RegistryCallOptions {
  /** Only these platforms of an index: one gives that platform's image manifest, several a new index of them. */
  platforms?: PlatformSpec[];
  /** Blobs copied at once (default 4). */
  concurrency?: number;
  /** Also every manifest that refers to what is saved (signatures, attestations, SBOMs), recursively, and the legacy `.sig`/`.att`/`.sbom` tags. */
  referrers?: boolean;
  /** The name index.json gives the image (`org.opencontainers.image.ref.name`): default the reference's tag, none for a digest. */
  tag?: string;
}

/** RegistryLoadOptions: the options of `registry.load`. */
export interface RegistryLoadOptions extends RegistryCallOptions {
  /** Which of the layout's images: a name its index.json gives, or a digest (default: its one image or index). */
  image?: string;
  /** Only these platforms of an index: one gives that platform's image manifest, several a new index of them. */
  platforms?: PlatformSpec[];
  /** Blobs copied at once (default 4). */
  concurrency?: number;
  /** Also every manifest the layout keeps that refers to what is loaded (signatures, attestations, SBOMs), recursively, and the legacy `.sig`/`.att`/`.sbom` manifests. */
  referrers?: boolean;
}

/** PushBlobOptions: the options of `registry.pushBlob`. */
export interface PushBlobOptions extends RegistryCallOptions {
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
export interface PushManifestOptions extends RegistryCallOptions {
  /** Content-Type of the manifest (default: its own `mediaType`). */
  mediaType?: string;
}

/** AttachBlob: one blob of an artifact `registry.attach` pushes. */
export interface AttachBlob {
  /** The blob's media type. */
  mediaType: string;
  /** Its bytes, a stream of them, or a file's path. */
  data: BinarySource | string;
  /** The annotations of its descriptor. */
  annotations?: Record<string, string>;
}

/** AttachOptions: what `registry.attach` pushes: the artifact type, its blobs and annotations. */
export interface AttachOptions extends RegistryCallOptions {
  /** The artifact's type (the manifest's `artifactType`). */
  artifactType: string;
  /** The artifact's blobs (its layers); none gives one empty blob, as OCI 1.1 says. */
  blobs: AttachBlob[];
  /** The manifest's annotations. */
  annotations?: Record<string, string>;
}

/** The names of each call's options. */
export const REGISTRY_OPTIONS = optionNames<RegistryOptions>({
  configDir: true,
  authConfig: true,
  insecure: true,
  timeout: true,
  ca: true,
  retry: true,
  env: true,
  credentials: true,
  maxSockets: true,
  headersTimeout: true,
  allowRealm: true,
  certsDir: true,
  hostsDir: true,
  registriesConf: true,
  hubMirrors: true,
});
/** CALL_NAMES: the names of every registry call's options (RegistryCallOptions), spread into each call's own list. */
export const CALL_NAMES = {
  authConfig: true,
  signal: true,
  timeout: true,
  headersTimeout: true,
  deadline: true,
} as const satisfies { [K in keyof Required<RegistryCallOptions>]: true };
export const CALL_OPTIONS = optionNames<RegistryCallOptions>(CALL_NAMES);
export const PLATFORM_CALL_OPTIONS = optionNames<PlatformCallOptions>({
  ...CALL_NAMES,
  platform: true,
});
export const EXTRACT_CALL_OPTIONS = optionNames<PlatformCallOptions & ExtractOptions>({
  ...CALL_NAMES,
  platform: true,
  devices: true,
});
export const TAGS_OPTIONS = optionNames<TagsOptions>({
  ...CALL_NAMES,
  pageSize: true,
  maxPages: true,
  maxEntries: true,
});
export const REFERRERS_OPTIONS = optionNames<ReferrersOptions>({
  ...CALL_NAMES,
  artifactType: true,
  maxPages: true,
  maxEntries: true,
});
export const COPY_OPTIONS = optionNames<RegistryCopyOptions>({
  ...CALL_NAMES,
  platforms: true,
  concurrency: true,
  referrers: true,
});
export const SAVE_OPTIONS = optionNames<RegistrySaveOptions>({
  ...CALL_NAMES,
  platforms: true,
  concurrency: true,
  referrers: true,
  tag: true,
});
export const LOAD_OPTIONS = optionNames<RegistryLoadOptions>({
  ...CALL_NAMES,
  image: true,
  platforms: true,
  concurrency: true,
  referrers: true,
});
export const BLOB_OPTIONS = optionNames<BlobOptions>({
  ...CALL_NAMES,
  borrowChunks: true,
});
export const PUSH_BLOB_OPTIONS = optionNames<PushBlobOptions>({
  ...CALL_NAMES,
  digest: true,
  size: true,
  chunkSize: true,
  mediaType: true,
});
export const PUSH_MANIFEST_OPTIONS = optionNames<PushManifestOptions>({
  ...CALL_NAMES,
  mediaType: true,
});
export const ATTACH_OPTIONS = optionNames<AttachOptions>({
  ...CALL_NAMES,
  artifactType: true,
  blobs: true,
  annotations: true,
});

/** Checks `new Registry`'s options: their names, then InvalidArgument for a bad insecure list, timeout, headersTimeout or allowRealm. */
export function checkRegistryOptions(options: RegistryOptions): void {
  checkOptions('new Registry', options, REGISTRY_OPTIONS);
  if (
    options.insecure !== undefined &&
    (!Array.isArray(options.insecure) || options.insecure.some((r) => typeof r !== 'string' || r === ''))
  ) {
    throw new InvalidArgument('insecure must be a list of registries (host[:port])');
  }
  for (const name of ['timeout', 'headersTimeout'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0))
      throw new InvalidArgument(`${name} must be a number of ms (0 for none)`);
  }
  if (options.allowRealm !== undefined && typeof options.allowRealm !== 'function')
    throw new InvalidArgument('allowRealm must be a function');
}

/** The registries of `insecure` as requests are matched against them: no scheme, no trailing slash, lowercase. */
export function insecureRegistries(insecure: readonly string[] | undefined): Set<string> {
  return new Set(
    (insecure ?? []).map((r) =>
      r
        .replace(/^[a-z]+:\/\//i, '')
        .replace(/\/+$/, '')
        .toLowerCase(),
    ),
  );
}

/** The call options of `options` alone (what a call passes on to the calls it makes). */
export function callOptions(options: RegistryCallOptions): RegistryCallOptions {
  return {
    ...(options.authConfig !== undefined ? { authConfig: options.authConfig } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    ...(options.headersTimeout !== undefined ? { headersTimeout: options.headersTimeout } : {}),
  };
}

/** The digest and size (when given) of what `registry.blob` was asked for. */
export function blobDescriptor(blob: string | BlobDescriptor): { digest: string; size: number | undefined } {
  if (typeof blob === 'string') {
    checkDigest(blob);
    return { digest: blob, size: undefined };
  }
  if (blob === null || typeof blob !== 'object')
    throw new InvalidArgument('registry.blob: give a digest or a descriptor ({ digest, size })');
  checkDigest(blob.digest);
  if (!(Number.isSafeInteger(blob.size) && blob.size >= 0))
    throw new InvalidArgument('registry.blob: the descriptor\u2019s size must be a whole number of bytes');
  return { digest: blob.digest, size: blob.size };
}
