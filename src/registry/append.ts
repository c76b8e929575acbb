// registry.append and registry.mutate: an image made without an engine, from a base (a registry
// reference, `scratch`, or an image archive) with layers added and the config changed, for every
// platform of the base (or those asked for), pushed or written to a file or a stream. Everything
// is checked before anything is uploaded; the added layers are packed and measured first, and
// kept (their digests known, so that a blob the registry has is never sent again), then pushed
// once for every platform from what was kept. The base's blobs reach another repository as `copy` moves them: HEAD, then a mount
// from the base's repository, else streamed. Only the Registry's public calls are used.
import { InvalidArgument } from '../errors.js';
import { checkOptions, optionNames } from '../options.js';
import type { JobScope } from '../job.js';
import type { ProgressState } from '../progress/job.js';
import type { ProgressEvent } from '../progress/events.js';
import { buildImages, appendedPlatforms, type BuiltImages } from '../append/images.js';
import type { LayerBlob } from '../append/layer.js';
import { abortStream, writeImages, type BlobReader } from '../append/outputs.js';
import {
  checkChanges,
  checkOutput,
  closeLayers,
  createdBy,
  fixedTime,
  layerSources,
  measureLayers,
  wantsOci,
} from '../append/plan.js';
import type { LayerSource } from '../append/sources.js';
import type { AppendLayer, AppendResult, ImageChanges, ImageOutput, StreamOutput } from '../append/types.js';
import { readBase, type BaseCall, type ReadBase } from './append-base.js';
import { parseRegistryReference, type RegistryReference } from './name.js';
import { splitReference } from '../reference.js';
import type { Registry } from './registry.js';

/** AppendOptions: the options of `registry.append`: the layers, the changes, and where the image goes. */
export interface AppendOptions extends ImageChanges {
  /** The layers added, bottom first: folders, files, tars. */
  layers?: AppendLayer[];
  /** A registry reference, `{ path, format, tag }` or `{ stream, format, tag }`. */
  to: ImageOutput;
  /** Credentials for this call's registries (the base's and the destination's). */
  authConfig?: import('../credentials/auth-config.js').AuthConfig;
  signal?: AbortSignal;
  /** Inactivity timeout for each request, in ms. */
  timeout?: number;
}

/** MutateOptions: the options of `registry.mutate`: the changes, and where the image goes (default: back under `ref`). */
export type MutateOptions = Omit<AppendOptions, 'layers' | 'to'> & { to?: ImageOutput };

const CALL = ['authConfig', 'signal', 'timeout'] as const;
const APPEND_NAMES = optionNames<AppendOptions>({
  layers: true,
  to: true,
  authConfig: true,
  signal: true,
  timeout: true,
  config: true,
  annotations: true,
  platforms: true,
  created: true,
  compression: true,
});
const MUTATE_NAMES = APPEND_NAMES.filter((n) => n !== 'layers');

function pickCall(options: BaseCall, signal: AbortSignal): BaseCall {
  const call: BaseCall = { signal };
  for (const key of CALL) if (options[key] !== undefined) (call as Record<string, unknown>)[key] = options[key];
  return call;
}

const shortId = (digest: string): string => digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);

/** Counts the bytes of `source` into progress events for the blob `digest`. */
async function* counted(
  source: AsyncIterable<Uint8Array>,
  digest: string,
  total: number,
  emit: (e: ProgressEvent) => unknown,
): AsyncIterable<Uint8Array> {
  let current = 0;
  for await (const chunk of source) {
    current += chunk.length;
    await emit({ status: 'Pushing', id: shortId(digest), progressDetail: { current, total } });
    yield chunk;
  }
}

/** Pushes what `built` needs into `to`'s repository, then its manifests, the top one under `to`'s tag. */
async function pushImages(
  registry: Registry,
  to: RegistryReference,
  toRef: string,
  source: ReadBase,
  added: readonly LayerBlob[],
  built: BuiltImages,
  call: BaseCall,
  emit: (e: ProgressEvent) => unknown,
): Promise<void> {
  const repository = `${to.registry}/${to.repository}`;
  if (source.ref !== undefined) {
    const from = parseRegistryReference(source.ref, 'base');
    if (from.host !== to.host || from.repository !== to.repository) {
      const fromRepository = splitReference(source.ref).repository;
      for (const child of source.children) {
        const job = registry.copy(`${fromRepository}@${child.digest}`, `${repository}@${child.digest}`, call);
        for await (const event of job) await emit(event);
        await job;
      }
    }
  } else {
    const sent = new Set<string>();
    for (const image of source.base.images) {
      for (const layer of image.manifest?.layers ?? []) {
        if (sent.has(layer.digest)) continue;
        sent.add(layer.digest);
        await registry.pushBlob(repository, counted(source.read(layer), layer.digest, layer.size, emit), {
          ...call,
          digest: layer.digest,
          size: layer.size,
          mediaType: layer.mediaType,
        });
        await emit({ status: 'Pushed', id: shortId(layer.digest) });
      }
    }
  }
  for (const blob of added) {
    await registry.pushBlob(repository, counted(blob.open(), blob.digest, blob.size, emit), {
      ...call,
      digest: blob.digest,
      size: blob.size,
    });
    await emit({
      status: 'Pushed',
      id: shortId(blob.digest),
      progressDetail: { current: blob.size, total: blob.size },
    });
  }
  for (const image of built.images)
    await registry.pushBlob(repository, image.configBytes, {
      ...call,
      digest: image.configDescriptor.digest,
      mediaType: image.configDescriptor.mediaType,
    });
  if (built.images.length > 1 || built.top.descriptor.digest !== built.images[0]?.descriptor.digest) {
    for (const image of built.images)
      await registry.pushManifest(`${repository}@${image.descriptor.digest}`, image.manifestBytes, {
        ...call,
        mediaType: image.descriptor.mediaType,
      });
  }
  await registry.pushManifest(toRef, built.top.bytes, { ...call, mediaType: built.top.descriptor.mediaType });
  await emit({
    status: `${to.tag ?? 'pushed'}: digest: ${built.top.descriptor.digest} size: ${built.top.descriptor.size}`,
  });
}

/** The blob reader of the images made: an added layer as it was kept, else the base's. */
function blobReader(source: ReadBase, added: readonly LayerBlob[]): BlobReader {
  const byDigest = new Map(added.map((b) => [b.digest, b]));
  return (d) => byDigest.get(d.digest)?.open() ?? source.read(d);
}

/** An append's or a mutate's work inside its Job (append-job.ts loads this module when a Job first runs). */
export async function runAppend(
  registry: Registry,
  base: string,
  options: AppendOptions | MutateOptions,
  where: 'append' | 'mutate',
  layers: AppendLayer[] | undefined,
  scope: JobScope<ProgressEvent>,
  state: ProgressState,
): Promise<AppendResult> {
  state.tries = 1;
  try {
    return await make(registry, base, options, where, layers, scope, state);
  } catch (error) {
    // a stream's reader (docker.images.load) fails with the append rather than waits for an end
    const to = (options as { to?: unknown } | undefined)?.to;
    if (to !== null && typeof to === 'object' && 'stream' in to && to.stream !== null && typeof to.stream === 'object')
      abortStream(to.stream as StreamOutput['stream'], error);
    throw error;
  }
}

/** The work of an append or a mutate: every check first, then the base read, the layers measured, the result pushed or written. */
async function make(
  registry: Registry,
  base: string,
  options: AppendOptions | MutateOptions,
  where: 'append' | 'mutate',
  layers: AppendLayer[] | undefined,
  scope: JobScope<ProgressEvent>,
  state: ProgressState,
): Promise<AppendResult> {
  checkOptions(`registry.${where}`, options, where === 'append' ? APPEND_NAMES : MUTATE_NAMES);
  checkChanges(options);
  const to = where === 'mutate' ? (options.to ?? base) : options.to;
  checkOutput(to);
  const target = typeof to === 'string' ? parseRegistryReference(to, 'to') : undefined;
  const created = fixedTime(options.created, process.env);
  const emit = (event: ProgressEvent): unknown => {
    state.totals.update(event);
    return scope.emit(event);
  };
  const sources: LayerSource[] = layerSources(
    layers,
    created === undefined ? undefined : Math.floor(created.getTime() / 1000),
  );
  let source: ReadBase | undefined;
  let added: LayerBlob[] = [];
  try {
    const call = pickCall(options, scope.signal);
    source = await readBase(registry, base, options.platforms, call);
    if (
      typeof to === 'object' &&
      (to.format ?? ('stream' in to ? 'docker' : 'oci')) === 'docker' &&
      source.base.images.length !== 1
    ) {
      throw new InvalidArgument(
        `to.format: a docker-archive holds one platform's image, and the base has ${source.base.images.length}: narrow it with platforms`,
      );
    }
    added = await measureLayers(
      sources,
      options.compression,
      (blob, i) =>
        emit({ status: 'Packed', id: `layer ${i}`, progressDetail: { current: blob.size, total: blob.size } }),
      scope.signal,
    );
    const changes: ImageChanges = { ...options, ...(created ? { created } : {}) };
    const built = buildImages(source.base, added, createdBy(layers), changes, wantsOci(to));
    if (target !== undefined) await pushImages(registry, target, to as string, source, added, built, call, emit);
    else
      await writeImages(
        to as Exclude<ImageOutput, string>,
        built,
        blobReader(source, added),
        created ? Math.floor(created.getTime() / 1000) : 0,
      );
    return {
      digest: built.top.descriptor.digest,
      mediaType: built.top.descriptor.mediaType,
      size: built.top.descriptor.size,
      platforms: appendedPlatforms(built),
    };
  } finally {
    await closeLayers(added);
    await source?.archive?.close();
  }
}
