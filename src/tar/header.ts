// POSIX ustar headers (POSIX.1-2001, pax format when something does not fit). Pure.
// Field layout: name 0/100, mode 100/8, uid 108/8, gid 116/8, size 124/12, mtime 136/12,
// chksum 148/8, typeflag 156, linkname 157/100, magic 257/6, version 263/2, uname 265/32,
// gname 297/32, devmajor 329/8, devminor 337/8, prefix 345/155. Numbers are written as GNU tar
// writes them: zero-padded octal ending in NUL.

/** TarType: the type of a tar entry. */
export type TarType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo';

/**
 * TarHeader: one tar entry's header, as the packer writes it and the reader gives it (its pax and
 * GNU extensions applied; the reader always sets `uid` and `gid`, the packer writes 0 for them when
 * absent, and writes no `uname` or `gname`).
 */
export interface TarHeader {
  /** Slash-separated path inside the archive, without a leading '/'; directories without a trailing one. */
  name: string;
  type: TarType;
  /** Permission bits, with setuid, setgid and sticky (0o7777). */
  mode: number;
  /** Bytes of content (0 for every type but file). */
  size: number;
  /** Seconds since the epoch (pax mtimes keep their fraction). */
  mtime: number;
  /** A link's target. */
  linkname?: string;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  /** A device's numbers (char and block entries). */
  devmajor?: number;
  devminor?: number;
}

export const BLOCK = 512;

const TYPEFLAG: Record<TarType, number> = {
  file: 0x30,
  hardlink: 0x31,
  symlink: 0x32,
  char: 0x33,
  block: 0x34,
  directory: 0x35,
  fifo: 0x36,
};
const encoder = new TextEncoder();

/** Whether `n` fits an octal field of `width` bytes (width-1 digits and a NUL). */
function fitsOctal(n: number, width: number): boolean {
  return Number.isInteger(n) && n >= 0 && n < 8 ** (width - 1);
}

function writeOctal(block: Uint8Array, offset: number, width: number, n: number): void {
  if (fitsOctal(n, width)) {
    const digits = n.toString(8).padStart(width - 1, '0');
    for (let i = 0; i < width - 1; i++) block[offset + i] = digits.charCodeAt(i);
    block[offset + width - 1] = 0;
    return;
  }
  // GNU base-256: high bit of the first byte set, big-endian two's complement (non-negative here).
  let v = BigInt(Math.max(0, Math.trunc(n)));
  for (let i = width - 1; i > 0; i--) {
    block[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  block[offset] = 0x80;
}

function writeString(block: Uint8Array, offset: number, width: number, bytes: Uint8Array): void {
  block.set(bytes.subarray(0, width), offset);
}

/** Splits a name into ustar's prefix (≤155 bytes) and name (≤100 bytes) at a '/', if it can be. */
export function splitName(name: Uint8Array): { prefix: Uint8Array; name: Uint8Array } | undefined {
  if (name.length <= 100) return { prefix: new Uint8Array(0), name };
  if (name.length > 256) return undefined;
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== 0x2f) continue;
    const prefix = name.subarray(0, i);
    const rest = name.subarray(i + 1);
    if (prefix.length <= 155 && rest.length <= 100 && rest.length > 0) return { prefix, name: rest };
    if (rest.length > 100) break;
  }
  return undefined;
}

function isAscii(s: string): boolean {
  return /^[\x01-\x7f]*$/.test(s);
}

/** The pax records an entry needs (path, linkpath, size) when ustar cannot hold it exactly. */
export function paxRecordsFor(entry: TarHeader): Record<string, string> {
  const records: Record<string, string> = {};
  const name = archiveName(entry);
  if (!isAscii(name) || splitName(encoder.encode(name)) === undefined) records['path'] = name;
  if (entry.linkname !== undefined && (!isAscii(entry.linkname) || encoder.encode(entry.linkname).length > 100)) {
    records['linkpath'] = entry.linkname;
  }
  if (!fitsOctal(entry.size, 12)) records['size'] = String(entry.size);
  if (!fitsOctal(entry.uid ?? 0, 8)) records['uid'] = String(entry.uid);
  if (!fitsOctal(entry.gid ?? 0, 8)) records['gid'] = String(entry.gid);
  if (!fitsOctal(Math.max(0, entry.mtime), 12)) records['mtime'] = String(entry.mtime);
  return records;
}

/** The name as stored: directories end in '/'. */
export function archiveName(entry: TarHeader): string {
  return entry.type === 'directory' && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name;
}

/**
 * One 512-byte ustar header. Fields that do not fit are truncated here: the caller puts a pax
 * header (paxRecordsFor) in front, whose records take precedence when the archive is read.
 */
export function encodeHeader(entry: TarHeader, typeflag?: number): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const name = encoder.encode(archiveName(entry));
  const split = isAscii(archiveName(entry)) ? splitName(name) : undefined;
  if (split) {
    writeString(block, 0, 100, split.name);
    writeString(block, 345, 155, split.prefix);
  } else {
    // a placeholder the pax `path` record overrides: the tail of the name, ASCII only
    writeString(
      block,
      0,
      100,
      encoder.encode(
        archiveName(entry)
          .replace(/[^\x01-\x7f]/g, '_')
          .slice(-100),
      ),
    );
  }
  writeOctal(block, 100, 8, entry.mode & 0o7777);
  writeOctal(block, 108, 8, entry.uid ?? 0);
  writeOctal(block, 116, 8, entry.gid ?? 0);
  writeOctal(block, 124, 12, entry.type === 'file' || typeflag !== undefined ? entry.size : 0);
  writeOctal(block, 136, 12, Math.max(0, Math.trunc(entry.mtime)));
  block[156] = typeflag ?? TYPEFLAG[entry.type];
  if (entry.linkname !== undefined)
    writeString(block, 157, 100, encoder.encode(entry.linkname.replace(/[^\x01-\x7f]/g, '_')));
  writeString(block, 257, 6, encoder.encode('ustar\0'));
  writeString(block, 263, 2, encoder.encode('00'));
  writeOctal(block, 329, 8, entry.devmajor ?? 0);
  writeOctal(block, 337, 8, entry.devminor ?? 0);
  // checksum: sum of all bytes with the checksum field taken as spaces (POSIX), then 6 octal
  // digits, NUL, space (as GNU tar writes it)
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += block[i]!;
  writeString(block, 148, 8, encoder.encode(`${sum.toString(8).padStart(6, '0')}\0 `));
  return block;
}

/** A pax extended header's data: records "LEN key=value\n", LEN counting the whole record. */
export function encodePaxData(records: Record<string, string>): Uint8Array {
  let text = '';
  for (const [key, value] of Object.entries(records)) {
    const body = ` ${key}=${value}\n`;
    const bodyLength = encoder.encode(body).length;
    let length = bodyLength + 1;
    while (String(length).length + bodyLength !== length) length = String(length).length + bodyLength;
    text += `${length}${body}`;
  }
  return encoder.encode(text);
}

/** Zero bytes that pad `size` bytes of content to a whole block. */
export function padding(size: number): Uint8Array {
  const rest = size % BLOCK;
  return new Uint8Array(rest === 0 ? 0 : BLOCK - rest);
}

/** Two zero blocks end an archive. */
export const END_OF_ARCHIVE = new Uint8Array(2 * BLOCK);
