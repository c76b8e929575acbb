// A build's outputs, cache imports and exports, and attestations, as BuildKit's exporters and
// cache entries: checked before anything is sent, and for `oci`, `docker` and `tar` outputs
// the sink FileSend writes the archive into as BuildKit streams it back.
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { TypedAttrs } from '../buildkit/control.js';
import { InvalidArgument } from '../errors.js';
import { checkOptions, optionNames } from '../options.js';
import { normalizeReference, parseReference } from '../reference.js';
import type { DirectoryOutput, FileOutput } from '../session/file-send.js';

/** ArchiveDestination: where an archive output goes: a file path, a Node Writable, or a web WritableStream. */
export type ArchiveDestination = string | Writable | WritableStream<Uint8Array>;

/** BuildKitOutput: one output of a build: an image, a push, or an archive streamed back, or files into a folder. */
export type BuildKitOutput =
  /** An image: stored by the worker (on an engine, in its image store), pushed when `push`. */
  | { type: 'image'; name: string | string[]; push?: boolean; insecure?: boolean; annotations?: Record<string, string> }
  /** An image pushed to its registry (`image` with `push: true`). */
  | { type: 'registry'; name: string | string[]; insecure?: boolean; annotations?: Record<string, string> }
  /** An OCI image layout archive, or a docker-archive (`docker load`'s), streamed back to `dest`. */
  | { type: 'oci' | 'docker'; dest: ArchiveDestination; name?: string | string[] }
  /** The result's files as a tar stream, streamed back to `dest`. */
  | { type: 'tar'; dest: ArchiveDestination }
  /** The result's files, written into the folder `dest` (made if missing). */
  | { type: 'local'; dest: string };

/** CacheEntry: a cache import or export: `registry` (`ref`, and `mode` to export), `inline`, or another BuildKit cache backend with its attributes. */
export interface CacheEntry {
  type: string;
  ref?: string;
  mode?: 'min' | 'max';
  [attr: string]: string | undefined;
}

export interface PlannedOutputs {
  exporters: TypedAttrs[];
  fileOutputs: Record<number, FileOutput | DirectoryOutput>;
}

/** The output of type `T`. */
type OutputOf<T extends BuildKitOutput['type']> = BuildKitOutput & { type: T };

const ARCHIVE_OUTPUT = optionNames<OutputOf<'oci'>>({ type: true, dest: true, name: true });
const OUTPUT_OPTIONS: Record<string, readonly string[]> = {
  image: optionNames<OutputOf<'image'>>({ type: true, name: true, push: true, insecure: true, annotations: true }),
  registry: optionNames<OutputOf<'registry'>>({ type: true, name: true, insecure: true, annotations: true }),
  oci: ARCHIVE_OUTPUT,
  docker: ARCHIVE_OUTPUT,
  tar: optionNames<OutputOf<'tar'>>({ type: true, dest: true }),
  local: optionNames<OutputOf<'local'>>({ type: true, dest: true }),
};

/** The names, as the docker CLI normalizes `-t` (`team/app:1` is `docker.io/team/app:1`): an engine stores them as given, and looks them up normalized. */
function names(value: unknown, where: string): string {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
  if (!list || list.length === 0 || list.some((n) => typeof n !== 'string'))
    throw new InvalidArgument(`${where}.name must be an image name or a list of them`);
  return (list as string[]).map((name) => normalizeReference(name, `${where}.name`)).join(',');
}

/** The exporters for `outputs`, and the sinks of the ones streamed back (opened only when BuildKit sends). */
export function planOutputs(outputs: unknown): PlannedOutputs {
  if (outputs === undefined) return { exporters: [], fileOutputs: {} };
  if (!Array.isArray(outputs)) throw new InvalidArgument('outputs must be an array');
  const exporters: TypedAttrs[] = [];
  const fileOutputs: Record<number, FileOutput | DirectoryOutput> = {};
  outputs.forEach((output: unknown, index) => {
    const where = `outputs[${index}]`;
    const type = output !== null && typeof output === 'object' ? (output as { type?: unknown }).type : undefined;
    const known = typeof type === 'string' && Object.hasOwn(OUTPUT_OPTIONS, type) ? OUTPUT_OPTIONS[type]! : undefined;
    if (!known)
      throw new InvalidArgument(
        `${where}.type must be one of ${Object.keys(OUTPUT_OPTIONS).join(', ')}, not ${JSON.stringify(type)}`,
      );
    checkOptions(`buildkit.build: ${where}`, output, known);
    const o = output as Record<string, unknown>;
    const attrs: Record<string, string> = {};
    if (type === 'image' || type === 'registry') {
      attrs['name'] = names(o['name'], where);
      if (type === 'registry' || o['push'] === true) attrs['push'] = 'true';
      if (o['insecure'] === true) attrs['registry.insecure'] = 'true';
      for (const [key, value] of Object.entries((o['annotations'] as Record<string, unknown> | undefined) ?? {})) {
        if (typeof value !== 'string') throw new InvalidArgument(`${where}.annotations.${key} must be a string`);
        attrs[`annotation.${key}`] = value;
      }
      exporters.push({ type: 'image', attrs });
      return;
    }
    if (type === 'local') {
      if (typeof o['dest'] !== 'string' || o['dest'] === '')
        throw new InvalidArgument(`${where}.dest must be a folder path`);
      fileOutputs[index] = { dir: o['dest'] };
      exporters.push({ type, attrs });
      return;
    }
    if (o['name'] !== undefined) attrs['name'] = names(o['name'], where);
    fileOutputs[index] = archiveSink(o['dest'], where);
    exporters.push({ type: type as string, attrs });
  });
  return { exporters, fileOutputs };
}

/** A FileOutput over what the caller gave; a file is created only when the first bytes come. */
function archiveSink(dest: unknown, where: string): FileOutput {
  if (typeof dest === 'string') {
    if (dest === '') throw new InvalidArgument(`${where}.dest must not be empty`);
    let file: Writable | undefined;
    return writableSink(() => (file ??= createWriteStream(dest)));
  }
  if (
    dest !== null &&
    typeof dest === 'object' &&
    typeof (dest as Writable).write === 'function' &&
    typeof (dest as Writable).on === 'function'
  ) {
    return writableSink(() => dest as Writable);
  }
  if (dest !== null && typeof dest === 'object' && typeof (dest as WritableStream).getWriter === 'function') {
    const writer = (dest as WritableStream<Uint8Array>).getWriter();
    return {
      write: (chunk) => writer.write(chunk),
      end: () => writer.close(),
      abort: (error) => void writer.abort(error).catch(() => {}),
    };
  }
  throw new InvalidArgument(`${where}.dest must be a file path, a Writable or a WritableStream`);
}

function writableSink(open: () => Writable): FileOutput {
  return {
    write: (chunk) =>
      new Promise<void>((resolve, reject) => {
        const w = open();
        if (w.destroyed) return reject(new Error('the output was closed'));
        if (w.write(chunk)) return resolve();
        const done = (error?: Error): void => {
          w.off('drain', onDrain).off('error', done).off('close', onClose);
          if (error) reject(error);
          else resolve();
        };
        const onDrain = (): void => done();
        const onClose = (): void => done(new Error('the output was closed'));
        w.on('drain', onDrain).on('error', done).on('close', onClose);
      }),
    end: () =>
      new Promise<void>((resolve, reject) => {
        const w = open();
        w.once('error', reject);
        w.end(() => resolve());
      }),
    abort: (error) => {
      open().destroy(error);
    },
  };
}

/** Cache imports (`cacheFrom`) or exports (`cacheTo`) as BuildKit's cache entries. */
export function planCache(entries: unknown, what: 'cacheFrom' | 'cacheTo'): TypedAttrs[] {
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) throw new InvalidArgument(`${what} must be an array of { type, … }`);
  return entries.map((entry: unknown, i) => {
    if (entry === null || typeof entry !== 'object' || typeof (entry as CacheEntry).type !== 'string')
      throw new InvalidArgument(`${what}[${i}] must be { type, … }`);
    const { type, ...rest } = entry as CacheEntry;
    if (type === 'local')
      throw new InvalidArgument(
        `${what}[${i}]: the local cache backend is not supported (it needs a content store served through the session); use registry`,
      );
    const attrs: Record<string, string> = {};
    for (const [key, value] of Object.entries(rest)) {
      if (value === undefined) continue;
      if (typeof value !== 'string') throw new InvalidArgument(`${what}[${i}].${key} must be a string`);
      attrs[key] = value;
    }
    if (type === 'registry') {
      if (attrs['ref'] === undefined) throw new InvalidArgument(`${what}[${i}]: a registry cache needs ref`);
      parseReference(attrs['ref'], `${what}[${i}].ref`);
    }
    if (attrs['mode'] !== undefined && attrs['mode'] !== 'min' && attrs['mode'] !== 'max')
      throw new InvalidArgument(`${what}[${i}].mode must be "min" or "max"`);
    return { type, attrs };
  });
}
