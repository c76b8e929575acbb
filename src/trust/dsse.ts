// DSSE (Dead Simple Signing Envelope): the envelope, and PAE, the bytes its signature covers.
import { decodeBase64, field, isObject, refuse } from './refuse.js';

/** Envelope: a DSSE envelope with its payload decoded; a bundle's carries one signature. */
export interface Envelope {
  payloadType: string;
  payload: Uint8Array;
  signatures: { sig: Uint8Array; keyid: string }[];
}

/**
 * readEnvelope: a DSSE envelope from its JSON value, its payload and every signature decoded,
 * however many it holds (none, when `signatures` is empty or left out as protobuf-JSON leaves out
 * an empty list); `what` names it in refusals.
 */
export function readEnvelope(value: unknown, what = 'dsseEnvelope'): Envelope {
  if (!isObject(value)) refuse(`${what} is not an object`);
  if (typeof value.payloadType !== 'string') refuse(`${what}.payloadType is not a string`);
  const payload = decodeBase64(value.payload, `${what}.payload`);
  const list = value.signatures ?? [];
  if (!Array.isArray(list)) refuse(`${what}.signatures is not a list`);
  const signatures = list.map((s, i) => {
    const keyid = field(s, 'keyid') ?? '';
    if (typeof keyid !== 'string') refuse(`${what}.signatures[${i}].keyid is not a string`);
    return { sig: decodeBase64(field(s, 'sig'), `${what}.signatures[${i}].sig`), keyid };
  });
  return { payloadType: value.payloadType, payload, signatures };
}

/** parseEnvelope: a bundle's DSSE envelope from its JSON value: a payload and exactly one signature, neither empty. */
export function parseEnvelope(value: unknown): Envelope {
  const envelope = readEnvelope(value);
  if (envelope.payload.length === 0) refuse('dsseEnvelope.payload is empty');
  if (envelope.signatures.length !== 1) refuse('dsseEnvelope must hold exactly one signature');
  if (envelope.signatures[0]!.sig.length === 0) refuse('dsseEnvelope.signatures[0].sig is empty');
  return envelope;
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
