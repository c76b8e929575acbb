// The in-toto statement inside a DSSE envelope (https://github.com/secure-systems-lab/dsse,
// envelope.md) or inside a Sigstore bundle's `dsseEnvelope` (protobuf-specs' Bundle, v0.1 to
// v0.3), decoded by the trust unit's parsers. Only read here: whether the signature verifies is
// src/trust/'s question; `signed` says only that one came with it.
import { ProtocolError, VerificationError } from '../errors.js';
import { bundleEnvelope, isBundleMediaType } from '../trust/bundle.js';
import { readEnvelope } from '../trust/dsse.js';
import { isObject } from '../trust/refuse.js';
import { ATTESTATION_LIMITS } from './limits.js';

/** The payload type an envelope must carry for its payload to be an in-toto statement. */
export const IN_TOTO_PAYLOAD = 'application/vnd.in-toto+json';

/** EnvelopePayload: what an envelope or a bundle carries: the statement's bytes, and whether a signature came with them. */
export interface EnvelopePayload {
  payload: Uint8Array;
  signed: boolean;
}

/** True for the media types of a Sigstore bundle (`application/vnd.dev.sigstore.bundle[.v0.N]+json[;version=0.N]`). */
export const isBundleType = isBundleMediaType;

/** True for the media types of a DSSE envelope: `application/vnd.dsse.envelope.v1+json` and BuildKit's `application/vnd.in-toto.*+dsse`. */
export function isEnvelopeType(mediaType: string): boolean {
  return (
    mediaType === 'application/vnd.dsse.envelope.v1+json' ||
    /^application\/vnd\.in-toto\.[a-z0-9.-]+\+dsse$/.test(mediaType)
  );
}

/**
 * The trust unit's refusal of a malformed document (a VerificationError) as a ProtocolError: reading
 * a statement verifies nothing, so a document that does not parse is a bad answer.
 */
function decoded<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof VerificationError) throw new ProtocolError(error.message, { cause: error });
    throw error;
  }
}

/** The in-toto payload of a DSSE envelope (parsed JSON); undefined when it carries another payload type. */
export function envelopePayload(envelope: unknown, what: string): EnvelopePayload | undefined {
  const { payloadType, payload, signatures } = decoded(() => readEnvelope(envelope, what));
  return statementOf(
    payloadType,
    payload,
    signatures.some((s) => s.sig.length > 0),
    what,
  );
}

/** The in-toto payload of a Sigstore bundle with a `dsseEnvelope`; undefined for a bundle of a message signature (no statement). */
export function bundlePayload(bundle: unknown, what: string): EnvelopePayload | undefined {
  if (!isObject(bundle)) throw new ProtocolError(`${what} is not a Sigstore bundle`);
  const { mediaType } = bundle;
  if (typeof mediaType !== 'string' || !isBundleType(mediaType))
    throw new ProtocolError(`${what} is not a Sigstore bundle (mediaType ${JSON.stringify(mediaType)})`);
  const envelope = decoded(() => bundleEnvelope(bundle));
  return envelope && statementOf(envelope.payloadType, envelope.payload, true, `${what}'s dsseEnvelope`);
}

function statementOf(
  payloadType: string,
  payload: Uint8Array,
  signed: boolean,
  what: string,
): EnvelopePayload | undefined {
  if (payloadType !== IN_TOTO_PAYLOAD) return undefined;
  if (payload.length > ATTESTATION_LIMITS.documentBytes)
    throw new ProtocolError(`${what}'s payload is more than ${ATTESTATION_LIMITS.documentBytes} bytes: refused`);
  return { payload, signed };
}

/** The statement bytes a layer of `mediaType` holds: itself (in-toto JSON), an envelope's payload, or a bundle's; undefined for another kind of layer. */
export function layerPayload(mediaType: string, bytes: Uint8Array, what: string): EnvelopePayload | undefined {
  if (mediaType === IN_TOTO_PAYLOAD) return { payload: bytes, signed: false };
  if (isEnvelopeType(mediaType)) return envelopePayload(parseDocument(bytes, what), what);
  if (isBundleType(mediaType)) return bundlePayload(parseDocument(bytes, what), what);
  return undefined;
}

/** True for a layer whose media type layerPayload reads. */
export function isStatementLayer(mediaType: string): boolean {
  return mediaType === IN_TOTO_PAYLOAD || isEnvelopeType(mediaType) || isBundleType(mediaType);
}

/** JSON from bytes, or ProtocolError naming `what`. */
export function parseDocument(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ProtocolError(`${what} is not JSON`);
  }
}
