// RFC 6962 signed certificate timestamps embedded in a precertificate-issued leaf: each SCT's
// signature over the precertificate entry (the issuer's key hash and the TBS without the SCT
// extension), by a CT log the trusted root holds, valid at the SCT's time.
import { children, encodeHeader, octets, parseDer, raw } from './der.js';
import { sha256, verifies } from './keys.js';
import { refuse } from './refuse.js';
import { findLog, within, type TrustedLog } from './trusted-root.js';
import { extension, OID, type Certificate } from './x509.js';

/** Sct: one signed certificate timestamp. */
export interface Sct {
  version: number;
  logId: Uint8Array;
  timestamp: bigint;
  extensions: Uint8Array;
  hashAlgorithm: number;
  signatureAlgorithm: number;
  signature: Uint8Array;
}

/** parseSctList: the SCTs of a TLS-encoded SignedCertificateTimestampList. */
export function parseSctList(bytes: Uint8Array): Sct[] {
  const r = new Reader(bytes);
  const list = new Reader(r.bytes(r.uint(2)));
  r.end();
  const out: Sct[] = [];
  while (!list.done()) {
    const s = new Reader(list.bytes(list.uint(2)));
    const version = s.uint(1);
    if (version !== 0) refuse(`SCT version ${version} is not supported`);
    const sct: Sct = {
      version,
      logId: s.bytes(32),
      timestamp: s.bigUint(8),
      extensions: s.bytes(s.uint(2)),
      hashAlgorithm: s.uint(1),
      signatureAlgorithm: s.uint(1),
      signature: s.bytes(s.uint(2)),
    };
    s.end();
    out.push(sct);
  }
  return out;
}

/** tbsWithoutScts: the leaf's TBSCertificate DER with the SCT list extension taken out (the precertificate's TBS). */
export function tbsWithoutScts(cert: Certificate): Uint8Array {
  const wrapper = cert.extensionsNode;
  const ext = extension(cert, OID.sctList);
  if (wrapper === undefined || ext === undefined) refuse('the certificate has no SCT list');
  const kept = cert.extensions.filter((e) => e !== ext).map((e) => raw(e.node));
  const list = wrap(0x30, kept);
  const newWrapper = wrap(0xa3, [list]);
  const fields = children(cert.tbs).map((f) => (f.start === wrapper.start ? newWrapper : raw(f)));
  return wrap(0x30, fields);
}

function wrap(tag: number, parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((n, p) => n + p.length, 0);
  return Buffer.concat([encodeHeader(tag, length), ...parts]);
}

/** sctSignedData: the bytes an SCT signs for a precertificate entry. */
export function sctSignedData(sct: Sct, issuerKeyHash: Uint8Array, tbs: Uint8Array): Uint8Array {
  if (tbs.length >= 1 << 24) refuse('TBS certificate too large for an SCT');
  const head = Buffer.alloc(12);
  head[0] = sct.version;
  head[1] = 0; // certificate_timestamp
  head.writeBigUInt64BE(sct.timestamp, 2);
  head.writeUInt16BE(1, 10); // precert_entry
  const tbsLength = Uint8Array.of(tbs.length >> 16, (tbs.length >> 8) & 0xff, tbs.length & 0xff);
  const extLength = Uint8Array.of(sct.extensions.length >> 8, sct.extensions.length & 0xff);
  return Buffer.concat([head, issuerKeyHash, tbsLength, tbs, extLength, sct.extensions]);
}

/** checkScts: the number of the leaf's SCTs that verify with a trusted CT log; refused when there are none. */
export function checkScts(leaf: Certificate, issuer: Certificate, ctlogs: readonly TrustedLog[]): number {
  const ext = extension(leaf, OID.sctList);
  if (ext === undefined) refuse('the certificate has no embedded SCT');
  const scts = parseSctList(octets(parseDer(ext.value), 'SCT list'));
  const data = { issuerKeyHash: sha256(issuer.spki), tbs: tbsWithoutScts(leaf) };
  let verified = 0;
  for (const sct of scts) {
    const log = findLog(ctlogs, sct.logId);
    if (log === undefined) continue;
    if (sct.timestamp > BigInt(Number.MAX_SAFE_INTEGER)) continue;
    if (!within(log.validFor, new Date(Number(sct.timestamp)))) continue;
    const hash =
      sct.hashAlgorithm === 4
        ? 'sha256'
        : sct.hashAlgorithm === 5
          ? 'sha384'
          : sct.hashAlgorithm === 6
            ? 'sha512'
            : undefined;
    if (hash === undefined) continue;
    if (verifies(log.publicKey, sctSignedData(sct, data.issuerKeyHash, data.tbs), sct.signature, hash)) verified++;
  }
  if (verified === 0) refuse('no SCT of the certificate verifies with a trusted CT log');
  return verified;
}

/** A bounded reader of TLS-encoded bytes: every read past the end refused. */
class Reader {
  private at = 0;
  constructor(private readonly data: Uint8Array) {}
  done(): boolean {
    return this.at >= this.data.length;
  }
  end(): void {
    if (!this.done()) refuse('SCT: bytes after the end');
  }
  bytes(n: number): Uint8Array {
    if (this.at + n > this.data.length) refuse('SCT: truncated');
    const out = this.data.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  uint(n: number): number {
    let v = 0;
    for (const b of this.bytes(n)) v = v * 256 + b;
    return v;
  }
  bigUint(n: number): bigint {
    let v = 0n;
    for (const b of this.bytes(n)) v = (v << 8n) | BigInt(b);
    return v;
  }
}
