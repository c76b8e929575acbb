// Registry: the OCI distribution API (v1.1) without an engine. Reads manifests, configs, blobs,
// tags and referrers, every manifest and blob checked against its digest, over transport/'s
// keep-alive pools (TLS by default; plain HTTP for loopback and `insecure` registries). What a
// Registry is made of is checked and built here; the calls themselves are calls.ts's, loaded by
// the first call, so that a program that never asks a registry does not evaluate them.
import type { VerifyAttestationsOptions, VerifyOptions } from './signatures.js';
import type { AttestationVerification, ImageVerification } from '../signatures/verify.js';
import type { AttestOptions, SignOptions, SignResult } from './sign.js';
import { appendImage, mutateImage } from './append-job.js';
import type { AppendOptions, MutateOptions } from './append.js';
import type { AppendResult } from '../append/types.js';
import { Credentials } from '../credentials/credentials.js';
import type { ExtractOptions, ExtractResult } from '../image-archive/extract.js';
import type { FileEntry } from '../image-archive/files.js';
import type { Descriptor, ImageConfig, Manifest, ManifestResult } from '../oci.js';
import type { Platform } from '../platform.js';
import { ProgressJob } from '../progress/job.js';
import type { BinarySource } from '../stream/body-source.js';
import { OriginTransport, proxyFor } from '../transport/origin.js';
import { DEFAULT_HEADERS_TIMEOUT } from '../transport/deadline.js';
import type { RegistryAttestationsOptions } from './attestations.js';
import type { AttestationList } from '../attestations/collect.js';
import type { RegistryParts, RegistryCalls } from './calls.js';
import { CredentialLookup } from './credential-lookup.js';
import { HostPlans } from './host-plans.js';
import {
  checkRegistryOptions,
  insecureRegistries,
  type AttachOptions,
  type BlobDescriptor,
  type BlobOptions,
  type PlatformCallOptions,
  type PushBlobOptions,
  type PushManifestOptions,
  type ReferrersOptions,
  type RegistryCallOptions,
  type RegistryCopyOptions,
  type RegistryLoadOptions,
  type RegistryOptions,
  type RegistrySaveOptions,
  type TagsOptions,
} from './options.js';

export { DEFAULT_MAX_ENTRIES, DEFAULT_MAX_PAGES, MAX_MANIFEST_SIZE, MAX_RETRY_AFTER } from './bounds.js';
export type {
  AttachBlob,
  AttachOptions,
  BlobDescriptor,
  BlobOptions,
  ListBounds,
  PlatformCallOptions,
  PushBlobOptions,
  PushManifestOptions,
  ReferrersOptions,
  RegistryCallOptions,
  RegistryCopyOptions,
  RegistryLoadOptions,
  RegistryOptions,
  RegistrySaveOptions,
  TagsOptions,
} from './options.js';

/**
 * Registry: an OCI distribution client without an engine (resolve, manifest, config, platforms,
 * blob, tags, referrers, copy, push, tag, delete, attach); `docker.registry` is one sharing the
 * client's credentials.
 */
export class Registry {
  readonly #transport: OriginTransport;
  readonly #parts: RegistryParts;
  #made: Promise<RegistryCalls> | undefined;

  constructor(options: RegistryOptions = {}) {
    checkRegistryOptions(options);
    const env = options.env ?? process.env;
    const credentials =
      options.credentials ??
      new Credentials({ ...(options.configDir !== undefined ? { configDir: options.configDir } : {}), env });
    const insecure = insecureRegistries(options.insecure);
    const { certsDir, hostsDir, registriesConf } = options;
    const config = {
      ...(certsDir !== undefined ? { certsDir } : {}),
      ...(hostsDir !== undefined ? { hostsDir } : {}),
      ...(registriesConf !== undefined ? { registriesConf } : {}),
    };
    const hosts = new HostPlans({ ...config, insecure: [...insecure], env }, options.hubMirrors);
    this.#transport = new OriginTransport({
      proxy: (origin) => proxyFor(origin, env),
      origin: (origin) => hosts.settings(origin),
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      ...(options.maxSockets !== undefined ? { maxSockets: options.maxSockets } : {}),
    });
    this.#parts = {
      transport: this.#transport,
      lookup: new CredentialLookup(credentials, options.authConfig),
      insecure,
      limits: {
        timeout: options.timeout ?? 60_000,
        headersTimeout: options.headersTimeout ?? DEFAULT_HEADERS_TIMEOUT,
      },
      hosts,
      retry: options.retry,
      allowRealm: options.allowRealm,
    };
  }

  /** The descriptor `ref` (or its `platform`'s image) resolves to: a HEAD, unless an index must be read. */
  async resolve(ref: string, options: PlatformCallOptions = {}): Promise<Descriptor> {
    return (await this.#calls()).resolve(ref, options);
  }

  /** The manifest `ref` names (or its `platform`'s image's), its exact bytes, and its descriptor. */
  async manifest(ref: string, options: PlatformCallOptions = {}): Promise<ManifestResult> {
    return (await this.#calls()).manifest(ref, options);
  }

  /** The image configuration (os, architecture, config, rootfs, history); of an index, the platform's (default: this machine's). */
  async config(ref: string, options: PlatformCallOptions = {}): Promise<ImageConfig> {
    return (await this.#calls()).config(ref, options);
  }

  /** The platforms `ref` is published for: an index's (attestations left out), or a single image's config's. */
  async platforms(ref: string, options: RegistryCallOptions = {}): Promise<Platform[]> {
    return (await this.#calls()).platforms(ref, options);
  }

  /**
   * The blob `blob` (a digest, or a descriptor's `{ digest, size }`) of `ref`'s repository, as it
   * arrives: verified against the digest as it streams, the last chunk handed out only once the
   * whole blob has been checked (DigestMismatch otherwise). Given a size, a registry whose
   * Content-Length disagrees is refused before the body, and a longer body one byte past the size
   * (ProtocolError). A connection that breaks mid-way is resumed from where it stopped (Range). A
   * borrowed chunk (`borrowChunks`) is valid until the next is asked for. Bad input rejects the
   * first `next()`. Each `for await` over it downloads the blob afresh.
   */
  blob(ref: string, blob: string | BlobDescriptor, options: BlobOptions = {}): AsyncIterable<Uint8Array> {
    return {
      [Symbol.asyncIterator]: (): AsyncIterator<Uint8Array> => {
        // once open, the blob's own reads: no step between them and the reader
        let inner: AsyncIterator<Uint8Array> | undefined;
        let opening: Promise<AsyncIterator<Uint8Array>> | undefined;
        const open = (): Promise<AsyncIterator<Uint8Array>> =>
          (opening ??= this.#calls().then((calls) => (inner = calls.blob(ref, blob, options)[Symbol.asyncIterator]())));
        return {
          next: () => (inner !== undefined ? inner.next() : open().then((it) => it.next())),
          return: async () => {
            const it = inner ?? (opening === undefined ? undefined : await opening);
            return (await it?.return?.()) ?? { done: true, value: undefined };
          },
        };
      },
    };
  }

  /**
   * The merged filesystem of the image `ref` names (of an index, `platform`'s, default this
   * machine's), path by path, parents first, as `openImageArchive(...).files()` gives an archive's:
   * each layer's blob streamed and checked against its digest, nothing written to disk. Bad input
   * rejects the first `next()`. A `deadline` covers the stream, and ends with it.
   */
  files(ref: string, options: PlatformCallOptions = {}): AsyncIterable<FileEntry> {
    const calls = (): Promise<RegistryCalls> => this.#calls();
    return (async function* () {
      yield* (await calls()).files(ref, options);
    })();
  }

  /** One file of the image `ref` names, symlinks followed inside the image; FileNotFound when it has none there. */
  async readFile(ref: string, path: string, options: PlatformCallOptions = {}): Promise<Uint8Array> {
    return (await this.#calls()).readFile(ref, path, options);
  }

  /** The merged filesystem of the image `ref` names as one tar stream (`crane export`). */
  export(ref: string, options: PlatformCallOptions = {}): AsyncIterable<Uint8Array> {
    const calls = (): Promise<RegistryCalls> => this.#calls();
    return (async function* () {
      yield* (await calls()).export(ref, options);
    })();
  }

  /** Writes the merged filesystem of the image `ref` names into `dir`, never outside it (see openImageArchive's extract). */
  async extract(ref: string, dir: string, options: PlatformCallOptions & ExtractOptions = {}): Promise<ExtractResult> {
    return (await this.#calls()).extract(ref, dir, options);
  }

  /** Every tag of `repository`, following the registry's Link pages. */
  async tags(repository: string, options: TagsOptions = {}): Promise<string[]> {
    return (await this.#calls()).tags(repository, options);
  }

  /**
   * The manifests that name `ref`'s manifest as their subject (signatures, SBOMs, attestations):
   * the referrers API, or, where the registry has none (404), the `sha256-<hex>` tag's index, as
   * the OCI distribution spec 1.1 says clients must. Filtered by `artifactType` here when the
   * registry did not (OCI-Filters-Applied).
   */
  async referrers(ref: string, options: ReferrersOptions = {}): Promise<Descriptor[]> {
    return (await this.#calls()).referrers(ref, options);
  }

  /**
   * Pushes a blob to `repository` (bytes, a stream, or a file's path): not at all when the registry
   * has it already (given or computed digest), in one PUT when its size and digest are known, else
   * in chunks. Content that does not hash to `digest` is DigestMismatch, refused before the
   * registry completes it.
   */
  async pushBlob(repository: string, data: BinarySource | string, options: PushBlobOptions = {}): Promise<Descriptor> {
    return (await this.#calls()).pushBlob(repository, data, options);
  }

  /**
   * Pushes a manifest (an object, sent as JSON, or its exact bytes) under `ref`'s tag or digest;
   * its media type is `mediaType`, else the manifest's own. A digest in `ref` that the bytes do
   * not hash to is DigestMismatch, before anything is sent.
   */
  async pushManifest(
    ref: string,
    manifest: Manifest | Uint8Array,
    options: PushManifestOptions = {},
  ): Promise<Descriptor> {
    return (await this.#calls()).pushManifest(ref, manifest, options);
  }

  /** The manifest `ref` names, under another tag of its repository (its exact bytes, so its digest). */
  async tag(ref: string, tag: string, options: RegistryCallOptions = {}): Promise<Descriptor> {
    return (await this.#calls()).tag(ref, tag, options);
  }

  /** Deletes the manifest `ref` names: by digest, or by tag where the registry allows it (registry 2.8 does not: UNSUPPORTED). */
  async delete(ref: string, options: RegistryCallOptions = {}): Promise<void> {
    return (await this.#calls()).delete(ref, options);
  }

  /**
   * Attaches an OCI 1.1 artifact to `subject` (a signature, an SBOM): its blobs pushed, then a
   * manifest whose `subject` is the image. A registry without the referrers API (no OCI-Subject
   * in its answer) gets the `sha256-<hex>` tag's index updated, every earlier referrer kept.
   */
  async attach(subject: string, options: AttachOptions): Promise<Descriptor> {
    return (await this.#calls()).attach(subject, options);
  }

  /**
   * Copies `src` to `dst` (another repository, of this registry or another), streamed: every
   * platform of an index by default, or only `platforms`. A Job: its events are the blobs'
   * progress, as a push's (`job.totals`); its result is the destination's descriptor.
   */
  copy(src: string, dst: string, options: RegistryCopyOptions = {}): ProgressJob<Descriptor> {
    return new ProgressJob<Descriptor>(
      async (scope, state) => (await this.#calls()).copy(src, dst, options, scope, state),
      options?.signal,
    );
  }

  /**
   * Saves `ref` into the OCI image layout folder `dir` (made when missing; or an existing layout,
   * its other entries kept; a path ending in `.tar`: the layout as one tar), byte for byte, as
   * `oras cp -r --to-oci-layout` and `cosign save` do:
   * every platform of an index by default, or only `platforms`; with `referrers`, its signatures,
   * attestations and SBOMs too. A Job: its events are the blobs' progress; its result is the image's
   * descriptor. Read it back with openImageArchive (and verify it offline with `imageArchive.verify`).
   */
  save(ref: string, dir: string, options: RegistrySaveOptions = {}): ProgressJob<Descriptor> {
    return new ProgressJob<Descriptor>(
      async (scope, state) => (await this.#calls()).save(ref, dir, options, scope, state),
      options?.signal,
    );
  }

  /**
   * Loads the image an OCI image layout holds (`source`: a folder or a tar's path, or a tar's bytes
   * or stream; `image` names one of several) into `dst`, byte for byte, as `oras cp --from-oci-layout` and `cosign load` do; with
   * `referrers`, the signatures, attestations and SBOMs the layout keeps of it too. A Job, as `copy`.
   */
  load(
    source: string | Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
    dst: string,
    options: RegistryLoadOptions = {},
  ): ProgressJob<Descriptor> {
    return new ProgressJob<Descriptor>(
      async (scope, state) => (await this.#calls()).load(source, dst, options, scope, state),
      options?.signal,
    );
  }

  /** Closes idle connections to every registry. */
  close(): Promise<void> {
    return this.#transport.close();
  }

  /**
   * Adds layers to `base` (a reference, `scratch` or an image archive's path) for each of its
   * platforms, changes its config, and pushes or writes the result (see docs/append.md).
   */
  append(base: string, options: AppendOptions): ProgressJob<AppendResult> {
    return appendImage(this, base, options);
  }

  /** Changes the config (and annotations) of `ref`'s images, every platform's, the layers untouched; pushed back under `ref` unless `to` says otherwise. */
  mutate(ref: string, options: MutateOptions = {}): ProgressJob<AppendResult> {
    return mutateImage(this, ref, options);
  }

  // ---- signatures and attestations (cosign's formats): registry/signatures.ts and registry/sign.ts,
  // loaded by the first call (with trust/'s verifier and signer) ----

  /** Verifies the cosign signatures of the image `ref` names (bundle referrers and the legacy `.sig` tag) with a key, or keyless; VerificationError when none verifies. */
  async verify(ref: string, options: VerifyOptions): Promise<ImageVerification> {
    return (await import('./signatures.js')).verifyImage(this, ref, options);
  }

  /** Verifies the attestations of the image `ref` names (bundle referrers and the legacy `.att` tag), each decoded; VerificationError when none verifies. */
  async verifyAttestations(ref: string, options: VerifyAttestationsOptions): Promise<AttestationVerification[]> {
    return (await import('./signatures.js')).verifyImageAttestations(this, ref, options);
  }

  /** Signs the image `ref` names with a private key as `cosign sign --key` does: a bundle referrer, or the legacy `.sig` tag. */
  async sign(ref: string, options: SignOptions): Promise<SignResult> {
    return (await import('./sign.js')).signImage(this, ref, options);
  }

  /** Attests the image `ref` names with a signed in-toto statement as `cosign attest --key` does: a bundle referrer, or the legacy `.att` tag. */
  async attest(ref: string, options: AttestOptions): Promise<SignResult> {
    return (await import('./sign.js')).attestImage(this, ref, options);
  }

  /**
   * The in-toto statements about `ref` (of an index: about its `platform`'s manifest and about the
   * index), from the index's attestation manifests and from referrers, each bound to its image
   * (docs/attestations.md).
   */
  async attestations(ref: string, options: RegistryAttestationsOptions = {}): Promise<AttestationList> {
    return (await import('./attestations.js')).registryAttestations(this, ref, options);
  }

  // ---- internals ----

  /** The machinery behind the calls (calls.ts: repositories, tokens, retries), loaded and made by the first call. */
  #calls(): Promise<RegistryCalls> {
    this.#made ??= import('./calls.js').then(({ RegistryCalls }) => new RegistryCalls(this, this.#parts));
    return this.#made;
  }
}
