// A streaming tar writer: entries in, bytes out, one entry's chunk at a time. It pulls the next
// chunk of content only when its consumer asks for more bytes, so it never reads ahead of the
// socket. An entry whose content is longer or shorter than its size is an InvalidArgument, never
// a silently corrupt archive (a source that can change while it is read, as a build context's
// files can, checks its own reads and says what changed). Pure: the content comes from whoever
// made the entries.
import { concatBytes } from '../bytes.js';
import { InvalidArgument } from '../errors.js';
import { sized } from '../stream/sized.js';
import {
  BLOCK,
  END_OF_ARCHIVE,
  archiveName,
  encodeHeader,
  encodePaxData,
  padding,
  paxRecordsFor,
  type TarHeader,
} from './header.js';

export interface PackEntry extends TarHeader {
  /**
   * The content of a file, asked for once, when the archive gets to it: an array (small files:
   * batched with their neighbours) or an async iterable (streamed chunk by chunk).
   */
  content?: () => AsyncIterable<Uint8Array> | Uint8Array[];
}

const PAX_TYPE = 0x78; // 'x'

/** The headers for one entry: a pax header first when ustar cannot hold it exactly. */
export function entryHeaders(entry: TarHeader): Uint8Array[] {
  const records = paxRecordsFor(entry);
  const out: Uint8Array[] = [];
  if (Object.keys(records).length > 0) {
    const data = encodePaxData(records);
    const base = archiveName(entry).replace(/\/$/, '').split('/').pop() ?? 'entry';
    const paxName = `PaxHeaders.0/${base}`.replace(/[^\x01-\x7f]/g, '_').slice(0, 100);
    out.push(
      encodeHeader({ name: paxName, type: 'file', mode: 0o644, size: data.length, mtime: entry.mtime }, PAX_TYPE),
      data,
      padding(data.length),
    );
  }
  out.push(encodeHeader(entry));
  return out;
}

/** Small entries are gathered into writes of about this size (fewer, larger socket writes). */
const BATCH = 64 * 1024;

export async function* pack(entries: AsyncIterable<PackEntry> | Iterable<PackEntry>): AsyncIterable<Uint8Array> {
  // Headers and the content of small files (those whose content is a plain array) are batched;
  // a file streamed from an async source flushes the batch and then passes its chunks on as
  // they come.
  let batch: Uint8Array[] = [];
  let batched = 0;
  const add = (part: Uint8Array): void => {
    if (part.length === 0) return;
    batch.push(part);
    batched += part.length;
  };
  const flush = (): Uint8Array | undefined => {
    if (batched === 0) return undefined;
    const out = batch.length === 1 ? batch[0]! : concatBytes(batch, batched);
    batch = [];
    batched = 0;
    return out;
  };
  for await (const entry of entries) {
    for (const part of entryHeaders(entry)) add(part);
    if (entry.type === 'file') {
      const mismatch = (read: number): Error =>
        new InvalidArgument(
          `tar entry ${entry.name}: its content ${read > entry.size ? 'is longer than' : `is ${read} bytes, not`} its size (${entry.size} bytes)`,
        );
      const content = entry.content?.() ?? [];
      if (Array.isArray(content)) {
        const length = content.reduce((n, chunk) => n + chunk.length, 0);
        if (length !== entry.size) throw mismatch(length);
        for (const chunk of content) add(chunk);
      } else {
        const head = flush();
        if (head) yield head;
        yield* sized(content, entry.size, mismatch);
      }
      add(padding(entry.size));
    }
    if (batched >= BATCH) yield flush()!;
  }
  add(END_OF_ARCHIVE);
  yield flush()!;
}

export { BLOCK };
