// The transparency log entries of a bundle: each from a log the trusted root holds, its inclusion
// shown (a signed entry timestamp, or an inclusion proof up to a checkpoint the log signed), and
// its body recording this signature.
import type { Bundle } from './bundle.js';
import { checkCheckpoint, parseCheckpoint } from './checkpoint.js';
import { checkInclusion } from './merkle.js';
import { equalBytes, hex, refuse } from './refuse.js';
import { checkSet } from './set.js';
import { checkBody, type Signer } from './tlog-body.js';
import { findLog, within, type TrustMaterial } from './trusted-root.js';

/** LogTimes: the times the log entries vouch for. */
export interface LogTimes {
  integratedTime?: Date;
  timestamps: { kind: 'rfc3161' | 'tlog'; time: Date }[];
}

/** promisedTimes: the integrated times of entries that carry a signed entry timestamp (checked later by checkLogEntries). */
export function promisedTimes(bundle: Bundle): Date[] {
  return bundle.tlogEntries
    .filter((e) => e.signedEntryTimestamp !== undefined)
    .map((e) => new Date(Number(e.integratedTime) * 1000));
}

/**
 * checkLogEntries: refuses unless every entry is from a trusted log, shown included and records
 * this signature, and there is at least one. `otherTimes` are verified times (RFC 3161) at which
 * a log that gave no integrated time must have been valid.
 */
export function checkLogEntries(
  bundle: Bundle,
  root: TrustMaterial,
  now: Date,
  signer: Signer,
  checks: string[],
  otherTimes: readonly Date[] = [],
): LogTimes {
  if (bundle.tlogEntries.length === 0) refuse('the bundle has no transparency log entry');
  const out: LogTimes = { timestamps: [] };
  const seen = new Set(bundle.tlogEntries.map((e) => `${hex(e.logId)}/${e.logIndex}`));
  if (seen.size !== bundle.tlogEntries.length) refuse('the bundle holds the same log entry twice');
  bundle.tlogEntries.forEach((entry, i) => {
    const where = `log entry ${i}`;
    const log = findLog(root.tlogs, entry.logId);
    if (log === undefined) refuse(`${where} is from a log the trusted root does not hold`);
    const integrated = entry.integratedTime > 0n ? new Date(Number(entry.integratedTime) * 1000) : undefined;
    if (integrated !== undefined && integrated.getTime() > now.getTime())
      refuse(`${where}'s integrated time ${integrated.toISOString()} is in the future`);
    const times = integrated !== undefined ? [integrated] : otherTimes;
    for (const t of times)
      if (!within(log.validFor, t)) refuse(`${where}: the log's key was not valid at ${t.toISOString()}`);
    if (entry.signedEntryTimestamp !== undefined) {
      checkSet(entry, log.publicKey);
      checks.push(`${where}: signed entry timestamp verified`);
      if (integrated !== undefined) {
        out.integratedTime ??= integrated;
        out.timestamps.push({ kind: 'tlog', time: integrated });
      }
    }
    const proof = entry.inclusionProof;
    if (proof !== undefined) {
      const checkpoint = parseCheckpoint(proof.checkpoint);
      checkCheckpoint(checkpoint, log);
      if (checkpoint.size !== proof.treeSize || !equalBytes(checkpoint.rootHash, proof.rootHash))
        refuse(`${where}: the checkpoint is not for the proof's tree`);
      checkInclusion(proof.logIndex, proof.treeSize, entry.canonicalizedBody, proof.hashes, proof.rootHash);
      checks.push(`${where}: inclusion proof verified up to a checkpoint signed by the log`);
    }
    if (entry.signedEntryTimestamp === undefined && proof === undefined)
      refuse(`${where} shows no inclusion (neither a signed entry timestamp nor an inclusion proof)`);
    checkBody(entry, bundle.content, signer);
    checks.push(`${where}: body records this signature`);
  });
  return out;
}
