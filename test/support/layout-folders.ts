// Image archives as folders, for the tests of openImageArchive over a folder: a tar made here
// unpacked as `tar -x` would (files, folders, symlinks, hard links), and the files this process
// holds open under a folder (Linux's /proc/self/fd), to show that none is left open.
import {
  linkSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { PackEntry } from '../../src/tar/packer.js';
import { dir as dirEntry, member } from './image-archives.js';
import { packed, readTar } from './tar.js';

/** Unpacks `archive` (a tar) into the folder `dir`; its names stay inside it. */
export function unpackTo(archive: Uint8Array, dir: string): string {
  for (const entry of readTar(archive)) {
    const name = entry.name.replace(/^(\.\/|\/)+/, '').replace(/\/$/, '');
    if (name === '' || name === '.') continue;
    if (name.split('/').includes('..')) throw new Error(`unpackTo: ${name} leaves the folder`);
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    if (entry.type === 'directory') mkdirSync(path, { recursive: true });
    else if (entry.type === 'file') writeFileSync(path, entry.content);
    else if (entry.type === 'symlink') symlinkSync(entry.linkname, path);
    else if (entry.type === 'hardlink') linkSync(join(dir, entry.linkname), path);
  }
  return dir;
}

/** The folder `dir` (its folders and files) as a tar, in memory. */
export function tarOf(dir: string): Promise<Buffer> {
  const entries: PackEntry[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(join(dir, at), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const name = at === '' ? entry.name : `${at}/${entry.name}`;
      if (entry.isDirectory()) {
        entries.push(dirEntry(name));
        walk(name);
      } else if (entry.isFile()) entries.push(member(name, readFileSync(join(dir, name))));
    }
  };
  walk('');
  return packed(entries);
}

/** How many files this process has open under `dir` (Linux: /proc/self/fd); undefined elsewhere. */
export function openFilesUnder(dir: string): number | undefined {
  if (process.platform !== 'linux') return undefined;
  const root = `${realpathSync(dir)}/`;
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(root)) count++;
    } catch {
      // closed between the listing and the look
    }
  }
  return count;
}
