// An image whose later layers delete, replace, empty and refill (an opaque directory), chmod, and
// remove a hard link's first path; and listings of merged filesystems normalised so that two
// tools' listings compare path by path (type, mode, size, link target, hard-link groups).
import type { FileEntry } from '../../src/index.js';

/**
 * Two RUN layers over `base`: the second deletes a file and a folder, replaces a file, empties a
 * folder and fills it again (an opaque directory), changes a folder's mode and deletes the first
 * path of a hard-linked file.
 */
export function layeredDockerfile(base: string): string {
  return `FROM ${base}
RUN mkdir -p /data/keep /data/opaque/sub /data/gone-dir && echo a > /data/keep/a && echo old > /data/replace && echo x > /data/opaque/x && echo y > /data/opaque/sub/y && echo gone > /data/gone && echo g > /data/gone-dir/g && ln /data/keep/a /data/keep/hard && ln -s keep/a /data/sym && chmod 4755 /data/keep/a && mkfifo /data/fifo
RUN rm /data/gone && rm -rf /data/gone-dir && echo new-content > /data/replace && rm -rf /data/opaque && mkdir -p /data/opaque && echo z > /data/opaque/z && chmod 700 /data/keep && rm /data/keep/a && ln -s /data/keep/hard /data/abs-sym
`;
}

/** What the engine adds to every container (its init layer): not the image's, so not compared. */
const INIT = new Set([
  '.dockerenv',
  'etc/hostname',
  'etc/hosts',
  'etc/resolv.conf',
  'etc/mtab',
  'dev',
  'dev/console',
  'dev/pts',
  'dev/shm',
  'proc',
  'sys',
]);

export interface Row {
  type: string;
  mode: number;
  size: number;
  linkname?: string;
}

export type Listed = { path: string; type: string; mode: number; size: number; linkname?: string };

/** A path as docker export and crane export name it: relative, no `./`, no trailing `/`. */
export const relativePath = (path: string): string => path.replace(/^\.?\/+/, '').replace(/\/$/, '');

/**
 * A listing keyed by path (relative, as docker export names them), hard links as the files they
 * are (with their group of names), so two listings compare whichever path each tool chose as the file.
 */
export function normalise(entries: Listed[]): { rows: Record<string, Row>; groups: string[][] } {
  const rows: Record<string, Row> = {};
  const group = new Map<string, string[]>();
  for (const e of entries) {
    const path = relativePath(e.path);
    if (path === '' || INIT.has(path)) continue;
    if (e.type === 'hardlink') {
      const target = e.linkname!.replace(/^\/+/, '');
      rows[path] = { ...rows[target]! };
      group.get(target)!.push(path);
      continue;
    }
    rows[path] = {
      type: e.type,
      mode: e.mode,
      size: e.size,
      ...(e.type === 'symlink' ? { linkname: e.linkname! } : {}),
    };
    if (e.type === 'file') group.set(path, [path]);
  }
  return { rows, groups: [...group.values()].filter((g) => g.length > 1).map((g) => g.sort()) };
}

export async function listing(files: AsyncIterable<FileEntry>): Promise<FileEntry[]> {
  const out: FileEntry[] = [];
  for await (const f of files) out.push(f);
  return out;
}
