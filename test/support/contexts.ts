// Build-context folders for tests.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, linkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type Tree = Record<string, string | { symlink: string } | { hardlink: string } | { dir: true }>;

const made: string[] = [];

/** Writes `tree` into a new temporary folder and returns its path. */
export function makeTree(tree: Tree): string {
  const root = mkdtempSync(join(tmpdir(), 'dockwire-ctx-'));
  made.push(root);
  for (const [name, spec] of Object.entries(tree)) {
    const path = join(root, name);
    mkdirSync(dirname(path), { recursive: true });
    if (typeof spec === 'string') writeFileSync(path, spec);
    else if ('symlink' in spec) symlinkSync(spec.symlink, path);
    else if ('hardlink' in spec) linkSync(join(root, spec.hardlink), path);
    else mkdirSync(path, { recursive: true });
  }
  return root;
}

export function removeTrees(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}
