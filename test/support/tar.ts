// Tar helpers for tests: the packer's whole output, and a minimal reader (ustar headers, pax
// `path`/`linkpath`/`size` records, checksums).
import { pack, type PackEntry } from '../../src/tar/packer.js';
import { readTar as readTarStream, type RandomAccess, type TarReadEntry } from '../../src/tar/reader.js';

/** The whole archive `pack` makes of `entries`. */
export async function packed(entries: AsyncIterable<PackEntry> | Iterable<PackEntry>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of pack(entries)) parts.push(part);
  return Buffer.concat(parts);
}

export interface ReadEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';
  mode: number;
  linkname: string;
  content: Uint8Array;
}

const TYPES: Record<string, ReadEntry['type']> = {
  '0': 'file',
  '\0': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '5': 'directory',
};

function str(b: Uint8Array, start: number, len: number): string {
  const field = b.subarray(start, start + len);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end === -1 ? field : field.subarray(0, end));
}

function octal(b: Uint8Array, start: number, len: number): number {
  return parseInt(str(b, start, len).trim() || '0', 8);
}

export function readTar(archive: Uint8Array): ReadEntry[] {
  const out: ReadEntry[] = [];
  let pos = 0;
  let pax: Record<string, string> = {};
  while (pos + 512 <= archive.length) {
    const h = archive.subarray(pos, pos + 512);
    if (h.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    if (sum !== octal(h, 148, 8)) throw new Error(`bad checksum at ${pos}`);
    const typeflag = String.fromCharCode(h[156]!);
    let size = octal(h, 124, 12);
    pos += 512;
    const data = archive.subarray(pos, pos + size);
    pos += Math.ceil(size / 512) * 512;
    if (typeflag === 'x') {
      // records "LEN key=value\n", LEN in bytes including itself
      let at = 0;
      while (at < data.length) {
        const space = data.indexOf(0x20, at);
        const length = Number(new TextDecoder().decode(data.subarray(at, space)));
        const body = new TextDecoder().decode(data.subarray(space + 1, at + length - 1));
        const eq = body.indexOf('=');
        pax[body.slice(0, eq)] = body.slice(eq + 1);
        at += length;
      }
      continue;
    }
    const prefix = str(h, 345, 155);
    let name = prefix ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100);
    if (pax['path'] !== undefined) name = pax['path'];
    let linkname = str(h, 157, 100);
    if (pax['linkpath'] !== undefined) linkname = pax['linkpath'];
    if (pax['size'] !== undefined) size = Number(pax['size']);
    out.push({ name, type: TYPES[typeflag] ?? 'other', mode: octal(h, 100, 8), linkname, content: data });
    pax = {};
  }
  return out;
}

/** An entry as readTar gives it, its body read whole (tests only). */
export type ReadBack = Omit<TarReadEntry, 'body' | 'offset' | 'uname' | 'gname'> & { content: Buffer };

/** Every entry of `source` through readTar, bodies read whole. */
export async function readBack(source: AsyncIterable<Uint8Array> | RandomAccess): Promise<ReadBack[]> {
  const out: ReadBack[] = [];
  for await (const entry of readTarStream(source)) {
    const parts: Uint8Array[] = [];
    for await (const piece of entry.body) parts.push(Buffer.from(piece));
    const { body: _body, offset: _offset, uname: _u, gname: _g, ...header } = entry;
    out.push({ ...header, content: Buffer.concat(parts) });
  }
  return out;
}

/** `bytes` as chunks cut at `cuts`. */
export async function* chunked(bytes: Uint8Array, cuts: number[] = []): AsyncIterable<Uint8Array> {
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut < at) continue;
    yield bytes.subarray(at, cut);
    at = cut;
  }
}

/** Random access over bytes in memory. */
export function inMemory(bytes: Uint8Array): RandomAccess {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
  };
}

/** Writes a header's checksum again after a test changed its bytes (the block is changed in place). */
export function fixChecksum(block: Uint8Array): Uint8Array {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += block[i]!;
  block.set(Buffer.from(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
  return block;
}
