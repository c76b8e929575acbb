// RFC 3161 timestamp tokens (a CMS SignedData over a TSTInfo): the imprint is the hash of the
// bundle's signature, the token is signed by a timestamp authority the trusted root holds, whose
// certificates and window were valid at the time it gives.
import {
  children,
  content,
  expect,
  integer,
  oid,
  octets,
  parseDer,
  raw,
  sequence,
  TAG,
  time,
  type Der,
} from './der.js';
import { verifies } from './keys.js';
import { buildPath } from './chain.js';
import { equalBytes, refuse } from './refuse.js';
import { within, type Authority } from './trusted-root.js';
import { OID, type Certificate } from './x509.js';

const SIGNED_DATA = '1.2.840.113549.1.7.2';
const TST_INFO = '1.2.840.113549.1.9.16.1.4';
const CONTENT_TYPE = '1.2.840.113549.1.9.3';
const MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const HASHES: Record<string, string> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '1.3.14.3.2.26': 'sha1',
};

/** Timestamp: what a token says, and what its signature covers. */
export interface Timestamp {
  genTime: Date;
  imprintHash: string;
  imprint: Uint8Array;
  tstInfo: Uint8Array;
  signer: { issuer: Uint8Array; serial: bigint } | { keyId: Uint8Array };
  digestHash: string;
  signedAttributes?: Der;
  signature: Uint8Array;
}

function hashName(node: Der | undefined, what: string): string {
  const id = oid(sequence(node, what, 1)[0], what);
  const name = HASHES[id];
  if (name === undefined) refuse(`${what} ${id} is not a supported hash`);
  return name;
}

/** tokenOf: the token (a ContentInfo) of a TimeStampResp, whose status must be granted; a bare token as it is. */
function tokenOf(der: Uint8Array): Der {
  const outer = sequence(parseDer(der), 'timestamp', 1);
  if (outer[0]!.tag !== TAG.sequence) return parseDer(der);
  const status = integer(sequence(outer[0], 'PKIStatusInfo', 1)[0], 'PKIStatus');
  if (status !== 0n && status !== 1n) refuse(`the timestamp response's status is ${status}, not granted`);
  if (outer[1] === undefined) refuse('the timestamp response holds no token');
  return outer[1];
}

/** parseTimestamp: a timestamp token's fields, from its DER (a TimeStampResp, or the ContentInfo token alone). */
export function parseTimestamp(der: Uint8Array): Timestamp {
  const [type, wrapped] = sequence(tokenOf(der), 'timestamp token', 2);
  if (oid(type, 'content type') !== SIGNED_DATA) refuse('timestamp token is not a CMS SignedData');
  const signedData = sequence(children(expect(wrapped, 0xa0, 'SignedData'))[0], 'SignedData', 4);
  const encap = sequence(signedData[2], 'encapContentInfo', 2);
  if (oid(encap[0], 'eContentType') !== TST_INFO) refuse('timestamp token does not hold a TSTInfo');
  const tstInfo = octets(children(expect(encap[1], 0xa0, 'eContent'))[0], 'TSTInfo');
  const info = sequence(parseDer(tstInfo), 'TSTInfo', 5);
  const [imprintAlgorithm, imprint] = sequence(info[2], 'messageImprint', 2);
  const infos = sequence(signedData[signedData.length - 1], 'signerInfos', 1, TAG.set);
  if (infos.length !== 1) refuse('timestamp token must have exactly one signer');
  const si = sequence(infos[0], 'SignerInfo', 5);
  const sid = si[1]!;
  const signer =
    sid.tag === 0x80
      ? { keyId: content(sid) }
      : (() => {
          const [issuer, serial] = sequence(sid, 'issuerAndSerialNumber', 2);
          return { issuer: raw(expect(issuer, TAG.sequence, 'issuer')), serial: integer(serial, 'serialNumber') };
        })();
  let at = 3;
  const signedAttributes = si[at]?.tag === 0xa0 ? si[at++] : undefined;
  at++; // signatureAlgorithm (the key says how to verify)
  const ts: Timestamp = {
    genTime: time(info[4], 'genTime'),
    imprintHash: hashName(imprintAlgorithm, 'messageImprint hashAlgorithm'),
    imprint: octets(imprint, 'hashedMessage'),
    tstInfo,
    signer,
    digestHash: hashName(si[2], 'digestAlgorithm'),
    signature: octets(si[at], 'signature'),
  };
  if (signedAttributes !== undefined) ts.signedAttributes = signedAttributes;
  return ts;
}

/** signedBytes: what the signer's signature covers: the signed attributes as a SET, or the TSTInfo. */
function signedBytes(ts: Timestamp): Uint8Array {
  const attrs = ts.signedAttributes;
  if (attrs === undefined) return ts.tstInfo;
  let contentType: string | undefined;
  let digest: Uint8Array | undefined;
  for (const attr of children(attrs)) {
    const [type, values] = sequence(attr, 'attribute', 2);
    const id = oid(type, 'attribute type');
    const [value] = sequence(values, 'attribute values', 1, TAG.set);
    if (id === CONTENT_TYPE) contentType = oid(value, 'content type');
    if (id === MESSAGE_DIGEST) digest = octets(value, 'message digest');
  }
  if (contentType !== TST_INFO) refuse("timestamp's signed content type is not TSTInfo");
  if (
    digest === undefined ||
    !equalBytes(
      digest,
      new Uint8Array(process.getBuiltinModule('node:crypto').createHash(ts.digestHash).update(ts.tstInfo).digest()),
    )
  )
    refuse("timestamp's message digest is not its TSTInfo's");
  const bytes = new Uint8Array(raw(attrs));
  bytes[0] = TAG.set;
  return bytes;
}

function isSigner(ts: Timestamp, cert: Certificate): boolean {
  if ('keyId' in ts.signer) return true; // the signature check decides
  return ts.signer.serial === cert.serial && equalBytes(ts.signer.issuer, cert.issuer);
}

/** checkTimestamp: the time a token vouches the signature existed at, or refused. */
export function checkTimestamp(token: Uint8Array, signature: Uint8Array, authorities: readonly Authority[]): Date {
  const ts = parseTimestamp(token);
  if (
    !equalBytes(
      ts.imprint,
      new Uint8Array(process.getBuiltinModule('node:crypto').createHash(ts.imprintHash).update(signature).digest()),
    )
  )
    refuse("timestamp's message imprint is not the hash of the signature");
  const data = signedBytes(ts);
  for (const authority of authorities) {
    const leaf = authority.certificates[0]!;
    if (!isSigner(ts, leaf) || !verifies(leaf.publicKey, data, ts.signature, ts.digestHash)) continue;
    if (!within(authority.validFor, ts.genTime))
      refuse(`the timestamp authority was not trusted at ${ts.genTime.toISOString()}`);
    buildPath(leaf, [authority], ts.genTime, OID.timeStamping);
    return ts.genTime;
  }
  return refuse('the timestamp is not signed by a trusted timestamp authority');
}
