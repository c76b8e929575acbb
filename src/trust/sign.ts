// Signing as cosign does with a key: in-toto statements about an image, DSSE envelopes over them,
// and the Sigstore bundle v0.3 that holds an envelope and the key's hint. Pure (node:crypto only).
import type { KeyObject } from 'node:crypto';
import { pae } from './dsse.js';
import { keyHint, signBytes } from './signing-keys.js';

/** The media type of a Sigstore bundle v0.3 (and the artifact type of cosign 3's referrers). */
export const BUNDLE_V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** The predicate type of cosign 3's image signature statement. */
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
/** The media type of a DSSE envelope layer (cosign's legacy `.att` tag). */
export const DSSE_ENVELOPE = 'application/vnd.dsse.envelope.v1+json';
/** The annotation holding a legacy signature (base64), on each `.sig` (and, empty, `.att`) layer. */
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';

/** DsseEnvelope: a DSSE envelope as JSON carries it (payload base64). */
export interface DsseEnvelope {
  payload: string;
  payloadType: string;
  signatures: Array<{ sig: string; keyid?: string }>;
}

/** The statement cosign 3 signs for an image (`cosign sign`): subject the digest, annotations on the subject, predicate empty. */
export function signatureStatement(digest: string, annotations: Record<string, string> = {}): object {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ digest: digestObject(digest), annotations }],
    predicateType: COSIGN_SIGN_PREDICATE,
    predicate: {},
  };
}

/** The statement `cosign attest` makes: subject the image (by repository name and digest), the predicate as given. */
export function attestationStatement(name: string, digest: string, predicateType: string, predicate: unknown): object {
  return {
    _type: 'https://in-toto.io/Statement/v0.1',
    subject: [{ name, digest: digestObject(digest) }],
    predicateType,
    predicate,
  };
}

/** A DSSE envelope of `payload`, signed with `key` over its pre-authentication encoding. */
export function signEnvelope(payload: Uint8Array, payloadType: string, key: KeyObject): DsseEnvelope {
  const sig = signBytes(key, pae(payloadType, payload));
  return {
    payload: Buffer.from(payload).toString('base64'),
    payloadType,
    signatures: [{ sig: Buffer.from(sig).toString('base64') }],
  };
}

/** The Sigstore bundle v0.3 cosign writes for a key and no log: the envelope and the key's hint. */
export function keyBundle(envelope: DsseEnvelope, key: KeyObject): object {
  return { mediaType: BUNDLE_V03, verificationMaterial: { publicKey: { hint: keyHint(key) } }, dsseEnvelope: envelope };
}

/** `sha256:<hex>` as an in-toto digest set (`{ sha256: hex }`). */
function digestObject(digest: string): Record<string, string> {
  const colon = digest.indexOf(':');
  return { [digest.slice(0, colon)]: digest.slice(colon + 1) };
}
