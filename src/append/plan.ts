// The checks append and mutate make before anything is read from or sent to a registry: the
// options, the output, the time, every layer's source (a missing path, a relative or `..` target
// refused here, naming its field); then the layers measured, one after another, and kept.
import { InvalidArgument } from '../errors.js';
import { checkOptions, optionNames } from '../options.js';
import { checkConfigChanges } from './config.js';
import { checkCompression, measureLayer, type LayerBlob } from './layer.js';
import { layerSource, type LayerSource } from './sources.js';
import type { AppendLayer, FileOutput, ImageChanges, ImageOutput, StreamOutput } from './types.js';

/** The names of ImageChanges, for each call's options list. */
export const CHANGE_NAMES = optionNames<ImageChanges>({
  config: true,
  annotations: true,
  platforms: true,
  created: true,
  compression: true,
});

const FILE_OUTPUT = optionNames<FileOutput>({ path: true, format: true, tag: true });
const STREAM_OUTPUT = optionNames<StreamOutput>({ stream: true, format: true, tag: true });

/** The time added files get and the image is stamped with: `created`, else SOURCE_DATE_EPOCH (seconds), else none. */
export function fixedTime(created: Date | undefined, env: Record<string, string | undefined>): Date | undefined {
  if (created !== undefined) {
    if (!(created instanceof Date) || Number.isNaN(created.getTime()))
      throw new InvalidArgument('created must be a valid Date');
    return created;
  }
  const epoch = env['SOURCE_DATE_EPOCH'];
  if (epoch === undefined || epoch === '') return undefined;
  if (!/^\d+$/.test(epoch))
    throw new InvalidArgument(`SOURCE_DATE_EPOCH must be whole seconds since the epoch, not ${JSON.stringify(epoch)}`);
  return new Date(Number(epoch) * 1000);
}

/** Checks the changes every call shares (config, annotations, compression). */
export function checkChanges(changes: ImageChanges): void {
  checkConfigChanges(changes.config);
  if (changes.annotations !== undefined) {
    if (changes.annotations === null || typeof changes.annotations !== 'object' || Array.isArray(changes.annotations))
      throw new InvalidArgument('annotations must be an object of strings');
    for (const [k, v] of Object.entries(changes.annotations))
      if (typeof v !== 'string') throw new InvalidArgument(`annotations[${JSON.stringify(k)}] must be a string`);
  }
  if (changes.compression !== undefined && changes.compression !== 'gzip' && changes.compression !== 'zstd')
    throw new InvalidArgument('compression must be "gzip" or "zstd"');
  if (changes.platforms !== undefined && (!Array.isArray(changes.platforms) || changes.platforms.length === 0))
    throw new InvalidArgument('platforms must be a non-empty list');
}

/** Checks `to`: a reference (checked by the caller), a { path, format, tag } or a { stream, format, tag }. */
export function checkOutput(to: ImageOutput | undefined): void {
  if (to === undefined)
    throw new InvalidArgument('to is required: a registry reference, { path, format } or { stream, format }');
  if (typeof to === 'string') return;
  if (to === null || typeof to !== 'object')
    throw new InvalidArgument('to must be a registry reference, { path, format } or { stream, format }');
  const known = 'stream' in to ? STREAM_OUTPUT : FILE_OUTPUT;
  checkOptions('to', to, known);
  if ('stream' in to) {
    if (to.stream === null || typeof to.stream !== 'object')
      throw new InvalidArgument('to.stream must be a Writable or a WritableStream');
  } else if (typeof to.path !== 'string' || to.path === '')
    throw new InvalidArgument('to.path must be a non-empty string');
  if (to.format !== undefined && to.format !== 'docker' && to.format !== 'oci')
    throw new InvalidArgument('to.format must be "docker" or "oci"');
  if (to.tag !== undefined && (typeof to.tag !== 'string' || to.tag === '' || /\s/.test(to.tag)))
    throw new InvalidArgument('to.tag must be a name (repo:tag) or a tag');
}

/** True when `to` is written as an OCI layout (OCI media types throughout). */
export function wantsOci(to: ImageOutput | undefined): boolean {
  return to !== undefined && typeof to === 'object' && (to.format ?? ('stream' in to ? 'docker' : 'oci')) === 'oci';
}

/** Every layer checked and its source made; InvalidArgument naming `layers[i]…` before anything is read. */
export function layerSources(layers: readonly AppendLayer[] | undefined, epoch: number | undefined): LayerSource[] {
  if (layers === undefined) return [];
  if (!Array.isArray(layers)) throw new InvalidArgument('layers must be a list of { path }, { files } or { tar }');
  const now = Math.floor(Date.now() / 1000);
  return layers.map((layer, i) => layerSource(layer, `layers[${i}]`, (owner) => ({ epoch, owner, now })));
}

/** What made each layer, as its history entry says. */
export function createdBy(layers: readonly AppendLayer[] | undefined): string[] {
  return (layers ?? []).map((l) =>
    'path' in l
      ? `dockwire append ${l.to ?? '/'}`
      : 'files' in l
        ? `dockwire append files ${Object.keys(l.files).sort().join(' ')}`.slice(0, 200)
        : 'dockwire append tar',
  );
}

/**
 * Measures each layer in turn (`onLayer` told of each), compressed as asked, each blob kept until
 * its close(); a failure or an abort closes those already measured.
 */
export async function measureLayers(
  sources: readonly LayerSource[],
  compression: 'gzip' | 'zstd' | undefined,
  onLayer?: (blob: LayerBlob, index: number) => unknown,
  signal?: AbortSignal,
): Promise<LayerBlob[]> {
  await checkCompression(compression ?? 'gzip');
  const blobs: LayerBlob[] = [];
  try {
    for (const [i, source] of sources.entries()) {
      const blob = await measureLayer(source.tar(), compression ?? 'gzip', signal ? { signal } : {});
      blobs.push(blob);
      await onLayer?.(blob, i);
    }
  } catch (error) {
    await closeLayers(blobs);
    throw error;
  }
  return blobs;
}

/** Lets every blob's kept bytes go. */
export async function closeLayers(blobs: readonly LayerBlob[]): Promise<void> {
  await Promise.all(blobs.map((b) => b.close()));
}
