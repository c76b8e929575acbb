// Signed note checkpoints (transparency-dev's checkpoint format): "origin\nsize\nbase64 root\n"
// and optional extension lines, a blank line, then "— name base64(keyhint || signature)" lines.
import type { KeyObject } from 'node:crypto';
import { uint } from './bundle.js';
import { verifies } from './keys.js';
import { decodeBase64, equalBytes, refuse } from './refuse.js';

/** Checkpoint: a log's signed statement of its size and root hash. */
export interface Checkpoint {
  origin: string;
  size: bigint;
  rootHash: Uint8Array;
  /** The note text the signatures cover (through the last line feed before the blank line). */
  note: string;
  signatures: { name: string; keyHint: Uint8Array; signature: Uint8Array }[];
}

/** parseCheckpoint: a signed note's checkpoint; malformed notes refused. */
export function parseCheckpoint(envelope: string): Checkpoint {
  if (envelope.length > 1 << 16) refuse('checkpoint is too long');
  const split = envelope.indexOf('\n\n');
  if (split < 0) refuse('checkpoint has no blank line before its signatures');
  const note = envelope.slice(0, split + 1);
  const lines = note.slice(0, -1).split('\n');
  if (lines.length < 3) refuse('checkpoint has fewer than three lines');
  const [origin, size, root] = lines as [string, string, string];
  if (origin.length === 0) refuse('checkpoint has no origin');
  const signatures = envelope
    .slice(split + 2)
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line) => {
      const m = /^\u2014 (\S+) (\S+)$/.exec(line);
      if (m === null) refuse('checkpoint signature line is malformed');
      const bytes = decodeBase64(m[2], 'checkpoint signature');
      if (bytes.length < 5) refuse('checkpoint signature is too short');
      return { name: m[1]!, keyHint: bytes.subarray(0, 4), signature: bytes.subarray(4) };
    });
  if (signatures.length === 0) refuse('checkpoint has no signatures');
  const rootHash = decodeBase64(root, 'checkpoint root hash');
  if (rootHash.length !== 32) refuse('checkpoint root hash is not 32 bytes');
  return { origin, size: uint(size, 'checkpoint size'), rootHash, note, signatures };
}

/** checkCheckpoint: refuses unless a signature on the note is the log's (its name and key hint, then the key). */
export function checkCheckpoint(
  checkpoint: Checkpoint,
  log: { baseUrl: string; logId: Uint8Array; publicKey: KeyObject },
): void {
  const data = new TextEncoder().encode(checkpoint.note);
  const name = hostOf(log.baseUrl);
  const ok = checkpoint.signatures.some(
    (s) =>
      equalBytes(s.keyHint, log.logId.subarray(0, 4)) &&
      (name === '' || name === s.name) &&
      verifies(log.publicKey, data, s.signature),
  );
  if (!ok) refuse("no signature on the checkpoint is the log's");
}

/** hostOf: the host (and port) of a log's base URL, the name its checkpoint signatures carry. */
function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}
