// Certificate paths: from a leaf up to a self-signed root of one trusted authority, every link a
// verified signature, every certificate valid at the given time, every issuer a CA.
import { refuse } from './refuse.js';
import { within, type Authority } from './trusted-root.js';
import { basicConstraints, extKeyUsage, keyUsage, signedBy, validAt, type Certificate } from './x509.js';

const MAX_PATH = 8;
const KEY_CERT_SIGN = 5;

/** isSelfSigned: issuer and subject are the same name and the certificate's own key verifies it. */
export function isSelfSigned(cert: Certificate): boolean {
  return signedBy(cert, cert);
}

/**
 * buildPath: the path [leaf, ..., root] through one of `authorities` (valid at `at`) whose every
 * certificate is valid at `at`, or refused. `purpose` is the extended key usage the leaf must allow.
 */
export function buildPath(
  leaf: Certificate,
  authorities: readonly Authority[],
  at: Date,
  purpose: string,
): Certificate[] {
  const reasons: string[] = [];
  const candidates = authorities.filter((a) => within(a.validFor, at));
  if (candidates.length === 0) refuse(`no trusted certificate authority was valid at ${at.toISOString()}`);
  for (const authority of candidates) {
    try {
      return pathThrough(leaf, authority.certificates, at, purpose);
    } catch (error) {
      reasons.push(error instanceof Error ? error.message : String(error));
    }
  }
  return refuse(`the certificate does not chain to a trusted authority at ${at.toISOString()}: ${reasons.join('; ')}`);
}

// A link between two trusted certificates is the same on every call: each is checked once, and
// only the leaf's own signature is verified again per verification.
const trustedLinks = new WeakMap<Certificate, WeakMap<Certificate, boolean>>();

function trustedLink(cert: Certificate, issuer: Certificate): boolean {
  let links = trustedLinks.get(cert);
  if (links === undefined) trustedLinks.set(cert, (links = new WeakMap()));
  let signed = links.get(issuer);
  if (signed === undefined) links.set(issuer, (signed = signedBy(cert, issuer)));
  return signed;
}

function pathThrough(leaf: Certificate, trusted: readonly Certificate[], at: Date, purpose: string): Certificate[] {
  const path = [leaf];
  let current = leaf;
  while (!(trusted.includes(current) && trustedLink(current, current))) {
    if (path.length > MAX_PATH) refuse('certificate path is too long');
    const from = current;
    const issuer = trusted.find(
      (c) => c !== from && (trusted.includes(from) ? trustedLink(from, c) : signedBy(from, c)),
    );
    if (issuer === undefined) refuse('no trusted certificate issued it');
    path.push(issuer);
    current = issuer;
  }
  checkPath(path, at, purpose);
  return path;
}

function checkPath(path: readonly Certificate[], at: Date, purpose: string): void {
  for (const cert of path)
    if (!validAt(cert, at))
      refuse(
        `a certificate of the path is not valid at ${at.toISOString()} (valid ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()})`,
      );
  path.slice(1).forEach((ca, i) => {
    const bc = basicConstraints(ca);
    if (bc?.ca !== true) refuse('an issuing certificate is not a CA');
    if (!keyUsage(ca)(KEY_CERT_SIGN)) refuse('an issuing certificate may not sign certificates');
    // certificates below this CA, other than the leaf
    if (bc.pathLength !== undefined && bc.pathLength < i) refuse('a CA path length constraint is exceeded');
  });
  const leaf = path[0]!;
  if (basicConstraints(leaf)?.ca === true) refuse('the signing certificate is a CA');
  const eku = extKeyUsage(leaf);
  if (eku !== undefined && !eku.includes(purpose))
    refuse(`the signing certificate's extended key usage does not allow ${purpose}`);
}
