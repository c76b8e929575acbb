// The file reads host configuration makes. A file or folder that is absent is a fact about the
// machine (most hosts have no certs.d); one that exists but cannot be read is a ConfigError
// naming it, never skipped. Messages name paths and errno codes, never contents.
import { readdir, type Dirent } from 'node:fs';
import { ConfigError } from '../errors.js';
import { readFile, stat } from '../files.js';

function absent(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function unreadable(path: string, error: unknown): ConfigError {
  return new ConfigError(
    `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    { file: path },
    { cause: error },
  );
}

/** The file's bytes, or undefined when there is no such file. */
export async function readIfPresent(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if (absent(error)) return undefined;
    throw unreadable(path, error);
  }
}

/** The file's bytes; absent or unreadable is a ConfigError naming it. */
export async function readRequired(path: string, what: string): Promise<Buffer> {
  const bytes = await readIfPresent(path);
  if (bytes === undefined) throw new ConfigError(`${what} does not exist`, { file: path });
  return bytes;
}

/** The names of the files (not folders) in a folder, sorted; undefined when there is no such folder. */
export async function listFiles(path: string): Promise<string[] | undefined> {
  try {
    const entries = await new Promise<Dirent[]>((resolve, reject) =>
      readdir(path, { withFileTypes: true }, (error, found) => (error ? reject(error) : resolve(found))),
    );
    return entries
      .filter((entry) => !entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    if (absent(error)) return undefined;
    throw unreadable(path, error);
  }
}

/** True when `path` is a folder; false when nothing is there. */
export async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error) {
    if (absent(error)) return false;
    throw unreadable(path, error);
  }
}
