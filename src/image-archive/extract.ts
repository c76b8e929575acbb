// Writes an image's merged filesystem into a folder, never outside it. Paths come from the merged
// tree, where '..' cannot leave the image and every parent is a directory; on disk each parent is
// checked to be a real directory (never a symlink, whatever the folder held before), files are
// created with O_NOFOLLOW after whatever was at their path is removed, symlinks are made as they
// are and never followed, and a hard link's target is checked after resolution (realpath) to be a
// file inside the folder. Devices and fifos are skipped unless asked for (then made with mknod).
import { constants } from 'node:fs';
import { join, sep } from 'node:path';
import { ArchiveError } from '../errors.js';
import type { FileEntry } from './files.js';

/** ExtractOptions: the options of `extract`: what it makes beyond files, links and directories. */
export interface ExtractOptions {
  /** Make char and block devices and fifos (with `mknod`; devices need root). Default: skip them. */
  devices?: boolean;
}

/** ExtractResult: what extract did. */
export interface ExtractResult {
  /** Paths written. */
  written: number;
  /** Devices and fifos not made. */
  skipped: string[];
}

export async function extractFiles(
  files: AsyncIterable<FileEntry>,
  dir: string,
  options: ExtractOptions = {},
): Promise<ExtractResult> {
  // node:fs/promises is loaded by the first extract, not at import
  const { chmod, link, lstat, lutimes, mkdir, open, realpath, rm, symlink, utimes } =
    process.getBuiltinModule('node:fs/promises');
  await mkdir(dir, { recursive: true });
  const root = await realpath(dir);
  const checked = new Set<string>([root]);
  const dirs: Array<[string, number, number]> = [];
  const result: ExtractResult = { written: 0, skipped: [] };
  const refuse = (path: string, why: string): ArchiveError =>
    new ArchiveError(`extract ${path}: ${why}`, { entry: path });

  /** Makes (or checks) each directory above `target`, refusing any that is a symlink or not a directory. */
  async function parents(path: string, target: string): Promise<void> {
    const rel = target
      .slice(root.length + 1)
      .split(sep)
      .slice(0, -1);
    let at = root;
    for (const part of rel) {
      at = join(at, part);
      if (checked.has(at)) continue;
      const stat = await lstat(at).catch((e: NodeJS.ErrnoException) =>
        e.code === 'ENOENT' ? undefined : Promise.reject(e),
      );
      if (stat === undefined) await mkdir(at, 0o755);
      else if (!stat.isDirectory())
        throw refuse(
          path,
          `${at} is ${stat.isSymbolicLink() ? 'a symbolic link' : 'not a directory'}; extract writes through neither`,
        );
      checked.add(at);
    }
  }

  for await (const file of files) {
    const rel = file.path.replace(/^\/+/, '');
    if (rel === '' || rel.split('/').some((p) => p === '..' || p === '.' || p === ''))
      throw refuse(file.path, 'not a clean path inside the image');
    const target = join(root, ...rel.split('/'));
    if (!target.startsWith(root + sep)) throw refuse(file.path, 'outside the folder');
    if ((file.type === 'char' || file.type === 'block' || file.type === 'fifo') && !options.devices) {
      result.skipped.push(file.path);
      continue;
    }
    await parents(file.path, target);
    const existing = await lstat(target).catch(() => undefined);
    if (existing !== undefined && !(existing.isDirectory() && file.type === 'directory'))
      await rm(target, { recursive: true, force: true });
    switch (file.type) {
      case 'directory':
        if (existing === undefined || !existing.isDirectory()) await mkdir(target, 0o700);
        checked.add(target);
        dirs.push([target, file.mode, file.mtime]);
        break;
      case 'file': {
        const handle = await open(
          target,
          constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
          0o600,
        );
        try {
          for await (const piece of file.content()) await handle.write(piece);
        } finally {
          await handle.close();
        }
        await chmod(target, file.mode);
        await utimes(target, file.mtime, file.mtime);
        break;
      }
      case 'symlink':
        await symlink(file.linkname ?? '', target);
        await lutimes(target, file.mtime, file.mtime).catch(() => undefined);
        break;
      case 'hardlink': {
        const source = join(root, ...(file.linkname ?? '').replace(/^\/+/, '').split('/'));
        const real = await realpath(source).catch(() => undefined);
        const stat = real === undefined ? undefined : await lstat(real);
        if (real === undefined || !real.startsWith(root + sep) || !stat?.isFile())
          throw refuse(file.path, `its hard link target ${file.linkname} is not a file inside the folder`);
        await link(real, target);
        break;
      }
      default: {
        const kind =
          file.type === 'fifo'
            ? ['p']
            : [file.type === 'char' ? 'c' : 'b', String(file.devmajor ?? 0), String(file.devminor ?? 0)];
        // node:child_process is loaded only by an extract that makes devices (Node has no mknod)
        const { execFile } = await import('node:child_process');
        await new Promise<void>((resolve, reject) =>
          execFile('mknod', ['-m', (file.mode & 0o7777).toString(8), target, ...kind], (error) =>
            error ? reject(refuse(file.path, `mknod failed: ${error.message}`)) : resolve(),
          ),
        );
      }
    }
    result.written++;
  }
  // directories last, deepest first: a read-only one must not stop what goes inside it
  for (const [path, mode, mtime] of dirs.reverse()) {
    await chmod(path, mode);
    await utimes(path, mtime, mtime);
  }
  return result;
}
