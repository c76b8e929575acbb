// A streaming tar writer: entries in, bytes out, one entry's chunk at a time. It pulls the next
// chunk of content only when its consumer asks for more bytes, so it never reads ahead of the
// socket. An entry whose content is longer or shorter than declared is an error, never a
// silently corrupt archive. Pure: the content comes from whoever made the entries.
import { ContextError } from '../errors.js';
import { BLOCK, END_OF_ARCHIVE, archiveName, encodeHeader, encodePaxData, padding, paxRecordsFor, type TarEntry } from './header.js';

export interface PackEntry extends TarEntry {
  /** The content of a file; read once, as the archive is consumed. */
  content?: () => AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

const PAX_TYPE = 0x78; // 'x'

/** The headers for one entry: a pax header first when ustar cannot hold it exactly. */
export function entryHeaders(entry: TarEntry): Uint8Array[] {
  const records = paxRecordsFor(entry);
  const out: Uint8Array[] = [];
  if (Object.keys(records).length > 0) {
    const data = encodePaxData(records);
    const base = archiveName(entry).replace(/\/$/, '').split('/').pop() ?? 'entry';
    const paxName = `PaxHeaders.0/${base}`.replace(/[^\x01-\x7f]/g, '_').slice(0, 100);
    out.push(encodeHeader({ name: paxName, type: 'file', mode: 0o644, size: data.length, mtime: entry.mtime }, PAX_TYPE), data, padding(data.length));
  }
  out.push(encodeHeader(entry));
  return out;
}

export async function* pack(entries: AsyncIterable<PackEntry> | Iterable<PackEntry>): AsyncIterable<Uint8Array> {
  for await (const entry of entries) {
    yield* entryHeaders(entry);
    if (entry.type !== 'file') continue;
    let written = 0;
    if (entry.content) {
      for await (const chunk of entry.content()) {
        written += chunk.length;
        if (written > entry.size) {
          throw new ContextError(`${entry.name} grew while it was being archived (expected ${entry.size} bytes)`);
        }
        yield chunk;
      }
    }
    if (written !== entry.size) {
      throw new ContextError(`${entry.name} shrank while it was being archived (${written} of ${entry.size} bytes)`);
    }
    const pad = padding(entry.size);
    if (pad.length > 0) yield pad;
  }
  yield END_OF_ARCHIVE;
}

export { BLOCK };
