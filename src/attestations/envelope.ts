// The in-toto statement inside a DSSE envelope (https://github.com/secure-systems-lab/dsse,
// envelope.md) or inside a Sigstore bundle's `dsseEnvelope` (protobuf-specs' Bundle, v0.1 to
// v0.3). Only read here: whether the signature verifies is src/trust/'s question; `signed` says
// only that one came with it.
import { ProtocolError } from '../errors.js';
import { ATTESTATION_LIMITS } from './limits.js';

/** The payload type an envelope must carry for its payload to be an in-toto statement. */
export const IN_TOTO_PAYLOAD = 'application/vnd.in-toto+json';

/** EnvelopePayload: what an envelope or a bundle carries: the statement's bytes, and whether a signature came with them. */
export interface EnvelopePayload {
  payload: Uint8Array;
  signed: boolean;
}

/** True for the media types of a Sigstore bundle (`application/vnd.dev.sigstore.bundle[.v0.N]+json[;version=0.N]`). */
export function isBundleType(mediaType: string): boolean {
  return /^application\/vnd\.dev\.sigstore\.bundle(\.v0\.\d+)?\+json(\s*;.*)?$/.test(mediaType);
}

/** True for the media types of a DSSE envelope: `application/vnd.dsse.envelope.v1+json` and BuildKit's `application/vnd.in-toto.*+dsse`. */
export function isEnvelopeType(mediaType: string): boolean {
  return (
    mediaType === 'application/vnd.dsse.envelope.v1+json' ||
    /^application\/vnd\.in-toto\.[a-z0-9.-]+\+dsse$/.test(mediaType)
  );
}

/** The in-toto payload of a DSSE envelope (parsed JSON); undefined when it carries another payload type. */
export function envelopePayload(envelope: unknown, what: string): EnvelopePayload | undefined {
  if (envelope === null || typeof envelope !== 'object' || Array.isArray(envelope))
    throw new ProtocolError(`${what} is not a DSSE envelope`);
  const { payload, payloadType, signatures } = envelope as Record<string, unknown>;
  if (typeof payload !== 'string' || typeof payloadType !== 'string')
    throw new ProtocolError(`${what} is not a DSSE envelope (no payload or payloadType)`);
  if (payloadType !== IN_TOTO_PAYLOAD) return undefined;
  // (Node's base64 decoder takes the url-safe alphabet too, which DSSE allows)
  // base64 grows bytes by 4/3: the bound is checked before decoding
  if (payload.length > (ATTESTATION_LIMITS.documentBytes / 3) * 4 + 4)
    throw new ProtocolError(`${what}'s payload is more than ${ATTESTATION_LIMITS.documentBytes} bytes: refused`);
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(payload)) throw new ProtocolError(`${what}'s payload is not base64`);
  const signed =
    Array.isArray(signatures) &&
    signatures.some(
      (s) =>
        s !== null &&
        typeof s === 'object' &&
        typeof (s as { sig?: unknown }).sig === 'string' &&
        (s as { sig: string }).sig !== '',
    );
  return { payload: new Uint8Array(Buffer.from(payload, 'base64')), signed };
}

/** The in-toto payload of a Sigstore bundle with a `dsseEnvelope`; undefined for a bundle of a message signature (no statement). */
export function bundlePayload(bundle: unknown, what: string): EnvelopePayload | undefined {
  if (bundle === null || typeof bundle !== 'object' || Array.isArray(bundle))
    throw new ProtocolError(`${what} is not a Sigstore bundle`);
  const { mediaType, dsseEnvelope } = bundle as Record<string, unknown>;
  if (typeof mediaType !== 'string' || !isBundleType(mediaType))
    throw new ProtocolError(`${what} is not a Sigstore bundle (mediaType ${JSON.stringify(mediaType)})`);
  if (dsseEnvelope === undefined) return undefined;
  return envelopePayload(dsseEnvelope, `${what}'s dsseEnvelope`);
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
