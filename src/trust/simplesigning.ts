// cosign's legacy signature payload, "simple signing" (cosign's specs/SIGNATURE_SPEC.md): the
// JSON that a `sha256-<hex>.sig` layer holds and its signature covers, naming the image's
// manifest digest in `critical.image.docker-manifest-digest`. Pure.
import { VerificationError } from '../errors.js';

/** SIMPLE_SIGNING: the media type of a simple signing payload layer. */
export const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** The `critical.type` every cosign image signature carries. */
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';
/** Payloads bigger than this are refused unread (cosign's are a few hundred bytes). */
export const MAX_PAYLOAD_SIZE = 1024 * 1024;

/** SimpleSigningClaims: what a simple signing payload says. */
export interface SimpleSigningClaims {
  /** `critical.identity.docker-reference`: the repository signed (informational: cosign does not check it). */
  dockerReference: string;
  /** `critical.image.docker-manifest-digest`: the manifest the signature is for. */
  digest: string;
  /** `optional`: the annotations given at signing (`cosign sign -a`), or null. */
  annotations: Record<string, unknown> | null;
}

/** The payload cosign signs for `digest` in `dockerReference`, byte for byte as cosign 3.1.1 writes it. */
export function simpleSigningPayload(
  dockerReference: string,
  digest: string,
  annotations?: Record<string, string>,
): Uint8Array {
  const payload = {
    critical: {
      identity: { 'docker-reference': dockerReference },
      image: { 'docker-manifest-digest': digest },
      type: COSIGN_SIGNATURE_TYPE,
    },
    optional: annotations && Object.keys(annotations).length ? annotations : null,
  };
  return new TextEncoder().encode(JSON.stringify(payload));
}

/** The claims of a simple signing payload; anything else (not JSON, a wrong type, missing fields) is VerificationError. */
export function parseSimpleSigning(bytes: Uint8Array): SimpleSigningClaims {
  if (bytes.length > MAX_PAYLOAD_SIZE)
    throw new VerificationError(`the simple signing payload is ${bytes.length} bytes, more than ${MAX_PAYLOAD_SIZE}`);
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new VerificationError('the simple signing payload is not JSON');
  }
  const critical = field(payload, 'critical');
  const type = field(critical, 'type');
  if (type !== COSIGN_SIGNATURE_TYPE)
    throw new VerificationError(
      `the simple signing payload's critical.type is ${JSON.stringify(type)?.slice(0, 80)}, not ${JSON.stringify(COSIGN_SIGNATURE_TYPE)}`,
    );
  const digest = field(field(critical, 'image'), 'docker-manifest-digest');
  if (typeof digest !== 'string' || !/^sha(256:[0-9a-f]{64}|512:[0-9a-f]{128})$/.test(digest))
    throw new VerificationError(
      'the simple signing payload names no manifest digest (critical.image.docker-manifest-digest)',
    );
  const identity = field(critical, 'identity');
  const dockerReference = identity === undefined ? '' : field(identity, 'docker-reference');
  if (typeof dockerReference !== 'string')
    throw new VerificationError('the simple signing payload\u2019s critical.identity.docker-reference is not a string');
  const optional = field(payload, 'optional');
  if (optional !== undefined && optional !== null && (typeof optional !== 'object' || Array.isArray(optional)))
    throw new VerificationError('the simple signing payload\u2019s optional is not an object');
  return { dockerReference, digest, annotations: (optional as Record<string, unknown> | null | undefined) ?? null };
}

function field(value: unknown, name: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new VerificationError(`the simple signing payload is not the object cosign writes (at ${name})`);
  return Object.prototype.hasOwnProperty.call(value, name) ? (value as Record<string, unknown>)[name] : undefined;
}
