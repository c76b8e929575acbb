// Walks a folder for FileSync, as fsutil's walker does for buildctl: names in sorted order, each
// directory before what it holds; entries excluded by any of the exclude matchers left out, and
// excluded directories not entered unless an exception pattern starts inside them; with include
// patterns, only what they match, and the directories above it. A directory that is only on the
// way to something included is listed when that something is, so an ignored tree costs nothing:
// it is never read. Symlinks are listed as links, never followed; sockets, FIFOs and devices are
// left out. Metadata is read with synchronous calls (walk.ts says why).
import { lstatSync, readlinkSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { goFileMode, type FsStat } from '../buildkit/fsutil.js';
import { ContextError } from '../errors.js';
import type { MatchInfo, PatternMatcher } from '../ignore/matcher.js';
import { readSorted } from './walk.js';

export interface SyncEntry {
  stat: FsStat;
  /** Where the entry is on disk. */
  path: string;
}

export interface SyncWalkOptions {
  /** Matchers whose matches are left out (the .dockerignore, BuildKit's exclude-patterns). */
  exclude: readonly PatternMatcher[];
  /** When given, only what it matches (and the directories above that) is listed. */
  include?: PatternMatcher;
  /** The literal patterns include was made from, to skip directories nothing can match in. */
  includePatterns?: readonly string[];
  /** Called with each directory as it is read ('' for the root): what the walk costs. */
  onDirectory?: (rel: string) => void;
}

interface Level {
  excludeInfo: Array<MatchInfo | undefined>;
  includeInfo: MatchInfo | undefined;
  /** True when the directory itself was matched by include (all below it is included). */
  included: boolean;
}

export function* walkForSync(root: string, options: SyncWalkOptions): Generator<SyncEntry> {
  const pending: SyncEntry[] = [];
  yield* walkDir(
    root,
    '',
    {
      excludeInfo: options.exclude.map(() => undefined),
      includeInfo: undefined,
      included: options.include === undefined,
    },
    options,
    pending,
  );
}

function* walkDir(
  dir: string,
  rel: string,
  level: Level,
  options: SyncWalkOptions,
  pending: SyncEntry[],
): Generator<SyncEntry> {
  options.onDirectory?.(rel);
  for (const dirent of readSorted(dir, rel)) {
    const name = rel === '' ? dirent.name : `${rel}/${dirent.name}`;
    const path = join(dir, dirent.name);
    const isDir = dirent.isDirectory();
    if (!(isDir || dirent.isFile() || dirent.isSymbolicLink())) continue; // socket, FIFO, device
    const excludeInfo: Array<MatchInfo | undefined> = [];
    let excluded = false;
    let reenter = true;
    options.exclude.forEach((matcher, i) => {
      const { excluded: out, info } = matcher.match(name, level.excludeInfo[i]);
      excludeInfo.push(info);
      if (out) {
        excluded = true;
        reenter &&= isDir && matcher.mayReinclude(name);
      }
    });
    if (excluded && !reenter) continue;
    let included = level.included;
    let includeInfo: MatchInfo | undefined;
    if (!included && options.include) {
      const m = options.include.match(name, level.includeInfo);
      included = m.excluded; // (a match of an include pattern)
      includeInfo = m.info;
    }
    if (!included && !(isDir && mayHoldMatches(name, options.includePatterns))) continue;
    const entry = { stat: statOf(path, name), path };
    const next: Level = { excludeInfo, includeInfo, included };
    if (isDir) {
      // listed once something below it is (or now, if it is itself wanted)
      pending.push(entry);
      if (included && !excluded) yield* flush(pending);
      yield* walkDir(path, name, next, options, pending);
      if (pending.at(-1) === entry) pending.pop();
    } else if (!excluded) {
      yield* flush(pending);
      yield entry;
    }
  }
}

function* flush(pending: SyncEntry[]): Generator<SyncEntry> {
  for (const entry of pending.splice(0)) yield entry;
}

/** Whether an include pattern could match something inside `dir`, judged by its literal leading components. */
function mayHoldMatches(dir: string, patterns: readonly string[] | undefined): boolean {
  if (patterns === undefined) return true;
  const parts = dir.split('/');
  return patterns.some((pattern) => {
    const wanted = pattern.replace(/^\/+/, '').split('/');
    for (let i = 0; i < parts.length; i++) {
      const want = wanted[i];
      if (want === undefined) return true; // (the pattern names an ancestor: matched above)
      if (/[*?[\\]/.test(want)) return true;
      if (want !== parts[i]) return false;
    }
    return true;
  });
}

function statOf(path: string, name: string): FsStat {
  let stat: BigIntStats;
  try {
    stat = lstatSync(path, { bigint: true });
  } catch (error) {
    throw new ContextError(
      `cannot stat ${name} in the build context: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  const mode = Number(stat.mode);
  const out: FsStat = {
    path: name,
    mode: goFileMode(mode),
    uid: Number(stat.uid),
    gid: Number(stat.gid),
    size: stat.isDirectory() ? 0 : Number(stat.size),
    modTime: stat.mtimeNs < 0n ? 0n : stat.mtimeNs,
  };
  if (stat.isSymbolicLink()) out.linkname = readlinkSync(path);
  return out;
}
