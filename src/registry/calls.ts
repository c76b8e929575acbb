// The machinery behind Registry's calls (registry.ts), loaded by its first call: each call written
// over a Repository (repository.ts) with the Requester's tokens and retries; the write half in
// write.ts and attach.ts, referrers in referrers.ts, copying in copy-job.ts over copy.ts and
// copy-ends.ts. Each method is documented where Registry delegates to it.
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
import type { ProgressState } from '../progress/job.js';
import type { JobScope } from '../job.js';
import type { ProgressEvent } from '../progress/events.js';
import type { Registry } from './registry.js';
import { checkTag } from '../reference.js';
import type { BinarySource } from '../stream/body-source.js';
import type { OriginTransport } from '../transport/origin.js';
import { attachArtifact } from './attach.js';
import { runCopy } from './copy-job.js';
import type { LoadSource } from './load.js';
import type { CredentialLookup } from './credential-lookup.js';
import type { HostPlans } from './host-plans.js';
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
  type AttachOptions,
  type BlobDescriptor,
  type BlobOptions,
  type PlatformCallOptions,
  type PushBlobOptions,
  type PushManifestOptions,
  type ReferrersOptions,
  type RegistryCallOptions,
  type RegistryCopyOptions,
  type RegistrySaveOptions,
  type RegistryLoadOptions,
  type RegistryOptions,
  type TagsOptions,
} from './options.js';
import { listReferrers } from './referrers.js';
import { Repository, checkEntries, listBounds, parseJson, sizeOf, type RequestLimits } from './repository.js';
import { streamWithinDeadline, withinDeadline } from './call-deadline.js';
import { DEFAULT_RETRY, Requester } from './requester.js';
import { deleteManifest, pushBlob, putManifest, retag } from './write.js';

/** RegistryParts: what a Registry made of its options, handed to the machinery it loads. */
export interface RegistryParts {
  transport: OriginTransport;
  lookup: CredentialLookup;
  insecure: Set<string>;
  limits: RequestLimits;
  hosts: HostPlans;
  retry: RegistryOptions['retry'];
  allowRealm: RegistryOptions['allowRealm'];
}

/** RegistryCalls: the calls of one Registry (`registry`, which the calls that take one are given). */
export class RegistryCalls {
  readonly #registry: Registry;
  readonly #requester: Requester;
  readonly #insecure: Set<string>;
  readonly #limits: RequestLimits;
  readonly #hosts: HostPlans;

  constructor(registry: Registry, parts: RegistryParts) {
    this.#registry = registry;
    this.#insecure = parts.insecure;
    this.#limits = parts.limits;
    this.#hosts = parts.hosts;
    this.#requester = new Requester({
      transport: parts.transport,
      credentials: (name) => parts.lookup.lookup(name),
      retry: parts.retry ?? DEFAULT_RETRY,
      ...(parts.allowRealm ? { allowRealm: parts.allowRealm } : {}),
    });
  }

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

  async config(ref: string, options: PlatformCallOptions = {}): Promise<ImageConfig> {
    checkOptions('registry.config', options, PLATFORM_CALL_OPTIONS);
    return withinDeadline(options, 'registry.config', async (options) => {
      const reference = parseRegistryReference(ref);
      return (
        await readImage(this.#repository(reference), manifestReference(reference), ref, options.platform, options)
      ).config;
    });
  }

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

  blob(ref: string, blob: string | BlobDescriptor, options: BlobOptions = {}): AsyncIterable<Uint8Array> {
    return streamWithinDeadline(options, 'registry.blob', BLOB_OPTIONS, ({ borrowChunks, ...call }) => {
      const [reference, { digest, size }] = [parseRegistryReference(ref), blobDescriptor(blob)];
      return this.#repository(reference).blob(digest, call, size, call.signal, borrowChunks === true);
    });
  }

  files(ref: string, options: PlatformCallOptions = {}): AsyncIterable<FileEntry> {
    return streamWithinDeadline(options, 'registry.files', PLATFORM_CALL_OPTIONS, async (options) =>
      (await this.#imageFiles(ref, options)).files(),
    );
  }

  async readFile(ref: string, path: string, options: PlatformCallOptions = {}): Promise<Uint8Array> {
    if (typeof path !== 'string' || path === '')
      throw new InvalidArgument('registry.readFile: path must be a non-empty string');
    checkOptions('registry.readFile', options, PLATFORM_CALL_OPTIONS);
    return withinDeadline(options, 'registry.readFile', async (options) =>
      (await this.#imageFiles(ref, options)).readFile(path),
    );
  }

  export(ref: string, options: PlatformCallOptions = {}): AsyncIterable<Uint8Array> {
    return streamWithinDeadline(options, 'registry.export', PLATFORM_CALL_OPTIONS, async (options) =>
      (await this.#imageFiles(ref, options)).export(),
    );
  }

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

  async pushBlob(repository: string, data: BinarySource | string, options: PushBlobOptions = {}): Promise<Descriptor> {
    checkOptions('registry.pushBlob', options, PUSH_BLOB_OPTIONS);
    return withinDeadline(options, 'registry.pushBlob', async (options) => {
      return pushBlob(this.#repository(parseRegistryRepository(repository)), data, options);
    });
  }

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

  async tag(ref: string, tag: string, options: RegistryCallOptions = {}): Promise<Descriptor> {
    checkOptions('registry.tag', options, CALL_OPTIONS);
    return withinDeadline(options, 'registry.tag', async (options) => {
      const reference = parseRegistryReference(ref);
      checkTag(tag);
      return retag(this.#repository(reference), manifestReference(reference), tag, options);
    });
  }

  async delete(ref: string, options: RegistryCallOptions = {}): Promise<void> {
    checkOptions('registry.delete', options, CALL_OPTIONS);
    return withinDeadline(options, 'registry.delete', async (options) => {
      const reference = parseRegistryReference(ref);
      await deleteManifest(this.#repository(reference), manifestReference(reference), options);
    });
  }

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

  // ---- internals ----

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

  copy(
    src: string,
    dst: string,
    options: RegistryCopyOptions,
    scope: JobScope<ProgressEvent>,
    state: ProgressState,
  ): Promise<Descriptor> {
    return runCopy(this.#registry, (reference) => this.#repository(reference), src, dst, options, scope, state);
  }

  async load(
    path: LoadSource,
    dst: string,
    options: RegistryLoadOptions,
    scope: JobScope<ProgressEvent>,
    state: ProgressState,
  ): Promise<Descriptor> {
    const { runLoad } = await import('./load.js');
    return runLoad(this.#registry, (reference) => this.#repository(reference), path, dst, options, scope, state);
  }

  async save(
    ref: string,
    dir: string,
    options: RegistrySaveOptions,
    scope: JobScope<ProgressEvent>,
    state: ProgressState,
  ): Promise<Descriptor> {
    const { runSave } = await import('./save.js');
    return runSave(this.#registry, (reference) => this.#repository(reference), ref, dir, options, scope, state);
  }
}
