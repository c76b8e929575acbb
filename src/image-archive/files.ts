// The merged filesystem of one image of a source: listed, read file by file, flattened into one
// tar (what `docker export` gives of a container of the image, less the engine's own files), or
// written to a folder. The first pass reads every layer's headers (seeking past contents where the
// layer is an uncompressed file); content is then read layer by layer as the consumer asks.
import { FileNotFound, ArchiveError } from '../errors.js';
import { pack, type PackEntry } from '../tar/packer.js';
import {
  copyHeader,
  isRandomAccess,
  readTar,
  type RandomAccess,
  type TarHeader,
  type TarReadEntry,
} from '../tar/reader.js';
import { layerTar } from './decompress.js';
import { MergedTree, type Item, type Node } from './merge.js';
import type { ArchiveImage, ImageSource } from './source.js';

/** FileEntry: one path of an image's merged filesystem (a tar header's fields, and where it came from). */
export interface FileEntry extends Omit<TarHeader, 'name'> {
  /** Absolute, as in the image: `/etc/os-release`. */
  path: string;
  /** The owner's ids (0 where the layer has none). */
  uid: number;
  gid: number;
  /** A symlink's target as stored; a hard link's, the absolute path of the file it shares content with. */
  linkname?: string;
  /** The layer this path's entry came from: its index (bottom is 0) and digest. */
  layer: { index: number; digest: string };
  /** A file's content, streamed; read it before asking for the next entry. Empty for other types. */
  content(): AsyncIterable<Uint8Array>;
}

const PIECE = 256 * 1024;

/** Reads content from one layer: at offsets when it is random access, else streaming forward. */
class LayerContent {
  readonly #open: () => Promise<RandomAccess | AsyncIterable<Uint8Array>>;
  #tar: RandomAccess | undefined;
  #entries: AsyncIterator<TarReadEntry> | undefined;
  #ordinal = -1;
  constructor(open: () => Promise<RandomAccess | AsyncIterable<Uint8Array>>) {
    this.#open = open;
  }
  async *read(item: Item): AsyncIterable<Uint8Array> {
    const size = item.header.size;
    if (this.#tar === undefined && this.#entries === undefined) {
      const tar = await this.#open();
      if (isRandomAccess(tar)) this.#tar = tar;
      else this.#entries = readTar(tar)[Symbol.asyncIterator]();
    }
    if (this.#tar !== undefined) {
      for (let at = 0; at < size; at += PIECE) yield await this.#tar.read(item.offset + at, Math.min(PIECE, size - at));
      return;
    }
    if (this.#ordinal >= item.ordinal) {
      // behind us (a hard link whose first path is gone): read the layer again from its start
      await this.close();
      this.#entries = readTar((await this.#open()) as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
      this.#ordinal = -1;
    }
    let entry: TarReadEntry | undefined;
    while (this.#ordinal < item.ordinal) {
      const next = await this.#entries!.next();
      if (next.done)
        throw new ArchiveError(
          `layer ${item.layer} ended before its entry ${JSON.stringify(item.header.name)}: it changed since it was listed`,
        );
      entry = next.value;
      this.#ordinal++;
    }
    yield* entry!.body;
  }
  async close(): Promise<void> {
    const entries = this.#entries;
    this.#entries = undefined;
    await entries?.return?.();
  }
}

/** ImageFiles: the merged filesystem of `image`, read from `source`. */
export class ImageFiles {
  readonly image: ArchiveImage;
  readonly #source: ImageSource;
  #tree: Promise<MergedTree> | undefined;

  constructor(source: ImageSource, image: ArchiveImage) {
    this.#source = source;
    this.image = image;
  }

  async #layerTar(index: number): Promise<RandomAccess | AsyncIterable<Uint8Array>> {
    const layer = this.image.layers[index]!;
    return layerTar(await this.#source.layer(this.image, index), layer.mediaType, `layer ${index} (${layer.digest})`);
  }

  /** The merged tree (read once, then kept: it holds headers, never content). */
  tree(): Promise<MergedTree> {
    this.#tree ??= (async () => {
      const tree = new MergedTree();
      for (let index = 0; index < this.image.layers.length; index++) {
        const items: Item[] = [];
        let ordinal = 0;
        for await (const entry of readTar(await this.#layerTar(index))) {
          items.push({ header: copyHeader(entry), layer: index, ordinal: ordinal++, offset: entry.offset });
        }
        tree.addLayer(items, index, this.image.layers[index]!.digest);
      }
      return tree;
    })();
    this.#tree.catch(() => (this.#tree = undefined));
    return this.#tree;
  }

  /** Every path of the merged filesystem, parents before children; content layer by layer. */
  async *files(): AsyncIterable<FileEntry> {
    const tree = await this.tree();
    const readers = this.image.layers.map((_, index) => new LayerContent(() => this.#layerTar(index)));
    const firstPath = new Map<Item, string>();
    try {
      for (const node of tree.ordered()) yield this.#entry(node, firstPath, readers);
    } finally {
      await Promise.all(readers.map((r) => r.close()));
    }
  }

  #entry(node: Node, firstPath: Map<Item, string>, readers: LayerContent[]): FileEntry {
    const data = node.data;
    const first = data === undefined ? undefined : firstPath.get(data);
    // the first path of a file shared by hard links holds the content (and the file's metadata)
    const h = data !== undefined && first === undefined ? data.header : node.header;
    const entry: FileEntry = {
      path: `/${node.path}`,
      type: h.type,
      mode: h.mode,
      uid: h.uid ?? 0,
      gid: h.gid ?? 0,
      size: h.size,
      mtime: h.mtime,
      layer: this.#layerRef(node.layer),
      content: emptyContent,
    };
    if (h.uname !== undefined) entry.uname = h.uname;
    if (h.gname !== undefined) entry.gname = h.gname;
    if (h.devmajor !== undefined) entry.devmajor = h.devmajor;
    if (h.devminor !== undefined) entry.devminor = h.devminor;
    if (h.type === 'symlink' && h.linkname !== undefined) entry.linkname = h.linkname;
    if (data === undefined) return entry;
    if (first !== undefined) {
      entry.type = 'hardlink';
      entry.size = 0;
      entry.linkname = `/${first}`;
      return entry;
    }
    firstPath.set(data, node.path);
    const reader = readers[data.layer]!;
    entry.type = 'file';
    entry.content = () => reader.read(data);
    return entry;
  }

  #layerRef(index: number): { index: number; digest: string } {
    return { index, digest: this.image.layers[index]?.digest ?? '' };
  }

  /** The content of the file at `path`, symlinks followed inside the image. */
  async readFile(path: string): Promise<Uint8Array> {
    const tree = await this.tree();
    const node = tree.lookup(path);
    if (node === undefined) throw new FileNotFound(path);
    if (node.data === undefined) throw new FileNotFound(path, `a ${node.header.type}, not a file`);
    const reader = new LayerContent(() => this.#layerTar(node.data!.layer));
    const parts: Uint8Array[] = [];
    try {
      for await (const piece of reader.read(node.data)) parts.push(Buffer.from(piece));
    } finally {
      await reader.close();
    }
    return Buffer.concat(parts);
  }

  /** The merged filesystem as one tar stream, as `docker export` writes a container's. */
  export(): AsyncIterable<Uint8Array> {
    const files = this.files();
    return pack(
      (async function* (): AsyncIterable<PackEntry> {
        for await (const file of files) {
          const { path, layer: _layer, content, linkname, uname: _u, gname: _g, ...rest } = file;
          const entry: PackEntry = { ...rest, name: path.slice(1) };
          if (linkname !== undefined) entry.linkname = file.type === 'hardlink' ? linkname.slice(1) : linkname;
          if (file.type === 'file') entry.content = content;
          yield entry;
        }
      })(),
    );
  }
}

async function* emptyContent(): AsyncIterable<Uint8Array> {}
