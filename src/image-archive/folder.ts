// An image archive that is a folder, read in place: an OCI image layout as the spec lays it out
// (what oras, skopeo, umoci, crane and BuildKit write) or an unpacked docker-archive. The folder is
// untrusted input: a member is a regular file inside it, reached by a name with no `..` and by no
// symlink that leads out; what is read is bounded by the file's size when it was opened.
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises'; // (node:fs/promises is loaded where first used)
import { isAbsolute, join, relative, sep } from 'node:path';
import { ArchiveError, ClientClosed } from '../errors.js';
import type { RandomAccess } from '../tar/reader.js';
import { handleAccess, type OwnedAccess } from './access.js';
import type { ArchiveMembers } from './members.js';
import { Kept } from '../kept.js';

// O_NONBLOCK: opening a FIFO planted in the folder must not wait for a writer (it is then refused)
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

const fs = () => process.getBuiltinModule('node:fs/promises');

/** folderMembers: the files of the folder `path` as an archive's members; close() closes every file opened. */
export async function folderMembers(path: string): Promise<ArchiveMembers> {
  return new FolderMembers(await fs().realpath(path));
}

class FolderMembers implements ArchiveMembers {
  /** The folder's real path (no symlink in it). */
  readonly #root: string;
  /** The files opened for random access, by real path, held until close(). */
  readonly #held = new Kept<OwnedAccess>();
  #closed = false;

  constructor(root: string) {
    this.#root = root;
  }

  async has(name: string): Promise<boolean> {
    return (await this.#locate(name)) !== undefined;
  }

  async read(name: string, check: (size: number) => void): Promise<Uint8Array | undefined> {
    const real = await this.#locate(name);
    if (real === undefined) return undefined;
    const { handle, size } = await this.#openFile(name, real);
    try {
      check(size);
      // one byte more than its size: a file that grew since it was opened is refused, not cut short
      const bytes = Buffer.allocUnsafe(size + 1);
      let got = 0;
      for (;;) {
        const { bytesRead } = await handle.read(bytes, got, bytes.length - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
        if (got === bytes.length) break;
      }
      if (got !== size)
        throw new ArchiveError(`${name} changed while it was read (${size} bytes when opened): refused`, {
          entry: name,
        });
      return bytes.subarray(0, size);
    } finally {
      await handle.close();
    }
  }

  async open(name: string): Promise<RandomAccess | undefined> {
    if (this.#closed) throw new ClientClosed(`the archive is closed: cannot open ${name}`);
    const real = await this.#locate(name);
    if (real === undefined) return undefined;
    return this.#held.once(real, () =>
      this.#openFile(name, real).then(({ handle, size }) => handleAccess(handle, size, async () => {})),
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const opened of this.#held.takeAll())
      await opened.then(
        (access) => access.close(),
        () => {},
      );
  }

  /**
   * The real path of member `name`, or undefined when the folder has none; ArchiveError when the
   * name is absolute or climbs (`..`), or when a symlink on its way leads out of the folder.
   */
  async #locate(name: string): Promise<string | undefined> {
    const parts = name.split('/').filter((part) => part !== '' && part !== '.');
    if (isAbsolute(name) || name.startsWith('/') || parts.includes('..') || parts.length === 0 || name.includes('\0'))
      throw new ArchiveError(`the member name ${JSON.stringify(name)} would leave the folder: refused`, {
        entry: name,
      });
    let real: string;
    try {
      real = await fs().realpath(join(this.#root, ...parts));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw unreadable(name, error);
    }
    const inside = relative(this.#root, real);
    if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside))
      throw new ArchiveError(`${name} is a symlink that leads out of the folder (to ${real}): refused`, {
        entry: name,
      });
    return real;
  }

  /** Opens `real` (member `name`): a regular file, the same one it was when it was looked at, never through a symlink. */
  async #openFile(name: string, real: string): Promise<{ handle: FileHandle; size: number }> {
    const before = await fs()
      .stat(real)
      .catch((error: unknown) => {
        throw unreadable(name, error);
      });
    if (!before.isFile()) throw new ArchiveError(`${name} is not a regular file: refused`, { entry: name });
    let handle: FileHandle;
    try {
      handle = await fs().open(real, OPEN_FLAGS);
    } catch (error) {
      throw unreadable(name, error);
    }
    try {
      const after = await handle.stat();
      // swapped between the look and the open (a path on the way made a symlink): refused
      if (!after.isFile() || after.ino !== before.ino || after.dev !== before.dev)
        throw new ArchiveError(`${name} changed while it was opened: refused`, { entry: name });
      return { handle, size: after.size };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }
}

/** ArchiveError: member `name` could not be read (the system's error code, as the cause). */
function unreadable(name: string, error: unknown): ArchiveError {
  return new ArchiveError(
    `cannot read ${name} in the folder: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    {
      entry: name,
      cause: error,
    },
  );
}
