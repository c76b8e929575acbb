// DSSE (Dead Simple Signing Envelope): the envelope, and PAE, the bytes its signature covers.
import { decodeBase64, field, isObject, refuse } from './refuse.js';

/** Envelope: a DSSE envelope with its payload decoded; a bundle's carries one signature. */
export interface Envelope {
  payloadType: string;
  payload: Uint8Array;
  signatures: { sig: Uint8Array; keyid: string }[];
}

/** parseEnvelope: a DSSE envelope from its JSON value. */
export function parseEnvelope(value: unknown): Envelope {
  if (!isObject(value)) refuse('dsseEnvelope is not an object');
  if (typeof value.payloadType !== 'string') refuse('dsseEnvelope.payloadType is not a string');
  const payload = decodeBase64(value.payload, 'dsseEnvelope.payload');
  if (payload.length === 0) refuse('dsseEnvelope.payload is empty');
  if (!Array.isArray(value.signatures) || value.signatures.length !== 1)
    refuse('dsseEnvelope must hold exactly one signature');
  const signatures = value.signatures.map((s, i) => {
    const keyid = field(s, 'keyid') ?? '';
    if (typeof keyid !== 'string') refuse(`dsseEnvelope.signatures[${i}].keyid is not a string`);
    const sig = decodeBase64(field(s, 'sig'), `dsseEnvelope.signatures[${i}].sig`);
    if (sig.length === 0) refuse(`dsseEnvelope.signatures[${i}].sig is empty`);
    return { sig, keyid };
  });
  return { payloadType: value.payloadType, payload, signatures };
}

/** pae: DSSE's pre-authentication encoding, "DSSEv1 <len> <type> <len> <payload>". */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = new TextEncoder().encode(payloadType);
  const head = new TextEncoder().encode(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}
