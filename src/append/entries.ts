// The tar entries of a layer made from a folder or from files: the folder walked as a build
// context is (build-context/walk.ts: sorted names, the .dockerignore matcher, symlinks kept as
// links, hardlinks once), placed under its target with its parent directories, and each entry
// normalised. With a fixed time (`created` or SOURCE_DATE_EPOCH) the entries are the same on any
// machine: every time set to it, modes kept but for group and other write (so a checkout's
// umask, 002 or 022, changes nothing), owner 0:0 unless given; ustar headers never carry user or
// group names nor device numbers.
import { walkContext } from '../build-context/walk.js';
import { InvalidArgument } from '../errors.js';
import { PatternMatcher } from '../ignore/matcher.js';
import type { PackEntry } from '../tar/packer.js';
import type { FileOwner, FilesLayer, LayerFile, PathLayer } from './types.js';

/** How entries are normalised: the time every entry gets (seconds; undefined keeps the file's) and the owner. */
export interface EntryRules {
  /** Seconds since the epoch; set, it makes the layer reproducible. */
  epoch: number | undefined;
  owner: FileOwner | undefined;
  /** The time of entries made here (parent directories, files given as bytes) when `epoch` is not set: fixed once, so that every pass makes the same bytes. */
  now: number;
}

const DIR_MODE = 0o755;
const FILE_MODE = 0o644;

/** `target`'s parts inside the image (no leading '/'); a relative target or one with `..` is InvalidArgument naming `what`. */
export function targetParts(target: string, what: string): string[] {
  if (typeof target !== 'string' || !target.startsWith('/'))
    throw new InvalidArgument(`${what} must be an absolute path in the image, not ${JSON.stringify(target)}`);
  const parts = target.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new InvalidArgument(`${what} must not contain "..": ${JSON.stringify(target)}`);
  return parts;
}

/** The mode an entry is stored with: given, or as on disk (without group and other write when reproducible: what a umask of 002 or 022 decides). */
function modeOf(entry: PackEntry, rules: EntryRules, given: number | undefined): number {
  if (entry.type === 'symlink') return 0o777;
  if (given !== undefined && entry.type !== 'directory') return given;
  return rules.epoch === undefined ? entry.mode : entry.mode & ~0o022;
}

function normalise(entry: PackEntry, rules: EntryRules, mode?: number): PackEntry {
  const out: PackEntry = {
    ...entry,
    mode: modeOf(entry, rules, mode),
    uid: rules.owner?.uid ?? 0,
    gid: rules.owner?.gid ?? 0,
  };
  if (rules.epoch !== undefined) out.mtime = rules.epoch;
  delete out.devmajor;
  delete out.devminor;
  return out;
}

/** The directories above `parts` (each a parent of the next), as entries: 0755, owned by root. */
function parentEntries(parts: string[], rules: EntryRules, now: number): PackEntry[] {
  const out: PackEntry[] = [];
  const root = { ...rules, owner: undefined };
  for (let i = 1; i < parts.length; i++)
    out.push(
      normalise({ name: parts.slice(0, i).join('/'), type: 'directory', mode: DIR_MODE, size: 0, mtime: now }, root),
    );
  return out;
}

/** A folder's entries under `layer.to` (checked by the caller), ignore patterns applied; `what` names the layer's field in errors (`layers[0].path`). */
export async function* folderEntries(
  root: string,
  layer: PathLayer,
  rules: EntryRules,
  what = 'the folder',
): AsyncIterable<PackEntry> {
  const parts = targetParts(layer.to ?? '/', 'to');
  const prefix = parts.join('/');
  const now = rules.epoch ?? rules.now;
  const under = (name: string): string => (prefix === '' ? name : `${prefix}/${name}`);
  if (prefix !== '') {
    yield* parentEntries(parts, rules, now);
    yield normalise({ name: prefix, type: 'directory', mode: DIR_MODE, size: 0, mtime: now }, rules);
  }
  for await (const entry of walkContext(root, new PatternMatcher(layer.ignore ?? []), { what })) {
    const placed: PackEntry = { ...entry, name: under(entry.name) };
    if (entry.type === 'hardlink' && entry.linkname !== undefined) placed.linkname = under(entry.linkname);
    yield normalise(placed, rules, layer.mode);
  }
}

/** One file on disk as a layer's only file, at `layer.to` (default: its name under `/`). */
export function singleFileEntries(
  name: string,
  size: number,
  mode: number,
  mtime: number,
  content: PackEntry['content'],
  layer: PathLayer,
  rules: EntryRules,
): PackEntry[] {
  const parts = targetParts(layer.to ?? `/${name}`, 'to');
  if (parts.length === 0) throw new InvalidArgument('to: a file cannot be placed at /');
  const now = rules.epoch ?? rules.now;
  const file: PackEntry = { name: parts.join('/'), type: 'file', mode, size, mtime, ...(content ? { content } : {}) };
  return [...parentEntries(parts, rules, now), normalise(file, rules, layer.mode)];
}

function asFile(value: Uint8Array | string | LayerFile, what: string): { data: Uint8Array; mode: number } {
  if (typeof value === 'string' || value instanceof Uint8Array)
    return { data: typeof value === 'string' ? Buffer.from(value) : value, mode: FILE_MODE };
  if (
    value === null ||
    typeof value !== 'object' ||
    !(typeof value.data === 'string' || value.data instanceof Uint8Array)
  )
    throw new InvalidArgument(`${what} must be bytes, text or { data, mode }`);
  if (value.mode !== undefined && !(Number.isInteger(value.mode) && value.mode >= 0 && value.mode <= 0o7777))
    throw new InvalidArgument(`${what}.mode must be a file mode (0 to 0o7777)`);
  return { data: typeof value.data === 'string' ? Buffer.from(value.data) : value.data, mode: value.mode ?? FILE_MODE };
}

/** Compares slash-separated names part by part, so that a directory comes just before what it holds. */
function byParts(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return x.length - y.length;
}

/** The entries of a `files` layer: its files and their parent directories, sorted by name. */
export function filesEntries(layer: FilesLayer, rules: EntryRules, where: string): PackEntry[] {
  const now = rules.epoch ?? rules.now;
  const byName = new Map<string, PackEntry>();
  for (const [target, value] of Object.entries(layer.files)) {
    const what = `${where}.files[${JSON.stringify(target)}]`;
    const parts = targetParts(target, what);
    if (parts.length === 0) throw new InvalidArgument(`${what}: a file cannot be placed at /`);
    const { data, mode } = asFile(value, what);
    for (const dir of parentEntries(parts, rules, now)) {
      const held = byName.get(dir.name);
      if (held !== undefined && held.type !== 'directory')
        throw new InvalidArgument(`${what}: ${dir.name} is a file given in this layer, not a directory`);
      byName.set(dir.name, held ?? dir);
    }
    const name = parts.join('/');
    if (byName.get(name)?.type === 'directory')
      throw new InvalidArgument(`${what}: ${name} is also a directory of another file`);
    byName.set(
      name,
      normalise(
        { name, type: 'file', mode, size: data.length, mtime: now, content: () => (data.length ? [data] : []) },
        rules,
        mode,
      ),
    );
  }
  return [...byName.values()].sort((a, b) => byParts(a.name, b.name));
}
