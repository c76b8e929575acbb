// Each layer asked for as a tar, made when the layer is measured (its blob is then kept, so the
// tar is never made again): a folder or a file on disk (walked and packed), files given as bytes
// (packed), a tar file or a tar stream (read, decompressed first when it is gzip or zstd). Every
// check that needs no upload is made here, before anything is sent.
import { lstatSync, type Stats } from 'node:fs';
import { basename, resolve } from 'node:path';
import { InvalidArgument } from '../errors.js';
import { fileChunks } from '../files.js';
import { layerTar } from '../image-archive/decompress.js';
import { checkOptions } from '../options.js';
import { toBodySource } from '../stream/body-source.js';
import { pack } from '../tar/packer.js';
import { filesEntries, folderEntries, singleFileEntries, targetParts, type EntryRules } from './entries.js';
import type { AppendLayer, FileOwner, FilesLayer, PathLayer, TarLayer } from './types.js';

/** LayerSource: one layer's tar, made when it is asked for (a tar stream can be asked for once). */
export interface LayerSource {
  tar(): AsyncIterable<Uint8Array>;
}

const PATH_LAYER = ['path', 'to', 'ignore', 'owner', 'mode'];
const FILES_LAYER = ['files', 'owner'];
const TAR_LAYER = ['tar'];

function checkOwner(owner: FileOwner | undefined, what: string): void {
  if (owner === undefined) return;
  const id = (n: unknown): boolean => Number.isSafeInteger(n) && (n as number) >= 0;
  if (owner === null || typeof owner !== 'object' || !id(owner.uid) || !id(owner.gid))
    throw new InvalidArgument(`${what} must be { uid, gid }, whole numbers`);
}

function unreadable(what: string, path: string) {
  return (error: NodeJS.ErrnoException): Error =>
    new InvalidArgument(`${what}: cannot read ${path}: ${error.code ?? error.message}`);
}

/** Checks `layer` (the `where`-th) and gives its source; a path that does not exist is InvalidArgument naming the field. */
export function layerSource(
  layer: AppendLayer,
  where: string,
  rules: (owner: FileOwner | undefined) => EntryRules,
): LayerSource {
  if (layer === null || typeof layer !== 'object')
    throw new InvalidArgument(`${where} must be { path }, { files } or { tar }`);
  if ('path' in layer) {
    checkOptions(where, layer, PATH_LAYER);
    const given = layer as PathLayer;
    if (typeof given.path !== 'string' || given.path === '')
      throw new InvalidArgument(`${where}.path must be a non-empty string`);
    if (given.to !== undefined) targetParts(given.to, `${where}.to`);
    if (given.ignore !== undefined && (!Array.isArray(given.ignore) || given.ignore.some((p) => typeof p !== 'string')))
      throw new InvalidArgument(`${where}.ignore must be a list of patterns`);
    if (given.mode !== undefined && !(Number.isInteger(given.mode) && given.mode >= 0 && given.mode <= 0o7777))
      throw new InvalidArgument(`${where}.mode must be a file mode (0 to 0o7777)`);
    checkOwner(given.owner, `${where}.owner`);
    const root = resolve(given.path);
    let info: Stats;
    try {
      info = lstatSync(root);
    } catch (error) {
      throw new InvalidArgument(
        `${where}.path: ${given.path} does not exist or cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`,
      );
    }
    const entryRules = rules(given.owner);
    if (info.isDirectory()) return { tar: () => pack(folderEntries(root, given, entryRules, `${where}.path`)) };
    if (!info.isFile()) throw new InvalidArgument(`${where}.path: ${given.path} is neither a folder nor a file`);
    const content = () => fileChunks(root, undefined, unreadable(`${where}.path`, given.path));
    return {
      tar: () =>
        pack(
          singleFileEntries(
            basename(root),
            info.size,
            info.mode & 0o7777,
            Math.floor(info.mtimeMs / 1000),
            content,
            given,
            entryRules,
          ),
        ),
    };
  }
  if ('files' in layer) {
    checkOptions(where, layer, FILES_LAYER);
    const given = layer as FilesLayer;
    if (given.files === null || typeof given.files !== 'object' || Array.isArray(given.files))
      throw new InvalidArgument(`${where}.files must be an object of paths in the image`);
    checkOwner(given.owner, `${where}.owner`);
    const entryRules = rules(given.owner);
    filesEntries(given, entryRules, where); // checked now, before anything is sent
    return { tar: () => pack(filesEntries(given, entryRules, where)) };
  }
  if ('tar' in layer) {
    checkOptions(where, layer, TAR_LAYER);
    const given = (layer as TarLayer).tar;
    if (typeof given === 'string') {
      if (given === '') throw new InvalidArgument(`${where}.tar must be a path or a stream`);
      try {
        if (!lstatSync(resolve(given)).isFile()) throw new InvalidArgument(`${where}.tar: ${given} is not a file`);
      } catch (error) {
        if (error instanceof InvalidArgument) throw error;
        throw new InvalidArgument(
          `${where}.tar: ${given} does not exist or cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`,
        );
      }
      const path = resolve(given);
      return { tar: () => tarOf(fileChunks(path, undefined, unreadable(`${where}.tar`, path)), where) };
    }
    return onceTar(toBodySource(given, `${where}.tar`), where);
  }
  throw new InvalidArgument(`${where} must be { path }, { files } or { tar }`);
}

/** The tar `bytes` hold, decompressed when they are gzip or zstd. */
async function* tarOf(bytes: AsyncIterable<Uint8Array>, where: string): AsyncIterable<Uint8Array> {
  // (a stream in, so a stream out: only random access stays random access)
  yield* (await layerTar(bytes, '', `${where}.tar`)) as AsyncIterable<Uint8Array>;
}

/** A tar stream: read once, when the layer is measured. */
function onceTar(source: Uint8Array | AsyncIterable<Uint8Array>, where: string): LayerSource {
  let taken = false;
  return {
    tar() {
      if (taken) throw new InvalidArgument(`${where}.tar: a stream can be read once`);
      taken = true;
      const bytes = source;
      return tarOf(
        bytes instanceof Uint8Array
          ? (async function* () {
              yield bytes;
            })()
          : bytes,
        where,
      );
    },
  };
}
