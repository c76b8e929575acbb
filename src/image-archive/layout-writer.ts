// An OCI image layout folder being written (registry.save): blobs streamed in under a temporary
// name and renamed once whole, so a blob's name always holds its whole content; index.json
// rewritten last, the same way, so it never names what is not there. Into a new or empty folder, or
// an existing layout, whose index.json entries are kept (an entry under a name given again is
// replaced, as oras replaces a tag).
import type { FileHandle } from 'node:fs/promises'; // (node:fs/promises is loaded where first used)
import { join } from 'node:path';
import { ArchiveError, InvalidArgument, ProtocolError } from '../errors.js';
import { digestAlgorithm, digestOf } from '../digest.js';
import { Kept } from '../kept.js';
import { OCI_INDEX, type Descriptor } from '../oci.js';
import { randomHex } from '../random.js';
import { pack, type PackEntry } from '../tar/packer.js';
import { accessChunks, fileAccess } from './access.js';

const REF_NAME = 'org.opencontainers.image.ref.name';

const fs = () => process.getBuiltinModule('node:fs/promises');

/** LayoutWriter: blobs and index.json entries written into an OCI layout folder. */
export class LayoutWriter {
  readonly #dir: string;
  readonly #entries: Descriptor[];
  readonly #blobs = new Kept<boolean>();
  /** The tar the folder is packed into on commit (the folder a temporary one beside it), when one was asked for. */
  readonly #tar: string | undefined;

  private constructor(dir: string, entries: Descriptor[], tar: string | undefined) {
    this.#dir = dir;
    this.#entries = entries;
    this.#tar = tar;
  }

  /**
   * The layout at `target` (made when missing): a new or empty folder, or an OCI layout; or a path
   * ending in `.tar`, a tar written whole on commit (replacing one there), its folder a temporary
   * one beside it that close() removes. Anything else is InvalidArgument naming `where`.
   */
  static async open(target: string, where: string): Promise<LayoutWriter> {
    const { mkdir, readdir, readFile, stat, writeFile } = fs();
    if (typeof target !== 'string' || target === '') throw new InvalidArgument(`${where}: give the layout's folder`);
    const tar = target.endsWith('.tar') ? target : undefined;
    const dir = tar === undefined ? target : join(tar, '..', `.${randomHex(8)}.layout.partial`);
    if (
      tar !== undefined &&
      (await stat(tar).then(
        (s) => !s.isFile(),
        () => false,
      ))
    )
      throw new InvalidArgument(`${where}: ${tar} is there and is not a file`);
    const found = await stat(dir).catch((error: NodeJS.ErrnoException) =>
      error.code === 'ENOENT' ? undefined : Promise.reject(error),
    );
    if (found !== undefined && !found.isDirectory())
      throw new InvalidArgument(`${where}: ${dir} is not a folder (an OCI layout is written as a folder)`);
    let entries: Descriptor[] = [];
    let layout = false;
    if (found === undefined) await mkdir(dir, { recursive: true });
    else {
      const names = await readdir(dir);
      layout = names.includes('oci-layout');
      if (layout) entries = await readEntries(join(dir, 'index.json'), readFile, where);
      else if (names.length > 0)
        throw new InvalidArgument(`${where}: ${dir} is neither empty nor an OCI layout (it has no oci-layout file)`);
    }
    await mkdir(join(dir, 'blobs'), { recursive: true });
    if (!layout) await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    return new LayoutWriter(dir, entries, tar);
  }

  /** True when the layout holds the blob `digest`. */
  async has(digest: string): Promise<boolean> {
    const path = this.#path(digest);
    return fs()
      .stat(path)
      .then(
        (s) => s.isFile(),
        () => false,
      );
  }

  /**
   * Writes the blob `descriptor` names from `chunks` (whose source verifies its digest before the
   * last chunk), each chunk written before the next is asked for; refused when it is not the
   * descriptor's size. Once per digest: a second write of one waits for the first.
   */
  write(descriptor: Descriptor, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<boolean> {
    return this.#blobs.once(descriptor.digest, async () => {
      const path = this.#path(descriptor.digest);
      if (await this.has(descriptor.digest)) return false;
      await replaceFile(path, async (handle) => {
        let written = 0;
        for await (const chunk of chunks) {
          written += chunk.length;
          if (written > descriptor.size)
            throw new ProtocolError(
              `blob ${descriptor.digest} is longer than the ${descriptor.size} bytes its descriptor gives`,
            );
          await writeWhole(handle, chunk);
        }
        if (written !== descriptor.size)
          throw new ProtocolError(
            `blob ${descriptor.digest} is ${written} bytes, not the ${descriptor.size} its descriptor gives`,
          );
      });
      return true;
    });
  }

  /** Writes `bytes` (a manifest) as the blob of their sha256 digest; their descriptor. */
  async writeBytes(bytes: Uint8Array, mediaType: string): Promise<Descriptor> {
    const descriptor = { mediaType, digest: digestOf(bytes), size: bytes.length };
    await this.write(descriptor, [bytes]);
    return descriptor;
  }

  /** Lists `descriptor` in index.json (under `name`, when given: the entry of that name before is replaced), with `annotations`. */
  list(descriptor: Descriptor, name: string | undefined, annotations: Record<string, string> = {}): void {
    const all = { ...annotations, ...(name !== undefined ? { [REF_NAME]: name } : {}) };
    const entry: Descriptor = { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size };
    if (Object.keys(all).length > 0) entry.annotations = all;
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const old = this.#entries[i]!;
      const oldName = old.annotations?.[REF_NAME];
      // the entry of that name, or this manifest's entry under the same name (or none)
      if (oldName === name && (name !== undefined || old.digest === entry.digest)) this.#entries.splice(i, 1);
    }
    this.#entries.push(entry);
  }

  /** Writes index.json with every entry listed (under a temporary name, then renamed over the old one); then the tar, when one was asked for. */
  async commit(): Promise<void> {
    const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: this.#entries };
    const bytes = new TextEncoder().encode(JSON.stringify(index));
    await replaceFile(join(this.#dir, 'index.json'), (handle) => writeWhole(handle, bytes));
    if (this.#tar !== undefined) await packLayout(this.#dir, this.#tar);
  }

  /** Removes the temporary folder of a tar (written or not); nothing for a folder. */
  async close(): Promise<void> {
    if (this.#tar !== undefined) await fs().rm(this.#dir, { recursive: true, force: true });
  }

  #path(digest: string): string {
    const algorithm = digestAlgorithm(digest);
    if (algorithm === undefined)
      throw new ProtocolError(`${JSON.stringify(digest.slice(0, 80))} is not a digest: refused`);
    return join(this.#dir, 'blobs', algorithm, digest.slice(algorithm.length + 1));
  }
}

/** Writes `path` whole through `fill` into a temporary file beside it, renamed over `path` only when `fill` ends; on failure, removed. */
async function replaceFile(path: string, fill: (handle: FileHandle) => Promise<void>): Promise<void> {
  const { mkdir, open, rename, rm } = fs();
  const folder = join(path, '..');
  await mkdir(folder, { recursive: true });
  const partial = join(folder, `.${randomHex(8)}.partial`);
  const handle = await open(partial, 'wx');
  try {
    await fill(handle);
    await handle.close();
    await rename(partial, path);
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(partial, { force: true });
    throw error;
  }
}

async function readEntries(
  path: string,
  readFile: (path: string, encoding: 'utf8') => Promise<string>,
  where: string,
): Promise<Descriptor[]> {
  let index: { manifests?: unknown };
  try {
    index = JSON.parse(await readFile(path, 'utf8')) as { manifests?: unknown };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new InvalidArgument(`${where}: ${path} is not JSON`, { cause: error });
  }
  if (index === null || typeof index !== 'object' || !Array.isArray(index.manifests))
    throw new InvalidArgument(`${where}: ${path} lists no manifests`);
  return index.manifests as Descriptor[];
}

/**
 * packLayout: the layout folder `folder` (as a LayoutWriter leaves it) as one tar at `target`,
 * written under a temporary name beside it and renamed over it once whole: oci-layout, index.json
 * and every blob, the times and owners zero (the same folder gives the same tar).
 */
async function packLayout(folder: string, target: string): Promise<void> {
  const { readdir, stat } = fs();
  const entry = (name: string, size: number): PackEntry => ({
    name,
    type: 'file',
    mode: 0o644,
    size,
    mtime: 0,
    uid: 0,
    gid: 0,
    content: () => fileChunks(join(folder, name)),
  });
  const directory = (name: string): PackEntry => ({
    name,
    type: 'directory',
    mode: 0o755,
    size: 0,
    mtime: 0,
    uid: 0,
    gid: 0,
  });
  const entries: PackEntry[] = [];
  for (const name of ['oci-layout', 'index.json']) entries.push(entry(name, (await stat(join(folder, name))).size));
  entries.push(directory('blobs'));
  for (const algorithm of (await readdir(join(folder, 'blobs'))).sort()) {
    entries.push(directory(`blobs/${algorithm}`));
    for (const name of (await readdir(join(folder, 'blobs', algorithm))).sort()) {
      if (name.startsWith('.')) continue; // (a partial blob, which a finished save leaves none of)
      const path = `blobs/${algorithm}/${name}`;
      entries.push(entry(path, (await stat(join(folder, path))).size));
    }
  }
  await replaceFile(target, async (handle) => {
    for await (const chunk of pack(entries)) await writeWhole(handle, chunk);
  });
}

/** A file's bytes, in pieces (each read into memory of its own: the packer may hold one while the next is read). */
async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  const access = await fileAccess(path);
  try {
    yield* accessChunks(access);
  } finally {
    await access.close();
  }
}

/** Writes all of `chunk` at the file's position (a write may take fewer bytes than it is given). */
async function writeWhole(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  for (let at = 0; at < chunk.length;) {
    const { bytesWritten } = await handle.write(chunk, at, chunk.length - at);
    if (bytesWritten === 0) throw new ArchiveError('a write into the layout took no bytes');
    at += bytesWritten;
  }
}
