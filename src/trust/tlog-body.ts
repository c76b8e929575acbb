// A log entry's body must be this signature's: Rekor v1 hashedrekord 0.0.1, dsse 0.0.1 and
// intoto 0.0.2, and Rekor v2 hashedrekord/dsse 0.0.2, each naming the same signature, the same
// digest and the same key or certificate.
import type { KeyObject } from 'node:crypto';
import type { Bundle, TlogEntry } from './bundle.js';
import { parseJson } from './json.js';
import { pae } from './dsse.js';
import { publicKeyOf, sha256, spki } from './keys.js';
import { decodeBase64, equalBytes, field, hex, refuse } from './refuse.js';
import { parseCertificate, type Certificate } from './x509.js';

/** Signer: the key, or the certificate, that made the signature. */
export type Signer = { key: KeyObject } | { certificate: Certificate };

/** checkBody: refuses unless the entry's body records this bundle's signature, digest and signer. */
export function checkBody(entry: TlogEntry, content: Bundle['content'], signer: Signer): void {
  const body = parseJson(entry.canonicalizedBody, 'log entry body');
  if (field(body, 'kind') !== entry.kind || field(body, 'apiVersion') !== entry.version)
    refuse(`log entry body is not the ${entry.kind} ${entry.version} its kindVersion says`);
  const spec = field(body, 'spec');
  const signature = content.kind === 'message' ? content.signature : content.envelope.signatures[0]!.sig;
  const kv = `${entry.kind} ${entry.version}`;
  switch (kv) {
    case 'hashedrekord 0.0.1': {
      if (content.kind !== 'message')
        refuse('a hashedrekord 0.0.1 entry records a message signature, and the bundle holds a DSSE envelope');
      sameSignature(decodeBase64(field(field(spec, 'signature'), 'content'), 'hashedrekord signature'), signature);
      const hash = field(field(spec, 'data'), 'hash');
      if (field(hash, 'algorithm') !== algorithmV1(content.algorithm) || field(hash, 'value') !== hex(content.digest))
        refuse("log entry's artifact digest is not the bundle's");
      sameSigner(pemOrDer(field(field(field(spec, 'signature'), 'publicKey'), 'content')), signer);
      return;
    }
    case 'dsse 0.0.1':
    case 'intoto 0.0.2': {
      if (content.kind !== 'dsse')
        refuse(`a ${kv} entry records a DSSE envelope, and the bundle holds a message signature`);
      const sigs =
        kv === 'dsse 0.0.1'
          ? field(spec, 'signatures')
          : field(field(field(spec, 'content'), 'envelope'), 'signatures');
      if (!Array.isArray(sigs) || sigs.length !== 1) refuse('log entry does not record exactly one DSSE signature');
      const recorded =
        kv === 'dsse 0.0.1'
          ? decodeBase64(field(sigs[0], 'signature'), 'log entry signature')
          : decodeBase64(
              new TextDecoder().decode(decodeBase64(field(sigs[0], 'sig'), 'log entry signature')),
              'log entry signature',
            );
      sameSignature(recorded, signature);
      const hash = kv === 'dsse 0.0.1' ? field(spec, 'payloadHash') : field(field(spec, 'content'), 'payloadHash');
      if (field(hash, 'algorithm') !== 'sha256' || field(hash, 'value') !== hex(sha256(content.envelope.payload)))
        refuse("log entry's payload hash is not the DSSE payload's");
      sameSigner(pemOrDer(kv === 'dsse 0.0.1' ? field(sigs[0], 'verifier') : field(sigs[0], 'publicKey')), signer);
      return;
    }
    case 'hashedrekord 0.0.2': {
      const v2 = field(spec, 'hashedRekordV002');
      const sig = field(v2, 'signature');
      sameSignature(decodeBase64(field(sig, 'content'), 'log entry signature'), signature);
      const data = field(v2, 'data');
      const digest = decodeBase64(field(data, 'digest'), 'log entry digest');
      const want =
        content.kind === 'message'
          ? content.digest
          : sha256(pae(content.envelope.payloadType, content.envelope.payload));
      const algorithm = content.kind === 'message' ? content.algorithm : 'SHA2_256';
      if (field(data, 'algorithm') !== algorithm || !equalBytes(digest, want))
        refuse("log entry's digest is not the bundle's");
      sameSigner(verifierV2(field(sig, 'verifier')), signer);
      return;
    }
    case 'dsse 0.0.2': {
      if (content.kind !== 'dsse')
        refuse('a dsse 0.0.2 entry records a DSSE envelope, and the bundle holds a message signature');
      const v2 = field(spec, 'dsseV002');
      const sigs = field(v2, 'signatures');
      if (!Array.isArray(sigs) || sigs.length !== 1) refuse('log entry does not record exactly one DSSE signature');
      sameSignature(decodeBase64(field(sigs[0], 'content'), 'log entry signature'), signature);
      const hash = field(v2, 'payloadHash');
      if (
        field(hash, 'algorithm') !== 'SHA2_256' ||
        !equalBytes(decodeBase64(field(hash, 'digest'), 'log entry payload hash'), sha256(content.envelope.payload))
      )
        refuse("log entry's payload hash is not the DSSE payload's");
      sameSigner(verifierV2(field(sigs[0], 'verifier')), signer);
      return;
    }
    default:
      refuse(`log entry kind ${kv} is not supported`);
  }
}

function algorithmV1(algorithm: string): string {
  return algorithm === 'SHA2_384' ? 'sha384' : algorithm === 'SHA2_512' ? 'sha512' : 'sha256';
}

function sameSignature(recorded: Uint8Array, signature: Uint8Array): void {
  if (!equalBytes(recorded, signature)) refuse("log entry's signature is not the bundle's");
}

/** A v1 body's verifier: base64 of a PEM certificate or public key, as DER and which it is. */
function pemOrDer(value: unknown): { der: Uint8Array; certificate: boolean } {
  const pem = new TextDecoder().decode(decodeBase64(value, 'log entry verifier'));
  const m = /-----BEGIN (CERTIFICATE|PUBLIC KEY)-----([A-Za-z0-9+/=\s]+)-----END \1-----/.exec(pem);
  if (m === null) refuse('log entry verifier is not a PEM certificate or public key');
  return { der: decodeBase64(m[2]!.replace(/\s+/g, ''), 'log entry verifier'), certificate: m[1] === 'CERTIFICATE' };
}

function verifierV2(verifier: unknown): { der: Uint8Array; certificate: boolean } {
  const cert = field(field(verifier, 'x509Certificate'), 'rawBytes');
  if (cert !== undefined) return { der: decodeBase64(cert, 'log entry certificate'), certificate: true };
  return {
    der: decodeBase64(field(field(verifier, 'publicKey'), 'rawBytes'), 'log entry public key'),
    certificate: false,
  };
}

function sameSigner(recorded: { der: Uint8Array; certificate: boolean }, signer: Signer): void {
  if ('certificate' in signer) {
    if (!recorded.certificate || !equalBytes(recorded.der, signer.certificate.der))
      refuse("log entry's certificate is not the bundle's");
    return;
  }
  const key = recorded.certificate
    ? parseCertificate(recorded.der).spki
    : spki(publicKeyOf(recorded.der, 'log entry public key'));
  if (!equalBytes(key, spki(signer.key))) refuse("log entry's public key is not the key");
}
