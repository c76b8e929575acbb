// Keyless verification's steps before the signature, in the Sigstore client spec's order:
// timestamps (RFC 3161, or the log's integrated time), the Fulcio chain at each of them, an SCT
// from a trusted CT log, then the transparency log entries.
import type { Bundle } from './bundle.js';
import { buildPath } from './chain.js';
import { refuse } from './refuse.js';
import { checkTimestamp } from './rfc3161.js';
import { checkScts } from './sct.js';
import { signatureOf } from './signature.js';
import { checkLogEntries, promisedTimes } from './tlog.js';
import type { TrustMaterial } from './trusted-root.js';
import { OID, parseCertificate, type Certificate } from './x509.js';
import { isSelfSigned } from './chain.js';

/** KeylessResult: the verified leaf and the times it was shown valid at. */
export interface KeylessResult {
  leaf: Certificate;
  timestamps: { kind: 'rfc3161' | 'tlog'; time: Date }[];
  integratedTime?: Date;
}

/** checkKeyless: the leaf certificate and verified times, or refused. */
export function checkKeyless(bundle: Bundle, root: TrustMaterial, now: Date, checks: string[]): KeylessResult {
  if (bundle.material.kind !== 'certificate') return refuse('keyless verification needs a bundle with a certificate');
  const [leafDer, ...rest] = bundle.material.certificates;
  const leaf = parseCertificate(leafDer!);
  // a chain that carries its own root would let the bundle choose what it is trusted by
  if (rest.some((der) => isSelfSigned(parseCertificate(der))))
    refuse("the bundle's certificate chain holds a root certificate");

  // 1. timestamps
  const signature = signatureOf(bundle.content);
  const tsaTimes = bundle.rfc3161Timestamps.map((token) => checkTimestamp(token, signature, root.timestampAuthorities));
  if (tsaTimes.length > 0) checks.push(`${tsaTimes.length} RFC 3161 timestamp(s) verified`);
  const logTimes = promisedTimes(bundle);
  const times = [...tsaTimes, ...logTimes];
  if (times.length === 0)
    refuse('the bundle has no verified time (no RFC 3161 timestamp, no log entry with a signed entry timestamp)');

  // 2. the chain at every time
  let path: Certificate[] = [];
  for (const t of times) path = buildPath(leaf, root.certificateAuthorities, t, OID.codeSigning);
  checks.push('certificate chains to a trusted Fulcio CA at every verified time');

  // 3. an SCT
  const scts = checkScts(leaf, path[1]!, root.ctlogs);
  checks.push(`${scts} SCT(s) from trusted CT logs verified`);

  // 4. the log entries
  const logged = checkLogEntries(bundle, root, now, { certificate: leaf }, checks, tsaTimes);
  const result: KeylessResult = {
    leaf,
    timestamps: [...tsaTimes.map((time) => ({ kind: 'rfc3161' as const, time })), ...logged.timestamps],
  };
  if (logged.integratedTime !== undefined) result.integratedTime = logged.integratedTime;
  return result;
}
