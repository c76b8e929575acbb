// cosign's legacy signatures (a `.sig` layer's payload and signature, or a `.att` layer's DSSE
// envelope, with the certificate, chain, Rekor bundle and RFC 3161 timestamp in its annotations)
// rewritten as the Sigstore bundle v0.1 that says the same, so that verifyBundle checks them in
// the one order it checks every bundle. Pure: nothing here decides what verifies.
import type { KeyObject } from 'node:crypto'; // the module is loaded where first used
import { parseJson } from './json.js';
import { decodeBase64, field, isObject, refuse } from './refuse.js';
import { BUNDLE_V03 } from './sign.js';
import { keyHint } from './signing-keys.js';

/** LegacyAnnotations: the annotations of a legacy signature layer, as cosign names them. */
export interface LegacyAnnotations {
  'dev.cosignproject.cosign/signature'?: string;
  'dev.sigstore.cosign/certificate'?: string;
  'dev.sigstore.cosign/chain'?: string;
  'dev.sigstore.cosign/bundle'?: string;
  'dev.sigstore.cosign/rfc3161timestamp'?: string;
  [name: string]: string | undefined;
}

const BUNDLE_V01 = 'application/vnd.dev.sigstore.bundle+json;version=0.1';

/**
 * legacyBundle: the bundle a legacy signature amounts to: a DSSE envelope (bytes of its JSON) or a
 * payload's signature; with `key`, a key bundle (no log needed), else the annotations' certificate
 * chain, Rekor entry (its SET) and timestamp. Malformed annotations are VerificationError.
 */
export function legacyBundle(
  annotations: LegacyAnnotations,
  content: { envelope: Uint8Array } | { signature: Uint8Array; payload: Uint8Array },
  key?: KeyObject,
): object {
  const body: Record<string, unknown> =
    'envelope' in content
      ? { dsseEnvelope: parseJson(content.envelope, 'the DSSE envelope') }
      : {
          messageSignature: {
            messageDigest: {
              algorithm: 'SHA2_256',
              digest: process
                .getBuiltinModule('node:crypto')
                .createHash('sha256')
                .update(content.payload)
                .digest('base64'),
            },
            signature: Buffer.from(content.signature).toString('base64'),
          },
        };
  if (key !== undefined)
    return { mediaType: BUNDLE_V03, verificationMaterial: { publicKey: { hint: keyHint(key) } }, ...body };
  const certificate = annotations['dev.sigstore.cosign/certificate'];
  if (!certificate) refuse('it carries no certificate (dev.sigstore.cosign/certificate) to verify keyless');
  const certificates = [
    ...pemCertificates(certificate, 'dev.sigstore.cosign/certificate'),
    ...pemCertificates(annotations['dev.sigstore.cosign/chain'] ?? '', 'dev.sigstore.cosign/chain'),
  ];
  const verificationMaterial: Record<string, unknown> = {
    x509CertificateChain: {
      certificates: certificates.map((der) => ({ rawBytes: Buffer.from(der).toString('base64') })),
    },
    tlogEntries:
      annotations['dev.sigstore.cosign/bundle'] === undefined
        ? []
        : [rekorEntry(annotations['dev.sigstore.cosign/bundle'])],
  };
  const timestamp = annotations['dev.sigstore.cosign/rfc3161timestamp'];
  if (timestamp !== undefined) {
    const signed = field(
      parseJson(timestamp, 'the dev.sigstore.cosign/rfc3161timestamp annotation'),
      'SignedRFC3161Timestamp',
    );
    if (typeof signed !== 'string')
      refuse('the dev.sigstore.cosign/rfc3161timestamp annotation has no SignedRFC3161Timestamp');
    verificationMaterial['timestampVerificationData'] = { rfc3161Timestamps: [{ signedTimestamp: signed }] };
  }
  return { mediaType: BUNDLE_V01, verificationMaterial, ...body };
}

/** The DER of each certificate in PEM text. */
export function pemCertificates(pem: string, what: string): Uint8Array[] {
  const blocks = [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)];
  if (pem.trim() !== '' && blocks.length === 0) refuse(`${what} holds no PEM certificate`);
  return blocks.map((m, i) => decodeBase64(m[1]!.replace(/\s+/g, ''), `${what}'s certificate ${i}`));
}

/** A bundle's log entry from cosign's Rekor bundle annotation (`SignedEntryTimestamp`, `Payload`). */
function rekorEntry(annotation: string): object {
  const rekor = parseJson(annotation, 'the dev.sigstore.cosign/bundle annotation');
  const payload = field(rekor, 'Payload');
  const set = field(rekor, 'SignedEntryTimestamp');
  if (!isObject(payload) || typeof set !== 'string')
    refuse('the dev.sigstore.cosign/bundle annotation has no SignedEntryTimestamp and Payload');
  const logId = payload['logID'];
  if (typeof logId !== 'string' || !/^[0-9a-f]{64}$/.test(logId))
    refuse('the Rekor bundle\u2019s logID is not 64 hex digits');
  const entry = parseJson(decodeBase64(payload['body'], 'the Rekor bundle\u2019s body'), 'the Rekor entry body');
  const kind = field(entry, 'kind');
  const version = field(entry, 'apiVersion');
  if (typeof kind !== 'string' || typeof version !== 'string')
    refuse('the Rekor entry body names no kind and apiVersion');
  return {
    logIndex: String(payload['logIndex']),
    logId: { keyId: Buffer.from(logId, 'hex').toString('base64') },
    kindVersion: { kind, version },
    integratedTime: String(payload['integratedTime']),
    inclusionPromise: { signedEntryTimestamp: set },
    canonicalizedBody: payload['body'],
  };
}
