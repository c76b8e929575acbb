// An image's layers merged into one tree, as the engine's snapshotter shows them to a container.
// Layers apply bottom first. In each, whiteouts apply before the layer's own entries, and only to
// what lower layers made (OCI image spec, layer.md): `.wh.NAME` removes NAME and all below it,
// `.wh..wh..opq` empties its directory. An entry's parent directories are looked up in the tree
// so far, a symlink among them followed inside the image (as the engine applies layers, chrooted);
// a parent that is missing or not a directory becomes one. A hard link resolves the same way to a
// file the image has, and shares that file's content even after its first path is gone.
import { ArchiveError } from '../errors.js';
import type { TarHeader } from '../tar/reader.js';

/** Item: one entry of one layer, as the first pass read it (its content's place, not its content). */
export interface Item {
  header: TarHeader;
  layer: number;
  /** Its position among its layer's entries. */
  ordinal: number;
  /** Where its content starts in the layer's uncompressed tar. */
  offset: number;
}

/** Node: what the merged tree holds at one path. */
export interface Node {
  path: string;
  header: TarHeader;
  layer: number;
  /** Creation order: content is read in this order, layer by layer, front to back. */
  seq: number;
  /** The file item whose content this path has (files and hard links). */
  data?: Item;
}

const MAX_HOPS = 40;

/** The entry name as a path in the image: no leading '/' or './'; '..' that would leave the image is refused. */
export function imagePath(name: string, where: string): string {
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0)
        throw new ArchiveError(`${where}: the entry ${JSON.stringify(name)} leads outside the image`, { entry: name });
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

/** A path joined and cleaned as inside a chroot: '..' at the root stays at the root. */
function clampJoin(base: string, target: string): string {
  const out = target.startsWith('/') || base === '' ? [] : base.split('/');
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

const parentOf = (path: string): string => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
const baseOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
const join = (dir: string, name: string): string => (dir === '' ? name : `${dir}/${name}`);

export class MergedTree {
  readonly nodes = new Map<string, Node>();
  readonly #children = new Map<string, Set<string>>();
  #seq = 0;

  /** Applies one layer's items (in the layer's order) on top of the tree. */
  addLayer(items: Item[], layer: number, digest: string): void {
    const where = `layer ${layer} (${digest})`;
    const additions: Array<[Item, string]> = [];
    for (const item of items) {
      const path = imagePath(item.header.name, where);
      if (path === '') continue; // the root itself
      const base = baseOf(path);
      if (!base.startsWith('.wh.')) {
        additions.push([item, path]);
        continue;
      }
      const dir = this.#resolveDir(parentOf(path), layer, false, where);
      if (dir === undefined || base.startsWith('.wh..wh.')) {
        if (dir !== undefined && base === '.wh..wh..opq')
          for (const child of [...(this.#children.get(dir) ?? [])]) this.#remove(child);
        continue;
      }
      this.#remove(join(dir, base.slice(4)));
    }
    for (const [item, path] of additions) this.#add(item, path, where);
  }

  /** The nodes in the order they were made (parents before children; content layer by layer). */
  ordered(): Node[] {
    return [...this.nodes.values()].sort((a, b) => a.seq - b.seq);
  }

  /** The node at `path` (absolute or not), symlinks followed inside the image (the last one too, with `follow`). */
  lookup(path: string, follow = true): Node | undefined {
    const at = this.#walk(path, { layer: 0, create: false, followLast: follow, lastIsDir: false, where: path });
    return at ? this.nodes.get(at) : undefined;
  }

  #add(item: Item, path: string, where: string): void {
    const dir = this.#resolveDir(parentOf(path), item.layer, true, where)!;
    const at = join(dir, baseOf(path));
    const header = item.header;
    const existing = this.nodes.get(at);
    if (existing !== undefined) {
      if (existing.header.type === 'directory' && header.type === 'directory') {
        // a directory over a directory: new metadata, the lower one's contents kept
        existing.header = header;
        existing.layer = item.layer;
        return;
      }
      this.#remove(at);
    }
    const node: Node = { path: at, header, layer: item.layer, seq: this.#seq++ };
    if (header.type === 'file') node.data = item;
    if (header.type === 'hardlink') {
      const target = this.#linkTarget(header.linkname ?? '', where);
      if (target?.data === undefined)
        throw new ArchiveError(
          `${where}: the hard link ${JSON.stringify(header.name)} points to ${JSON.stringify(header.linkname)}, which is not a file in the image`,
          { entry: header.name },
        );
      node.data = target.data;
    }
    this.#place(node);
  }

  /** A hard link's target: a path from the image's root, its directories resolved inside the image. */
  #linkTarget(linkname: string, where: string): Node | undefined {
    // cleaned as a name first (as the engine joins it to the root), then walked; the last component is not followed (link(2))
    const clean = clampJoin('', linkname);
    if (clean === '') return undefined;
    const at = this.#walk(clean, { layer: 0, create: false, followLast: false, lastIsDir: false, where });
    return at === undefined ? undefined : this.nodes.get(at);
  }

  #place(node: Node): void {
    this.nodes.set(node.path, node);
    const parent = parentOf(node.path);
    let siblings = this.#children.get(parent);
    if (siblings === undefined) this.#children.set(parent, (siblings = new Set()));
    siblings.add(node.path);
  }

  #remove(path: string): void {
    const node = this.nodes.get(path);
    if (node === undefined) return;
    if (node.header.type === 'directory') {
      for (const child of this.#children.get(path) ?? []) this.#remove(child);
      this.#children.delete(path);
    }
    this.nodes.delete(path);
    this.#children.get(parentOf(path))?.delete(path);
  }

  /**
   * The real path of directory `dir`: walked component by component as the kernel would inside a
   * chroot ('..' after a symlink applies to where the link led; '..' at the root stays there). With
   * `create`, what is missing (or not a directory) becomes a directory; without, undefined.
   */
  #resolveDir(dir: string, layer: number, create: boolean, where: string): string | undefined {
    return this.#walk(dir, { layer, create, followLast: true, lastIsDir: true, where });
  }

  #walk(
    path: string,
    options: { layer: number; create: boolean; followLast: boolean; lastIsDir: boolean; where: string },
  ): string | undefined {
    const stack: string[] = [];
    const pending = path.split('/');
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        stack.pop();
        continue;
      }
      const next = [...stack, part].join('/');
      const node = this.nodes.get(next);
      const last = !pending.some((p) => p !== '' && p !== '.');
      if (node?.header.type === 'symlink' && (!last || options.followLast)) {
        if (++hops > MAX_HOPS)
          throw new ArchiveError(`${options.where}: too many symbolic links under ${JSON.stringify(path)}`);
        const target = node.header.linkname ?? '';
        if (target.startsWith('/')) stack.length = 0;
        pending.unshift(...target.split('/'));
        continue;
      }
      if (node?.header.type !== 'directory' && (!last || options.lastIsDir)) {
        if (!options.create) return undefined;
        if (node !== undefined) this.#remove(next);
        this.#place({
          path: next,
          header: { name: next, type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0 },
          layer: options.layer,
          seq: this.#seq++,
        });
      }
      stack.push(part);
    }
    return stack.join('/');
  }
}
