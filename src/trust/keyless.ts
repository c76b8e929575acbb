// Keyless verification's steps before the signature: timestamps, the certificate chain at those
// times, an SCT from a trusted CT log, and the transparency log entries.
import type { Bundle } from './bundle.js';
import { refuse } from './refuse.js';
import type { TrustedRoot } from './trusted-root.js';
import type { Certificate } from './x509.js';

/** checkKeyless: the leaf certificate and verified times, or refused. */
export function checkKeyless(_bundle: Bundle, _root: TrustedRoot, _now: Date, _checks: string[]): { leaf: Certificate; timestamps: { kind: 'rfc3161' | 'tlog'; time: Date }[]; integratedTime?: Date } {
  return refuse('keyless verification is not available yet');
}
