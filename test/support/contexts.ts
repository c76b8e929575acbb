// Build-context folders for tests.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, linkSync } from 'node:fs';
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

/** `program` and the shared libraries ldd names for it, copied at their own paths under `dir/root` (for `COPY root/ /` on busybox). */
export function copyProgram(dir: string, program: string): void {
  const files = [
    program,
    ...execFileSync('ldd', [program], { encoding: 'utf8' })
      .split('\n')
      .map((l) => /(\/\S+) \(0x/.exec(l)?.[1])
      .filter((p): p is string => p !== undefined),
  ];
  for (const file of files) {
    mkdirSync(join(dir, 'root', join(file, '..')), { recursive: true });
    copyFileSync(file, join(dir, 'root', file));
    chmodSync(join(dir, 'root', file), 0o755);
  }
}
