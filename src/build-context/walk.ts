// Walks a build context folder the way the docker CLI's archiver does (moby pkg/archive
// TarWithOptions): names in sorted order, .dockerignore decisions carried from each directory to
// its children, excluded directories not entered unless an exception pattern starts inside
// them, symlinks stored as links (never followed), hardlinked files stored once and then as
// links, sockets, FIFOs and devices skipped without being opened. Entries are produced lazily:
// a directory is read only when the packer gets to it, a file only when its bytes are wanted.
//
// Metadata and files up to 64 KiB are read with synchronous calls: a direct syscall costs a few
// microseconds, a round trip through libuv's thread pool tens, and for contexts of many small
// files that round trip would be the whole cost (GNU tar is synchronous for the same reason).
// Larger files are read the same way, one 256 KiB chunk at a time and only when the consumer asks
// for the next (as the socket accepts them), without a read stream's thread-pool round trip and
// bookkeeping per chunk. Between chunks the event loop runs: a read blocks it for one chunk.
import { closeSync, lstatSync, openSync, readSync, readdirSync, readlinkSync, type Dirent, type Stats } from 'node:fs';
import { join } from 'node:path';
import { ContextError } from '../errors.js';
import { fileChunks, type ChunkBuffer } from '../files.js';
import { sized } from '../stream/sized.js';
import type { MatchInfo, PatternMatcher } from '../ignore/matcher.js';
import type { PackEntry } from '../tar/packer.js';

/** Files up to this size are read in one synchronous call when the packer reaches them. */
const SMALL_FILE = 64 * 1024;

export interface WalkOptions {
  /** Paths (relative, slash-separated) to leave out whatever the patterns say. */
  omit?: ReadonlySet<string>;
  /** Called with each directory as it is read ('' for the root): what the walk costs. */
  onDirectory?: (rel: string) => void;
  /**
   * Read every large file through one buffer: each chunk is then valid only until the next one is
   * asked for. For a consumer that is done with a chunk by then (Transport.releasesChunks); it
   * keeps the garbage of a 1 GiB context from piling up until the next collection.
   */
  reuseBuffer?: boolean;
  /** What the folder is, in error messages (default `the build context`; append's `layers[0].path`). */
  what?: string;
}

export async function* walkContext(
  root: string,
  matcher: PatternMatcher,
  options: WalkOptions = {},
): AsyncIterable<PackEntry> {
  const state: WalkState = {
    matcher,
    links: new Map(),
    omit: options.omit ?? new Set(),
    onDirectory: options.onDirectory,
    chunks: options.reuseBuffer ? {} : undefined,
    what: options.what ?? BUILD_CONTEXT,
  };
  yield* walkDir(root, '', undefined, state);
}

interface WalkState {
  matcher: PatternMatcher;
  /** "dev:ino" -> the first archived name of a file with several links */
  links: Map<string, string>;
  omit: ReadonlySet<string>;
  onDirectory: ((rel: string) => void) | undefined;
  /** Set when large files are read through one reused buffer */
  chunks: ChunkBuffer | undefined;
  /** What the folder is, in error messages */
  what: string;
}

const BUILD_CONTEXT = 'the build context';

export function readSorted(dir: string, rel: string, what = BUILD_CONTEXT): Dirent[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new ContextError(
      `cannot read directory ${rel || '.'} of ${what}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  // Go's filepath.Walk sorts names byte-wise; for the names contexts hold, code-unit order agrees
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function* walkDir(
  dir: string,
  rel: string,
  parentInfo: MatchInfo | undefined,
  state: WalkState,
): AsyncIterable<PackEntry> {
  const { matcher, links, omit, what } = state;
  state.onDirectory?.(rel);
  for (const dirent of readSorted(dir, rel, what)) {
    const name = rel === '' ? dirent.name : `${rel}/${dirent.name}`;
    const path = join(dir, dirent.name);
    const { excluded, info } = matcher.match(name, parentInfo);
    const isDir = dirent.isDirectory();
    if (excluded) {
      // An excluded directory is entered only if an exception may re-include something below it;
      // the directory itself is not archived.
      if (isDir && matcher.mayReinclude(name)) yield* walkDir(path, name, info, state);
      continue;
    }
    if (omit.has(name)) continue;
    if (!(isDir || dirent.isFile() || dirent.isSymbolicLink())) continue; // socket, FIFO, device
    let stat: Stats;
    try {
      stat = lstatSync(path);
    } catch (error) {
      throw new ContextError(`cannot stat ${name} in ${what}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
    const base = { name, mode: stat.mode & 0o7777, mtime: Math.floor(stat.mtimeMs / 1000), size: 0 };
    if (stat.isDirectory()) {
      yield { ...base, type: 'directory' };
      yield* walkDir(path, name, info, state);
    } else if (stat.isSymbolicLink()) {
      yield { ...base, type: 'symlink', linkname: readlinkSync(path) };
    } else if (stat.isFile()) {
      if (stat.nlink > 1) {
        const key = `${stat.dev}:${stat.ino}`;
        const first = links.get(key);
        if (first !== undefined) {
          yield { ...base, type: 'hardlink', linkname: first };
          continue;
        }
        links.set(key, name);
      }
      const size = stat.size;
      yield {
        ...base,
        type: 'file',
        size,
        content: () =>
          size <= SMALL_FILE
            ? readSmallFile(path, name, size, what)
            : sized(
                fileChunks(path, state.chunks, (e) => unreadable(name, what, e)),
                size,
                (read) => changed(name, what, size, read),
              ),
      };
    }
  }
}

/** A file of at most one chunk, read at once; it must still hold `expected` bytes. */
function readSmallFile(path: string, name: string, expected: number, what: string): Uint8Array[] {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    // room for one byte more than expected, so that a file that grew is noticed
    const buffer = Buffer.allocUnsafe(expected + 1);
    let got = 0;
    for (;;) {
      const n = readSync(fd, buffer, got, buffer.length - got, null);
      if (n === 0 || (got += n) === buffer.length) break;
    }
    if (got !== expected) throw changed(name, what, expected, got);
    return got === 0 ? [] : [buffer.subarray(0, got)];
  } catch (error) {
    if (error instanceof ContextError) throw error;
    throw unreadable(name, what, error as NodeJS.ErrnoException);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function changed(name: string, what: string, size: number, read: number): ContextError {
  return new ContextError(
    read > size
      ? `${name} in ${what} grew while it was being archived (expected ${size} bytes)`
      : `${name} in ${what} shrank while it was being archived (${read} of ${size} bytes)`,
  );
}

function unreadable(name: string, what: string, error: NodeJS.ErrnoException): ContextError {
  return new ContextError(`cannot read ${name} in ${what}: ${error.code ?? error}`);
}
