// Policy: who signed. A certificate's identity (its SAN) and OIDC issuer, matched against what
// the caller expects: a string exactly, a RegExp by test.
import { refuse } from './refuse.js';
import { oidcIssuer, subjectAltNames, type Certificate } from './x509.js';

/** Matcher: an expected value, exact or a pattern. */
export type Matcher = string | RegExp;

function matches(expected: Matcher, actual: string): boolean {
  if (typeof expected === 'string') return expected === actual;
  expected.lastIndex = 0;
  return expected.test(actual);
}

/** checkPolicy: the certificate's identity and issuer when they match, else refused. */
export function checkPolicy(
  cert: Certificate,
  identity: Matcher,
  issuer: Matcher,
): { identity: string; issuer: string } {
  const names = subjectAltNames(cert);
  if (names.length === 0) refuse('the certificate has no subject alternative name');
  const who = names.find((n) => matches(identity, n));
  if (who === undefined)
    refuse(`the certificate's identity ${JSON.stringify(names[0])} does not match ${String(identity)}`);
  const from = oidcIssuer(cert);
  if (from === undefined) refuse('the certificate has no OIDC issuer extension');
  if (!matches(issuer, from))
    refuse(`the certificate's OIDC issuer ${JSON.stringify(from)} does not match ${String(issuer)}`);
  return { identity: who, issuer: from };
}
