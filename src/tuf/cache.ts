// The TUF client's cache: one folder per mirror URL, holding the last metadata it trusted and the
// targets it fetched. Every file is written whole to a temporary name and renamed over the old one,
// so a reader (or a crash) never sees half a file; nothing is written until an update has passed.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** defaultCacheDir: (XDG_CACHE_HOME or ~/.cache)/dockwire/tuf. */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'dockwire', 'tuf');
}

/** mirrorFolder: the folder of `mirror`'s files under `cacheDir` (its URL, percent-encoded, as sigstore-python names it). */
export function mirrorFolder(cacheDir: string, mirror: string): string {
  return join(cacheDir, encodeURIComponent(mirror));
}

/** targetPath: where the target `name` is kept, relative to the mirror's folder. */
export function targetPath(name: string): string {
  return join('targets', encodeURIComponent(name));
}

/** readCached: the file's bytes, or undefined when it is not there. */
export async function readCached(folder: string, name: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(join(folder, name)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** writeCached: each file written atomically (a temporary file in the same folder, then a rename). */
export async function writeCached(folder: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
  for (const [name, bytes] of files) {
    const path = join(folder, name);
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    const temporary = `${path}.${process.getBuiltinModule('node:crypto').randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, bytes, { mode: 0o644, flag: 'wx' });
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw error;
    }
  }
}
