// Registry: the OCI distribution API (v1.1) without an engine. Reads manifests, configs, blobs,
// tags and referrers, every manifest and blob checked against its digest, over transport/'s
// keep-alive pools (TLS by default; plain HTTP for loopback and `insecure` registries). Each call
// is written over a Repository (repository.ts); the write half is in write.ts and attach.ts,
// referrers in referrers.ts, copying in copy.ts and copy-ends.ts.
import type {
  AttestationVerification,
  ImageVerification,
  VerifyAttestationsOptions,
  VerifyOptions,
} from './signatures.js';
import type { AttestOptions, SignOptions, SignResult } from './sign.js';
import { appendImage, mutateImage } from './append-job.js';
import type { AppendOptions, MutateOptions } from './append.js';
import type { AppendResult } from '../append/types.js';
import { Credentials } from '../credentials/credentials.js';
import { InvalidArgument, ProtocolError } from '../errors.js';
import type { ExtractOptions, ExtractResult } from '../image-archive/extract.js';
import type { FileEntry, ImageFiles } from '../image-archive/files.js';
import {
  DOCKER_LIST,
  OCI_INDEX,
  isIndex,
  platformOf,
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type Manifest,
  type ManifestResult,
} from '../oci.js';
import { checkOptions } from '../options.js';
import { formatPlatform, ociPlatform, parsePlatform, platformMatches, type Platform } from '../platform.js';
import { ProgressJob } from '../progress/job.js';
import { checkTag } from '../reference.js';
import type { BinarySource } from '../stream/body-source.js';
import { OriginTransport, proxyFor } from '../transport/origin.js';
import { attachArtifact } from './attach.js';
import { copyJob } from './copy-job.js';
import type { RegistryAttestationsOptions } from './attestations.js';
import type { AttestationList } from '../attestations/collect.js';
import { CredentialLookup } from './credential-lookup.js';
import { HostPlans } from './host-plans.js';
import { checkDigest } from '../digest.js';
import { choosePlatform, noManifestFor, readConfig, readImage } from './image.js';
import {
  manifestReference,
  parseRegistryReference,
  parseRegistryRepository,
  registryOrigin,
  type RegistryReference,
} from './name.js';
import {
  ATTACH_OPTIONS,
  CALL_OPTIONS,
  EXTRACT_CALL_OPTIONS,
  PLATFORM_CALL_OPTIONS,
  PUSH_BLOB_OPTIONS,
  BLOB_OPTIONS,
  PUSH_MANIFEST_OPTIONS,
  REFERRERS_OPTIONS,
  TAGS_OPTIONS,
  blobDescriptor,
  callOptions,
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
  type RegistryOptions,
  type TagsOptions,
} from './options.js';
import { listReferrers } from './referrers.js';
import { Repository, checkEntries, listBounds, parseJson, sizeOf, type RequestLimits } from './repository.js';
import { streamWithinDeadline, withinDeadline } from './call-deadline.js';
import { DEFAULT_HEADERS_TIMEOUT } from '../transport/deadline.js';
import { DEFAULT_RETRY, Requester } from './requester.js';
import { deleteManifest, pushBlob, putManifest, retag } from './write.js';

export { DEFAULT_MAX_ENTRIES, DEFAULT_MAX_PAGES, MAX_MANIFEST_SIZE } from './repository.js';
export { MAX_RETRY_AFTER } from './requester.js';
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
  RegistryOptions,
  TagsOptions,
} from './options.js';

/**
 * Registry: an OCI distribution client without an engine (resolve, manifest, config, platforms,
 * blob, tags, referrers, copy, push, tag, delete, attach); `docker.registry` is one sharing the
 * client's credentials.
 */
export class Registry {
  readonly #requester: Requester;
  readonly #insecure: Set<string>;
  readonly #limits: RequestLimits;
  readonly #hosts: HostPlans;

  constructor(options: RegistryOptions = {}) {
    checkRegistryOptions(options);
    const env = options.env ?? process.env;
    const credentials =
      options.credentials ??
      new Credentials({ ...(options.configDir !== undefined ? { configDir: options.configDir } : {}), env });
    const lookup = new CredentialLookup(credentials, options.authConfig);
    this.#insecure = insecureRegistries(options.insecure);
    this.#limits = {
      timeout: options.timeout ?? 60_000,
      headersTimeout: options.headersTimeout ?? DEFAULT_HEADERS_TIMEOUT,
    };
    const { certsDir, hostsDir, registriesConf } = options;
    const hosts = {
      ...(certsDir !== undefined ? { certsDir } : {}),
      ...(hostsDir !== undefined ? { hostsDir } : {}),
      ...(registriesConf !== undefined ? { registriesConf } : {}),
    };
    this.#hosts = new HostPlans({ ...hosts, insecure: [...this.#insecure], env }, options.hubMirrors);
    const transport = new OriginTransport({
      proxy: (origin) => proxyFor(origin, env),
      origin: (origin) => this.#hosts.settings(origin),
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      ...(options.maxSockets !== undefined ? { maxSockets: options.maxSockets } : {}),
    });
    this.#requester = new Requester({
      transport,
      credentials: (registry) => lookup.lookup(registry),
      retry: options.retry ?? DEFAULT_RETRY,
      ...(options.allowRealm ? { allowRealm: options.allowRealm } : {}),
    });
  }

  /** The descriptor `ref` (or its `platform`'s image) resolves to: a HEAD, unless an index must be read. */
  async resolve(ref: string, options: PlatformCallOptions = {}): Promise<Descriptor> {
    checkOptions('registry.resolve', options, PLATFORM_CALL_OPTIONS);
    return withinDeadline(options, 'registry.resolve', async (options) => {
      const reference = parseRegistryReference(ref);
      const repository = this.#repository(reference);
      const want = options.platform === undefined ? undefined : ociPlatform(options.platform);
      const response = await repository.manifestRequest(manifestReference(reference), 'HEAD', options);
      const digest = response.headers['docker-content-digest'];
      const mediaType = (response.headers['content-type'] ?? '').split(';')[0]!.trim();
      const size = Number(response.headers['content-length']);
      const indexType = mediaType === OCI_INDEX || mediaType === DOCKER_LIST;
      if (want === undefined || !indexType) {
        if (
          digest !== undefined &&
          (reference.digest === undefined || digest === reference.digest) &&
          mediaType &&
          Number.isSafeInteger(size)
        ) {
          checkDigest(digest, 'the registry\u2019s Docker-Content-Digest');
          return { mediaType, digest, size };
        }
        // no usable digest in the head: the manifest itself says
        return (await repository.manifest(manifestReference(reference), options)).descriptor;
      }
      return (await this.manifest(ref, options)).descriptor;
    });
  }

  /** The manifest `ref` names (or its `platform`'s image's), its exact bytes, and its descriptor. */
  async manifest(ref: string, options: PlatformCallOptions = {}): Promise<ManifestResult> {
    checkOptions('registry.manifest', options, PLATFORM_CALL_OPTIONS);
    return withinDeadline(options, 'registry.manifest', async (options) => {
      const reference = parseRegistryReference(ref);
      const repository = this.#repository(reference);
      const top = await repository.manifest(manifestReference(reference), options);
      if (options.platform === undefined || !isIndex(top.manifest, top.descriptor.mediaType)) return top;
      const chosen = choosePlatform(top.manifest as ImageIndex, options.platform, ref);
      const result = await repository.manifest(chosen.digest, options, sizeOf(chosen));
      return {
        ...result,
        descriptor: { ...result.descriptor, ...(chosen.platform ? { platform: chosen.platform } : {}) },
      };
    });
  }

  /** The image configuration (os, architecture, config, rootfs, history); of an index, the platform's (default: this machine's). */
  async config(ref: string, options: PlatformCallOptions = {}): Promise<ImageConfig> {
    checkOptions('registry.config', options, PLATFORM_CALL_OPTIONS);
    return withinDeadline(options, 'registry.config', async (options) => {
      const reference = parseRegistryReference(ref);
      return (
        await readImage(this.#repository(reference), manifestReference(reference), ref, options.platform, options)
      ).config;
    });
  }

  /** The platforms `ref` is published for: an index's (attestations left out), or a single image's config's. */
  async platforms(ref: string, options: RegistryCallOptions = {}): Promise<Platform[]> {
    checkOptions('registry.platforms', options, CALL_OPTIONS);
    return withinDeadline(options, 'registry.platforms', async (options) => {
      const reference = parseRegistryReference(ref);
      const repository = this.#repository(reference);
      const { manifest, descriptor } = await repository.manifest(manifestReference(reference), options);
      if (isIndex(manifest, descriptor.mediaType)) {
        return manifest.manifests.flatMap((m) =>
          m.platform && !(m.platform.os === 'unknown' && m.platform.architecture === 'unknown') ? [m.platform] : [],
        );
      }
      const configDescriptor = (manifest as { config?: Descriptor }).config;
      if (!configDescriptor) return [];
      const platform = platformOf(await readConfig(repository, configDescriptor, options, ref));
      return platform ? [platform] : [];
    });
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
    return streamWithinDeadline(options, 'registry.blob', BLOB_OPTIONS, ({ borrowChunks, ...call }) => {
      const [reference, { digest, size }] = [parseRegistryReference(ref), blobDescriptor(blob)];
      return this.#repository(reference).blob(digest, call, size, call.signal, borrowChunks === true);
    });
  }

  /**
   * The merged filesystem of the image `ref` names (of an index, `platform`'s, default this
   * machine's), path by path, parents first, as `openImageArchive(...).files()` gives an archive's:
   * each layer's blob streamed and checked against its digest, nothing written to disk. Bad input
   * rejects the first `next()`. A `deadline` covers the stream, and ends with it.
   */
  files(ref: string, options: PlatformCallOptions = {}): AsyncIterable<FileEntry> {
    return streamWithinDeadline(options, 'registry.files', PLATFORM_CALL_OPTIONS, async (options) =>
      (await this.#imageFiles(ref, options)).files(),
    );
  }

  /** One file of the image `ref` names, symlinks followed inside the image; FileNotFound when it has none there. */
  async readFile(ref: string, path: string, options: PlatformCallOptions = {}): Promise<Uint8Array> {
    if (typeof path !== 'string' || path === '')
      throw new InvalidArgument('registry.readFile: path must be a non-empty string');
    checkOptions('registry.readFile', options, PLATFORM_CALL_OPTIONS);
    return withinDeadline(options, 'registry.readFile', async (options) =>
      (await this.#imageFiles(ref, options)).readFile(path),
    );
  }

  /** The merged filesystem of the image `ref` names as one tar stream (`crane export`). */
  export(ref: string, options: PlatformCallOptions = {}): AsyncIterable<Uint8Array> {
    return streamWithinDeadline(options, 'registry.export', PLATFORM_CALL_OPTIONS, async (options) =>
      (await this.#imageFiles(ref, options)).export(),
    );
  }

  /** Writes the merged filesystem of the image `ref` names into `dir`, never outside it (see openImageArchive's extract). */
  async extract(ref: string, dir: string, options: PlatformCallOptions & ExtractOptions = {}): Promise<ExtractResult> {
    if (typeof dir !== 'string' || dir === '')
      throw new InvalidArgument('registry.extract: dir must be a non-empty string');
    checkOptions('registry.extract', options, EXTRACT_CALL_OPTIONS);
    return withinDeadline(options, 'registry.extract', async (options) => {
      const files = await this.#imageFiles(ref, options);
      const { extractFiles } = await import('../image-archive/extract.js');
      return extractFiles(files.files(), dir, options.devices === undefined ? {} : { devices: options.devices });
    });
  }

  /** Every tag of `repository`, following the registry's Link pages. */
  async tags(repository: string, options: TagsOptions = {}): Promise<string[]> {
    checkOptions('registry.tags', options, TAGS_OPTIONS);
    return withinDeadline(options, 'registry.tags', async (options) => {
      const reference = parseRegistryRepository(repository);
      if (options.pageSize !== undefined && !(Number.isSafeInteger(options.pageSize) && options.pageSize > 0)) {
        throw new InvalidArgument('pageSize must be a positive whole number');
      }
      const { maxPages, maxEntries } = listBounds(options);
      const tags: string[] = [];
      const path = `/v2/${reference.repository}/tags/list${options.pageSize !== undefined ? `?n=${options.pageSize}` : ''}`;
      for (const page of this.#repository(reference).pages(path, 'application/json', options, maxPages)) {
        const { body } = await page;
        const list = parseJson<{ tags?: unknown }>(body, `${repository}'s tag list`);
        if (list.tags !== null && list.tags !== undefined && !Array.isArray(list.tags))
          throw new ProtocolError(`${repository}'s tag list has no tags array`);
        for (const tag of (list.tags as unknown[] | null | undefined) ?? [])
          if (typeof tag === 'string') tags.push(tag);
        checkEntries(tags.length, maxEntries, `${repository}'s tag list`);
      }
      return tags;
    });
  }

  /**
   * The manifests that name `ref`'s manifest as their subject (signatures, SBOMs, attestations):
   * the referrers API, or, where the registry has none (404), the `sha256-<hex>` tag's index, as
   * the OCI distribution spec 1.1 says clients must. Filtered by `artifactType` here when the
   * registry did not (OCI-Filters-Applied).
   */
  async referrers(ref: string, options: ReferrersOptions = {}): Promise<Descriptor[]> {
    checkOptions('registry.referrers', options, REFERRERS_OPTIONS);
    return withinDeadline(options, 'registry.referrers', async (options) => {
      const reference = parseRegistryReference(ref);
      const { artifactType } = options;
      if (artifactType !== undefined && (typeof artifactType !== 'string' || artifactType === '')) {
        throw new InvalidArgument('artifactType must be a non-empty string');
      }
      const digest = reference.digest ?? (await this.resolve(ref, callOptions(options))).digest;
      return listReferrers(this.#repository(reference), digest, artifactType, options, ref);
    });
  }

  /**
   * Pushes a blob to `repository` (bytes, a stream, or a file's path): not at all when the registry
   * has it already (given or computed digest), in one PUT when its size and digest are known, else
   * in chunks. Content that does not hash to `digest` is DigestMismatch, refused before the
   * registry completes it.
   */
  async pushBlob(repository: string, data: BinarySource | string, options: PushBlobOptions = {}): Promise<Descriptor> {
    checkOptions('registry.pushBlob', options, PUSH_BLOB_OPTIONS);
    return withinDeadline(options, 'registry.pushBlob', async (options) => {
      return pushBlob(this.#repository(parseRegistryRepository(repository)), data, options);
    });
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
    checkOptions('registry.pushManifest', options, PUSH_MANIFEST_OPTIONS);
    return withinDeadline(options, 'registry.pushManifest', async (options) => {
      const reference = parseRegistryReference(ref);
      return (await putManifest(this.#repository(reference), manifestReference(reference), manifest, options))
        .descriptor;
    });
  }

  /** The manifest `ref` names, under another tag of its repository (its exact bytes, so its digest). */
  async tag(ref: string, tag: string, options: RegistryCallOptions = {}): Promise<Descriptor> {
    checkOptions('registry.tag', options, CALL_OPTIONS);
    return withinDeadline(options, 'registry.tag', async (options) => {
      const reference = parseRegistryReference(ref);
      checkTag(tag);
      return retag(this.#repository(reference), manifestReference(reference), tag, options);
    });
  }

  /** Deletes the manifest `ref` names: by digest, or by tag where the registry allows it (registry 2.8 does not: UNSUPPORTED). */
  async delete(ref: string, options: RegistryCallOptions = {}): Promise<void> {
    checkOptions('registry.delete', options, CALL_OPTIONS);
    return withinDeadline(options, 'registry.delete', async (options) => {
      const reference = parseRegistryReference(ref);
      await deleteManifest(this.#repository(reference), manifestReference(reference), options);
    });
  }

  /**
   * Attaches an OCI 1.1 artifact to `subject` (a signature, an SBOM): its blobs pushed, then a
   * manifest whose `subject` is the image. A registry without the referrers API (no OCI-Subject
   * in its answer) gets the `sha256-<hex>` tag's index updated, every earlier referrer kept.
   */
  async attach(subject: string, options: AttachOptions): Promise<Descriptor> {
    checkOptions('registry.attach', options, ATTACH_OPTIONS);
    return withinDeadline(options, 'registry.attach', async (options) => {
      const reference = parseRegistryReference(subject, 'subject');
      if (typeof options?.artifactType !== 'string' || options.artifactType === '')
        throw new InvalidArgument('attach needs an artifactType');
      if (!Array.isArray(options.blobs)) throw new InvalidArgument('blobs must be a list of { mediaType, data }');
      const call = callOptions(options);
      const subjectDescriptor = await this.resolve(subject, call);
      return attachArtifact(this.#repository(reference), subjectDescriptor, options, call, subject);
    });
  }

  /**
   * Copies `src` to `dst` (another repository, of this registry or another), streamed: every
   * platform of an index by default, or only `platforms`. A Job: its events are the blobs'
   * progress, as a push's (`job.totals`); its result is the destination's descriptor.
   */
  copy(src: string, dst: string, options: RegistryCopyOptions = {}): ProgressJob<Descriptor> {
    return copyJob(this, (reference) => this.#repository(reference), src, dst, options);
  }

  /** Closes idle connections to every registry. */
  close(): Promise<void> {
    return this.#requester.transport.close();
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

  // ---- internals ----

  /** The repository `reference` names, as requests reach it: through the host configuration's plan (hosts/). */
  #repository(reference: RegistryReference): Repository {
    const target = { registry: reference.registry, origin: registryOrigin(reference, this.#insecure) };
    return new Repository(this.#requester, reference, target, this.#limits, (operation) =>
      this.#hosts.plan(reference, operation),
    );
  }

  /** The merged view of the image `ref` names (`options` checked, its deadline already its signal), its layers read with blob(). */
  async #imageFiles(ref: string, options: PlatformCallOptions): Promise<ImageFiles> {
    const reference = parseRegistryReference(ref);
    const { manifest, descriptor, config } = await readImage(
      this.#repository(reference),
      manifestReference(reference),
      ref,
      options.platform,
      options,
    );
    if (options.platform !== undefined) {
      // a single image is only the platform asked for if its config says so
      const want = parsePlatform(options.platform);
      const has = {
        os: config.os,
        architecture: config.architecture,
        ...(typeof config.variant === 'string' ? { variant: config.variant } : {}),
      };
      if (!platformMatches(has, want))
        throw noManifestFor(ref, `no image for ${formatPlatform(want)}: the image is ${formatPlatform(has)}`);
    }
    const call = callOptions(options);
    // the archive reader's merging (and the tar reader) is loaded by the first files() call
    const { registryImageFiles } = await import('./image-files.js');
    return registryImageFiles(ref, descriptor.digest, manifest, config, (digest, size) =>
      this.blob(ref, size === undefined ? digest : { digest, size }, call),
    );
  }

  /**
   * The in-toto statements about `ref` (of an index: about its `platform`'s manifest and about the
   * index), from the index's attestation manifests and from referrers, each bound to its image
   * (docs/attestations.md).
   */
  async attestations(ref: string, options: RegistryAttestationsOptions = {}): Promise<AttestationList> {
    return (await import('./attestations.js')).registryAttestations(this, ref, options);
  }
}
