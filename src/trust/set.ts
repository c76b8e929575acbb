// Rekor v1's signed entry timestamp (the bundle's inclusion promise): the log's signature over the
// RFC 8785 canonical JSON of {body, integratedTime, logID, logIndex}.
import type { KeyObject } from 'node:crypto';
import type { TlogEntry } from './bundle.js';
import { canonicalJson } from './json.js';
import { verifies } from './keys.js';
import { hex, refuse } from './refuse.js';

/** setPayload: the bytes a signed entry timestamp covers. */
export function setPayload(entry: TlogEntry): Uint8Array {
  if (entry.logIndex > BigInt(Number.MAX_SAFE_INTEGER) || entry.integratedTime > BigInt(Number.MAX_SAFE_INTEGER))
    refuse('log entry index or time is too large');
  return new TextEncoder().encode(
    canonicalJson({
      body: Buffer.from(entry.canonicalizedBody).toString('base64'),
      integratedTime: Number(entry.integratedTime),
      logID: hex(entry.logId),
      logIndex: Number(entry.logIndex),
    }),
  );
}

/** checkSet: refuses unless the log's key verifies the entry's signed entry timestamp. */
export function checkSet(entry: TlogEntry, key: KeyObject): void {
  if (entry.signedEntryTimestamp === undefined) refuse('log entry has no signed entry timestamp');
  if (!verifies(key, setPayload(entry), entry.signedEntryTimestamp))
    refuse('signed entry timestamp does not verify with the log key');
}
