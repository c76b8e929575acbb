// A streaming tar reader: bytes in, entries out, each entry's content a stream read only as the
// consumer asks for it, so no entry is ever held whole. Pure. It reads ustar, pax extended headers
// (path, linkpath, size, mtime, uid, gid, uname, gname; global headers as defaults), GNU long
// names and link targets (L/K) and GNU base-256 numbers. Everything else it refuses with an
// ArchiveError naming the byte where it went wrong: two readers that disagree about an archive are
// how hostile archives get past a check, so nothing doubtful is guessed at.
import { ArchiveError, InvalidArgument } from '../errors.js';
import { BLOCK, type TarHeader, type TarType } from './header.js';

export type { TarHeader, TarType } from './header.js';

/** TarReadEntry: a header and its content, readable once, before the next entry is asked for. */
export interface TarReadEntry extends TarHeader {
  /** The owner's ids, always set by the reader (0 where the archive has none). */
  uid: number;
  gid: number;
  /** Where the content starts, in bytes from the archive's start. */
  offset: number;
  body: AsyncIterable<Uint8Array>;
}

/**
 * RandomAccess: bytes that can be read at any offset (a file, a buffer). `read` gives `length`
 * bytes, or fewer where `size` ends. Reading one of these, the reader seeks past content nobody asks for.
 */
export interface RandomAccess {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Reads into `target` from `offset` (as much as fits, or as `size` has); says how many bytes. Lets headers be read into one reused buffer. */
  readInto?(offset: number, target: Uint8Array): Promise<number>;
}

/** The largest pax or GNU long-name header the reader takes (real ones are a few hundred bytes). */
export const MAX_META_SIZE = 1024 * 1024;

const EMPTY: Uint8Array = new Uint8Array(0);
const utf8 = new TextDecoder();

/** Bytes read in order from one source: a stream, or random access read ahead in windows. */
interface Cursor {
  /** Bytes consumed so far. */
  pos: number;
  /** `n` bytes, or fewer at the end. */
  read(n: number): Promise<Uint8Array>;
  /** Up to `n` bytes in pieces, as the source has them. */
  pieces(n: number): AsyncIterable<Uint8Array>;
  /** Skips up to `n` bytes; says how many it skipped. */
  skip(n: number): Promise<number>;
  close(): Promise<void>;
}

class StreamCursor implements Cursor {
  pos = 0;
  readonly #it: AsyncIterator<Uint8Array>;
  #chunk = EMPTY;
  #at = 0;
  #done = false;
  constructor(source: AsyncIterable<Uint8Array>) {
    this.#it = source[Symbol.asyncIterator]();
  }
  async #fill(): Promise<boolean> {
    while (this.#at >= this.#chunk.length) {
      if (this.#done) return false;
      const next = await this.#it.next();
      if (next.done) {
        this.#done = true;
        return false;
      }
      this.#chunk = next.value;
      this.#at = 0;
    }
    return true;
  }
  #take(n: number): Uint8Array {
    const take = Math.min(n, this.#chunk.length - this.#at);
    const out = this.#chunk.subarray(this.#at, this.#at + take);
    this.#at += take;
    this.pos += take;
    return out;
  }
  async read(n: number): Promise<Uint8Array> {
    if (!(await this.#fill())) return EMPTY;
    // within one chunk: a view, no copy (the common case for headers)
    if (this.#chunk.length - this.#at >= n) return this.#take(n);
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n && (await this.#fill())) {
      const piece = this.#take(n - got);
      out.set(piece, got);
      got += piece.length;
    }
    return got === n ? out : out.subarray(0, got);
  }
  async *pieces(n: number): AsyncIterable<Uint8Array> {
    let left = n;
    while (left > 0 && (await this.#fill())) {
      const piece = this.#take(left);
      left -= piece.length;
      yield piece;
    }
  }
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0 && (await this.#fill())) left -= this.#take(left).length;
    return n - left;
  }
  async close(): Promise<void> {
    if (!this.#done) await this.#it.return?.();
  }
}

const WINDOW = 64 * 1024;
const PIECE = 256 * 1024;

class RandomCursor implements Cursor {
  pos = 0;
  readonly #access: RandomAccess;
  #window = EMPTY;
  #windowAt = 0;
  /** Where headers are read when the source can read into a buffer: one allocation for the whole archive. */
  #scratch: Uint8Array | undefined;
  constructor(access: RandomAccess) {
    this.#access = access;
  }
  /** `n` bytes (fewer at the end), valid until the next read: headers are parsed as soon as they are read. */
  async read(n: number): Promise<Uint8Array> {
    const end = Math.min(this.pos + n, this.#access.size);
    if (this.pos < this.#windowAt || end > this.#windowAt + this.#window.length) {
      // headers are small and close together: read a window ahead, and parse them from it
      const length = Math.min(Math.max(n, WINDOW), this.#access.size - this.pos);
      if (this.#access.readInto !== undefined && length <= WINDOW) {
        this.#scratch ??= new Uint8Array(WINDOW);
        this.#window = this.#scratch.subarray(
          0,
          await this.#access.readInto(this.pos, this.#scratch.subarray(0, length)),
        );
      } else {
        this.#window = await this.#access.read(this.pos, length);
      }
      this.#windowAt = this.pos;
    }
    const out = this.#window.subarray(
      this.pos - this.#windowAt,
      Math.min(end, this.#windowAt + this.#window.length) - this.#windowAt,
    );
    this.pos += out.length;
    return out;
  }
  /** Content, in memory of its own (never the reused window): consumers may keep it. */
  async *pieces(n: number): AsyncIterable<Uint8Array> {
    const end = Math.min(this.pos + n, this.#access.size);
    while (this.pos < end) {
      const want = Math.min(end - this.pos, PIECE);
      const inWindow = this.pos >= this.#windowAt && this.pos + want <= this.#windowAt + this.#window.length;
      const piece = inWindow
        ? this.#window.slice(this.pos - this.#windowAt, this.pos - this.#windowAt + want)
        : await this.#access.read(this.pos, want);
      if (piece.length === 0) return;
      this.pos += piece.length;
      yield piece;
    }
  }
  async skip(n: number): Promise<number> {
    const to = Math.min(this.pos + n, this.#access.size);
    const skipped = to - this.pos;
    this.pos = to;
    return skipped;
  }
  async close(): Promise<void> {}
}

/** isRandomAccess: whether `source` can be read at offsets (else it is a stream). */
export function isRandomAccess(source: unknown): source is RandomAccess {
  return typeof (source as RandomAccess).read === 'function' && typeof (source as RandomAccess).size === 'number';
}

function isZero(block: Uint8Array): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

function text(block: Uint8Array, offset: number, width: number): string {
  const field = block.subarray(offset, offset + width);
  const end = field.indexOf(0);
  return utf8.decode(end === -1 ? field : field.subarray(0, end));
}

/** A numeric field: octal digits (padded with spaces or NULs), or GNU base-256 when its first byte has the high bit set. */
function number(block: Uint8Array, offset: number, width: number, what: string, at: number): number {
  const first = block[offset]!;
  if (first & 0x80) {
    // base-256, big-endian two's complement; 0x80 marks a positive number, 0xff a negative one
    let value = BigInt(first === 0xff ? 0xff : first & 0x7f);
    for (let i = 1; i < width; i++) value = (value << 8n) | BigInt(block[offset + i]!);
    if (first === 0xff) value -= 1n << BigInt(8 * width);
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER))
      throw new ArchiveError(`the ${what} field at byte ${at + offset} is a base-256 number too large to be one`, {
        offset: at + offset,
      });
    return Number(value);
  }
  let start = offset;
  let end = offset + width;
  while (start < end && (block[start] === 0x20 || block[start] === 0)) start++;
  while (end > start && (block[end - 1] === 0x20 || block[end - 1] === 0)) end--;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = block[i]!;
    if (c < 0x30 || c > 0x37)
      throw new ArchiveError(`the ${what} field at byte ${at + offset} is not an octal number`, {
        offset: at + offset,
      });
    value = value * 8 + (c - 0x30);
  }
  return value;
}

function checksumOk(block: Uint8Array, at: number): boolean {
  const stored = number(block, 148, 8, 'checksum', at);
  // unsigned, as POSIX says; signed, as some old writers summed
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

const TYPES: Record<number, TarType> = {
  0x30: 'file',
  0x00: 'file',
  0x37: 'file',
  0x31: 'hardlink',
  0x32: 'symlink',
  0x33: 'char',
  0x34: 'block',
  0x35: 'directory',
  0x36: 'fifo',
};
const META = { pax: 0x78, global: 0x67, longName: 0x4c, longLink: 0x4b } as const;

interface RawHeader extends TarHeader {
  flag: number;
}

function decodeHeader(block: Uint8Array, at: number): RawHeader {
  if (!checksumOk(block, at)) throw new ArchiveError(`the header at byte ${at} has a bad checksum`, { offset: at });
  const magic = text(block, 257, 6);
  const ustar = magic === 'ustar' && block[262] === 0; // POSIX; GNU's "ustar  " has no prefix field
  const prefix = ustar ? text(block, 345, 155) : '';
  const name = text(block, 0, 100);
  const header: RawHeader = {
    flag: block[156]!,
    name: prefix ? `${prefix}/${name}` : name,
    type: 'file',
    mode: number(block, 100, 8, 'mode', at) & 0o7777,
    uid: number(block, 108, 8, 'uid', at),
    gid: number(block, 116, 8, 'gid', at),
    size: number(block, 124, 12, 'size', at),
    mtime: number(block, 136, 12, 'mtime', at),
  };
  const linkname = text(block, 157, 100);
  if (linkname) header.linkname = linkname;
  if (magic.startsWith('ustar')) {
    const uname = text(block, 265, 32);
    const gname = text(block, 297, 32);
    if (uname) header.uname = uname;
    if (gname) header.gname = gname;
    if (header.flag === 0x33 || header.flag === 0x34) {
      header.devmajor = number(block, 329, 8, 'devmajor', at);
      header.devminor = number(block, 337, 8, 'devminor', at);
    }
  }
  return header;
}

/**
 * copyHeader: a header's fields alone, in an object of their own (built field by field: a spread
 * copy leaves V8 objects slow to read, which shows over tens of thousands of entries).
 */
export function copyHeader(from: TarHeader): TarHeader {
  const header: TarHeader = {
    name: from.name,
    type: from.type,
    mode: from.mode,
    uid: from.uid ?? 0,
    gid: from.gid ?? 0,
    size: from.size,
    mtime: from.mtime,
  };
  if (from.linkname !== undefined) header.linkname = from.linkname;
  if (from.uname !== undefined) header.uname = from.uname;
  if (from.gname !== undefined) header.gname = from.gname;
  if (from.devmajor !== undefined) header.devmajor = from.devmajor;
  if (from.devminor !== undefined) header.devminor = from.devminor;
  return header;
}

/** A pax extended header's records ("LEN key=value\n", LEN counting the whole record); an empty value unsets the key. */
export function parsePaxRecords(data: Uint8Array, at = 0): Record<string, string> {
  const records: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    let j = i;
    while (j < data.length && j - i < 16 && data[j]! >= 0x30 && data[j]! <= 0x39) j++;
    if (j === i || data[j] !== 0x20)
      throw new ArchiveError(`a pax record at byte ${at + i} does not start with its length`, { offset: at + i });
    const length = Number(utf8.decode(data.subarray(i, j)));
    if (i + length > data.length)
      throw new ArchiveError(
        `a pax record at byte ${at + i} says it is ${length} bytes, longer than the ${data.length - i} left in its header`,
        { offset: at + i },
      );
    if (length < j - i + 3 || data[i + length - 1] !== 0x0a)
      throw new ArchiveError(`a pax record at byte ${at + i} does not end where its length says`, { offset: at + i });
    const record = utf8.decode(data.subarray(j + 1, i + length - 1));
    const eq = record.indexOf('=');
    if (eq <= 0) throw new ArchiveError(`a pax record at byte ${at + i} has no key=value`, { offset: at + i });
    records[record.slice(0, eq)] = record.slice(eq + 1);
    i += length;
  }
  return records;
}

function paxInteger(value: string, key: string, at: number): number {
  if (!/^\d{1,16}$/.test(value) || Number(value) > Number.MAX_SAFE_INTEGER)
    throw new ArchiveError(
      `the pax ${key} of the entry at byte ${at} is not a number an archive can have: ${JSON.stringify(value.slice(0, 40))}`,
      { offset: at },
    );
  return Number(value);
}

/** What pax and GNU headers say about the next entry, and the global pax defaults. */
class Extensions {
  global: Record<string, string> = {};
  local: Record<string, string> = {};
  longName: string | undefined;
  longLink: string | undefined;
  get pending(): boolean {
    return Object.keys(this.local).length > 0 || this.longName !== undefined || this.longLink !== undefined;
  }
  add(flag: number, data: Uint8Array, at: number): void {
    if (flag === META.pax) Object.assign(this.local, parsePaxRecords(data, at));
    else if (flag === META.global) Object.assign(this.global, parsePaxRecords(data, at));
    else {
      const end = data.indexOf(0);
      const value = utf8.decode(end === -1 ? data : data.subarray(0, end));
      if (flag === META.longName) this.longName = value;
      else this.longLink = value;
    }
  }
  /** The header with the extensions applied; they are used up. */
  apply(raw: RawHeader, at: number): TarHeader {
    const records = Object.keys(this.local).length === 0 ? this.global : { ...this.global, ...this.local };
    const flag = raw.flag;
    const header = copyHeader(raw);
    if (this.longName !== undefined) header.name = this.longName;
    if (this.longLink !== undefined) header.linkname = this.longLink;
    if (records['path']) header.name = records['path'];
    if (records['linkpath']) header.linkname = records['linkpath'];
    if (records['size']) header.size = paxInteger(records['size'], 'size', at);
    if (records['uid']) header.uid = paxInteger(records['uid'], 'uid', at);
    if (records['gid']) header.gid = paxInteger(records['gid'], 'gid', at);
    if (records['uname']) header.uname = records['uname'];
    if (records['gname']) header.gname = records['gname'];
    if (records['mtime']) {
      if (!/^-?\d{1,16}(\.\d+)?$/.test(records['mtime']))
        throw new ArchiveError(`the pax mtime of the entry at byte ${at} is not a time`, { offset: at });
      header.mtime = Number(records['mtime']);
    }
    for (const key in records)
      if (key.startsWith('GNU.sparse.'))
        throw new ArchiveError(`the entry at byte ${at} is a sparse file, which this reader does not take`, {
          offset: at,
          entry: header.name,
        });
    this.local = {};
    this.longName = undefined;
    this.longLink = undefined;
    const type = TYPES[flag];
    if (type === undefined)
      throw new ArchiveError(
        `the entry at byte ${at} has type ${JSON.stringify(String.fromCharCode(flag))}, which this reader does not take`,
        { offset: at, entry: header.name },
      );
    // a V7 regular file whose name ends in '/' is a directory (what old writers did)
    header.type = flag === 0 && header.name.endsWith('/') ? 'directory' : type;
    if (header.name === '') throw new ArchiveError(`the entry at byte ${at} has no name`, { offset: at });
    if (header.type === 'directory' && header.name.length > 1) header.name = header.name.replace(/\/+$/, '') || '/';
    if (header.size < 0 || (header.type !== 'file' && header.size !== 0)) {
      throw new ArchiveError(
        `the ${header.type} entry ${JSON.stringify(header.name)} at byte ${at} says it has ${header.size} bytes of content`,
        { offset: at, entry: header.name },
      );
    }
    return header;
  }
}

/**
 * readTar: the entries of a tar archive, in order. Each entry's `body` streams its content in the
 * source's own chunks (views, not copies); content the consumer does not read is skipped (seeked
 * past, for random access). The archive must end with its end-of-archive marker, followed by
 * nothing but zeros.
 */
export async function* readTar(source: AsyncIterable<Uint8Array> | RandomAccess): AsyncIterable<TarReadEntry> {
  const cursor: Cursor = isRandomAccess(source) ? new RandomCursor(source) : new StreamCursor(source);
  const truncated = (at: number, what: string): ArchiveError =>
    new ArchiveError(`the archive ends at byte ${at}, inside ${what}`, { offset: at });
  try {
    const extensions = new Extensions();
    for (;;) {
      const at = cursor.pos;
      const block = await cursor.read(BLOCK);
      if (block.length === 0)
        throw new ArchiveError(`the archive ends at byte ${at} without its end-of-archive marker`, { offset: at });
      if (block.length < BLOCK) throw truncated(cursor.pos, `the header at byte ${at}`);
      if (isZero(block)) {
        if (extensions.pending)
          throw new ArchiveError(`the archive ends at byte ${at} after an extended header, with no entry for it`, {
            offset: at,
          });
        await checkEnd(cursor, at);
        return;
      }
      const raw = decodeHeader(block, at);
      if (
        raw.flag === META.pax ||
        raw.flag === META.global ||
        raw.flag === META.longName ||
        raw.flag === META.longLink
      ) {
        if (raw.size > MAX_META_SIZE)
          throw new ArchiveError(
            `the extended header at byte ${at} says it has ${raw.size} bytes, more than ${MAX_META_SIZE}`,
            { offset: at },
          );
        const data = await cursor.read(padded(raw.size));
        if (data.length < padded(raw.size)) throw truncated(cursor.pos, `the extended header at byte ${at}`);
        extensions.add(raw.flag, data.subarray(0, raw.size), at + BLOCK);
        continue;
      }
      const header = extensions.apply(raw, at);
      const dataAt = cursor.pos;
      const end = dataAt + padded(header.size);
      if (isRandomAccess(source) && end > source.size) {
        throw new ArchiveError(
          `the entry ${JSON.stringify(header.name)} at byte ${at} says it has ${header.size} bytes; the archive has ${source.size - dataAt} left`,
          { offset: at, entry: header.name },
        );
      }
      let stale = false;
      let opened = false;
      const body = async function* (): AsyncIterable<Uint8Array> {
        if (stale || opened)
          throw new InvalidArgument(`tar entry ${header.name}: its content can be read once, before the next entry`);
        opened = true;
        let got = 0;
        for await (const piece of cursor.pieces(header.size)) {
          got += piece.length;
          yield piece;
          if (stale)
            throw new InvalidArgument(`tar entry ${header.name}: its content can be read once, before the next entry`);
        }
        if (got < header.size) throw truncated(cursor.pos, `the content of ${JSON.stringify(header.name)}`);
      };
      const entry = header as TarReadEntry;
      entry.offset = dataAt;
      entry.body = { [Symbol.asyncIterator]: () => body()[Symbol.asyncIterator]() };
      yield entry;
      stale = true;
      const left = end - cursor.pos;
      if (left > 0 && (await cursor.skip(left)) < left)
        throw truncated(cursor.pos, `the content of ${JSON.stringify(header.name)}`);
    }
  } finally {
    await cursor.close();
  }
}

/** After a zero block: a second one (or the end of the bytes, as Go's reader allows), then nothing but zeros. */
async function checkEnd(cursor: Cursor, at: number): Promise<void> {
  const second = await cursor.read(BLOCK);
  if (!isZero(second))
    throw new ArchiveError(
      `a header at byte ${at + BLOCK} follows a lone zero block: it is past the end of the archive`,
      { offset: at + BLOCK },
    );
  for await (const piece of cursor.pieces(Number.MAX_SAFE_INTEGER)) {
    if (!isZero(piece))
      throw new ArchiveError(`bytes follow the end-of-archive marker (at byte ${at})`, { offset: at + 2 * BLOCK });
  }
}
