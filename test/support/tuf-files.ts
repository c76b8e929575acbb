// TUF repositories laid out in folders (metadata at the top, targets under targets/), read as a
// mirror without a network (for unit tests) or served on loopback (for integration tests).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Mirror } from '../../src/tuf/download.js';
import { refused } from '../../src/tuf/metadata.js';

export const SIGSTORE_STATES = join(import.meta.dirname, '..', 'fixtures', 'tuf', 'sigstore');

/** A file in the first of `folders` that has it, or undefined. */
export function findFile(folders: readonly string[], path: string): Buffer | undefined {
  if (path.split('/').some((part) => part === '..' || part === '')) return undefined;
  for (const folder of folders) {
    const file = join(folder, decodeURIComponent(path));
    if (existsSync(file)) return readFileSync(file);
  }
  return undefined;
}

/** Sigstore's state `name` (v10 … v15, latest) and every published root, as folders to serve. */
export function sigstoreState(name: string): { folders: string[]; published: number } {
  const state = join(SIGSTORE_STATES, name);
  const { published, root } = JSON.parse(readFileSync(join(state, 'state.json'), 'utf8')) as {
    published: number;
    root: number;
  };
  // the roots up to the state's own, as the mirror had them then
  const roots = join(SIGSTORE_STATES, 'roots');
  return { folders: [state, `${roots}#${root}`], published: published * 1000 };
}

/** A Mirror over folders (no network): `base/x` is the first folder's `x`; `folder#N` serves roots up to N.root.json. */
export function folderMirror(base: string, folders: () => readonly string[], seen: string[] = []): Mirror {
  return {
    async get(url, { what, maxLength }) {
      const path = url.slice(base.length + 1);
      seen.push(path);
      const bytes = findServed(folders(), path);
      if (bytes !== undefined && bytes.length > maxLength)
        throw refused(what, `longer than the length of ${maxLength} bytes allowed`);
      return bytes === undefined ? undefined : new Uint8Array(bytes);
    },
    close: async () => undefined,
  };
}

/** findServed: the file `path` as the folders serve it (a `folder#N` entry holds roots up to version N). */
export function findServed(folders: readonly string[], path: string): Buffer | undefined {
  const plain: string[] = [];
  for (const entry of folders) {
    const [folder, upTo] = entry.split('#') as [string, string | undefined];
    if (upTo === undefined) {
      plain.push(folder);
      continue;
    }
    const version = /^(\d+)\.root\.json$/.exec(path)?.[1];
    if (version !== undefined && Number(version) <= Number(upTo)) {
      const found = findFile([folder], path);
      if (found) return found;
    }
  }
  return findFile(plain, path);
}
