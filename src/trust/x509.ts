// X.509 certificates: the fields verification reads, from our own DER reading; signatures
// checked by node:crypto's X509Certificate.
import type { KeyObject, X509Certificate } from 'node:crypto'; // the module is loaded where first used
import {
  bits,
  boolean,
  children,
  content,
  integer,
  oid,
  octets,
  raw,
  sequence,
  text,
  time,
  expect,
  parseDer,
  TAG,
  type Der,
} from './der.js';
import { publicKeyOf } from './keys.js';
import { equalBytes, refuse } from './refuse.js';

/** OIDs of the extensions read. */
export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  fulcioIssuerV1: '1.3.6.1.4.1.57264.1.1',
  fulcioIssuerV2: '1.3.6.1.4.1.57264.1.8',
  sctList: '1.3.6.1.4.1.11129.2.4.2',
} as const;

/** Extension: one certificate extension, with its whole encoding (to rebuild a TBS without it). */
export interface Extension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
  node: Der;
}

/** Certificate: a parsed X.509 certificate. */
export interface Certificate {
  der: Uint8Array;
  tbs: Der;
  serial: bigint;
  issuer: Uint8Array;
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  publicKey: KeyObject;
  spki: Uint8Array;
  extensions: Extension[];
  /** The [3] wrapper's node and the extensions SEQUENCE inside it. */
  extensionsNode: Der | undefined;
  x509: X509Certificate;
}

/** parseCertificate: a certificate from DER; anything malformed refused. */
export function parseCertificate(der: Uint8Array): Certificate {
  const [tbs, algorithm, signature] = sequence(parseDer(der), 'certificate', 3);
  expect(algorithm, TAG.sequence, 'signatureAlgorithm');
  bits(signature, 'signatureValue');
  const fields = sequence(tbs, 'tbsCertificate', 6);
  let i = 0;
  if (fields[0]!.tag === 0xa0) i = 1;
  const serial = integer(fields[i], 'serialNumber');
  const issuer = raw(expect(fields[i + 2], TAG.sequence, 'issuer'));
  const [notBefore, notAfter] = sequence(fields[i + 3], 'validity', 2);
  const subject = raw(expect(fields[i + 4], TAG.sequence, 'subject'));
  const spkiBytes = raw(expect(fields[i + 5], TAG.sequence, 'subjectPublicKeyInfo'));
  let extensionsNode: Der | undefined;
  const extensions: Extension[] = [];
  for (const f of fields.slice(i + 6)) {
    if (f.tag !== 0xa3) continue;
    extensionsNode = f;
    const [list] = children(f);
    for (const e of sequence(list, 'extensions')) {
      const parts = sequence(e, 'extension', 2);
      const critical = parts.length === 3 ? boolean(parts[1], 'extension critical') : false;
      const ext = {
        oid: oid(parts[0], 'extension id'),
        critical,
        value: octets(parts[parts.length - 1], 'extension value'),
        node: e,
      };
      if (extensions.some((x) => x.oid === ext.oid)) refuse(`certificate repeats extension ${ext.oid}`);
      extensions.push(ext);
    }
  }
  let x509: X509Certificate;
  try {
    x509 = new (process.getBuiltinModule('node:crypto').X509Certificate)(der);
  } catch {
    return refuse('certificate: node:crypto cannot read it');
  }
  return {
    der,
    tbs: tbs!,
    serial,
    issuer,
    subject,
    notBefore: time(notBefore, 'notBefore'),
    notAfter: time(notAfter, 'notAfter'),
    publicKey: publicKeyOf(spkiBytes, 'certificate public key'),
    spki: spkiBytes,
    extensions,
    extensionsNode,
    x509,
  };
}

/** extension: the extension with this OID, if the certificate has it. */
export function extension(cert: Certificate, id: string): Extension | undefined {
  return cert.extensions.find((e) => e.oid === id);
}

/** basicConstraints: whether the certificate is a CA, and its path length limit. */
export function basicConstraints(cert: Certificate): { ca: boolean; pathLength?: number } | undefined {
  const ext = extension(cert, OID.basicConstraints);
  if (ext === undefined) return undefined;
  const items = sequence(parseDer(ext.value), 'basicConstraints');
  let at = 0;
  let ca = false;
  if (items[at]?.tag === TAG.boolean) ca = boolean(items[at++], 'basicConstraints cA');
  const out: { ca: boolean; pathLength?: number } = { ca };
  if (items[at] !== undefined) out.pathLength = Number(integer(items[at], 'pathLenConstraint'));
  return out;
}

/** keyUsage: the key usage bits, bit 0 (digitalSignature) first; undefined without the extension. */
export function keyUsage(cert: Certificate): (bit: number) => boolean {
  const ext = extension(cert, OID.keyUsage);
  if (ext === undefined) return () => true;
  const node = expect(parseDer(ext.value), TAG.bitString, 'keyUsage');
  const value = content(node);
  if (value.length < 1) refuse('DER: keyUsage is empty');
  const flags = value.subarray(1);
  return (bit) => ((flags[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0;
}

/** extKeyUsage: the extended key usage OIDs, or undefined without the extension. */
export function extKeyUsage(cert: Certificate): string[] | undefined {
  const ext = extension(cert, OID.extKeyUsage);
  return ext === undefined ? undefined : sequence(parseDer(ext.value), 'extKeyUsage').map((n) => oid(n, 'key purpose'));
}

/** subjectAltNames: the SAN's URIs and email addresses (the identities Fulcio writes). */
export function subjectAltNames(cert: Certificate): string[] {
  const ext = extension(cert, OID.subjectAltName);
  if (ext === undefined) return [];
  const out: string[] = [];
  for (const name of sequence(parseDer(ext.value), 'subjectAltName')) {
    if (name.tag === 0x86 || name.tag === 0x81) out.push(text(name, 'subjectAltName'));
    else if (name.tag === 0xa0) {
      // otherName { type-id, [0] EXPLICIT value }: Fulcio's username SAN (1.3.6.1.4.1.57264.1.7)
      const [typeId, wrapped] = children(name);
      if (oid(typeId) === '1.3.6.1.4.1.57264.1.7' && wrapped !== undefined)
        out.push(text(children(wrapped)[0], 'otherName'));
    }
  }
  return out;
}

/** oidcIssuer: Fulcio's OIDC issuer extension (.1.8, a UTF8String; else .1.1, raw text). */
export function oidcIssuer(cert: Certificate): string | undefined {
  const v2 = extension(cert, OID.fulcioIssuerV2);
  if (v2 !== undefined) return text(parseDer(v2.value), 'OIDC issuer');
  const v1 = extension(cert, OID.fulcioIssuerV1);
  if (v1 === undefined) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(v1.value);
  } catch {
    return refuse('OIDC issuer extension is not UTF-8');
  }
}

/** signedBy: true when `issuer`'s key verifies `cert`'s signature and names match. */
export function signedBy(cert: Certificate, issuer: Certificate): boolean {
  if (!equalBytes(cert.issuer, issuer.subject)) return false;
  try {
    return cert.x509.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** validAt: true when `at` is within the certificate's validity (both ends inclusive). */
export function validAt(cert: Certificate, at: Date): boolean {
  return at.getTime() >= cert.notBefore.getTime() && at.getTime() <= cert.notAfter.getTime();
}

/** toPem: a certificate's PEM text. */
export function toPem(der: Uint8Array): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
