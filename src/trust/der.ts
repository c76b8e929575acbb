// ASN.1 DER, read: a node is a window on the bytes it came from, every length bounded by its
// parent's end, definite lengths only, nesting bounded. Anything else is refused.
import { refuse } from './refuse.js';

/** Der: one TLV (tag, length, value) inside `bytes`. */
export interface Der {
  /** The whole identifier octet: class, constructed bit and tag number (number < 31 only). */
  readonly tag: number;
  readonly bytes: Uint8Array;
  /** Where the header starts, where the content starts, where the node ends. */
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

/** Tags we read. */
export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

const MAX_DEPTH = 32;

/** readDer: the node at `offset`, which must end by `limit`. */
export function readDer(bytes: Uint8Array, offset = 0, limit = bytes.length): Der {
  if (offset + 2 > limit) refuse('DER: truncated header');
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) refuse('DER: high tag numbers are not supported');
  let length = bytes[offset + 1]!;
  let contentStart = offset + 2;
  if (length === 0x80) refuse('DER: indefinite length');
  if (length > 0x80) {
    const count = length & 0x7f;
    if (count > 4) refuse('DER: length too large');
    if (contentStart + count > limit) refuse('DER: truncated length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[contentStart + i]!;
    if (bytes[contentStart] === 0 || length < 0x80) refuse('DER: length not minimally encoded');
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) refuse('DER: length runs past its container');
  return { tag, bytes, start: offset, contentStart, end };
}

/** parseDer: the single node that `bytes` holds, with nothing after it. */
export function parseDer(bytes: Uint8Array): Der {
  const node = readDer(bytes);
  if (node.end !== bytes.length) refuse('DER: bytes after the outer element');
  return node;
}

/** children: the nodes inside a constructed node, in order. */
export function children(node: Der, depth = 0): Der[] {
  if ((node.tag & 0x20) === 0) refuse(`DER: tag 0x${node.tag.toString(16)} is not constructed`);
  if (depth > MAX_DEPTH) refuse('DER: nested too deeply');
  const out: Der[] = [];
  for (let at = node.contentStart; at < node.end;) {
    const child = readDer(node.bytes, at, node.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** expect: `node` when its tag is `tag`, else refused naming `what`. */
export function expect(node: Der | undefined, tag: number, what: string): Der {
  if (node === undefined) refuse(`DER: ${what} is missing`);
  if (node.tag !== tag) refuse(`DER: ${what} has tag 0x${node.tag.toString(16)}, not 0x${tag.toString(16)}`);
  return node;
}

/** sequence: the children of a SEQUENCE (or another tag), at least `min` of them. */
export function sequence(node: Der | undefined, what: string, min = 0, tag: number = TAG.sequence): Der[] {
  const items = children(expect(node, tag, what));
  if (items.length < min) refuse(`DER: ${what} has ${items.length} elements, fewer than ${min}`);
  return items;
}

/** content: the value bytes of a node. */
export function content(node: Der): Uint8Array {
  return node.bytes.subarray(node.contentStart, node.end);
}

/** raw: the whole encoding of a node, header included. */
export function raw(node: Der): Uint8Array {
  return node.bytes.subarray(node.start, node.end);
}

/** oid: the dotted form of an OBJECT IDENTIFIER. */
export function oid(node: Der | undefined, what = 'OID'): string {
  const value = content(expect(node, TAG.oid, what));
  if (value.length === 0 || value.length > 64) refuse(`DER: ${what} has a bad length`);
  const parts: number[] = [];
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const b = value[i]!;
    if (n === 0 && b === 0x80) refuse(`DER: ${what} is not minimally encoded`);
    n = n * 128 + (b & 0x7f);
    if (n > Number.MAX_SAFE_INTEGER / 256) refuse(`DER: ${what} has too large an arc`);
    if ((b & 0x80) === 0) {
      if (parts.length === 0) parts.push(n < 80 ? Math.floor(n / 40) : 2, n < 80 ? n % 40 : n - 80);
      else parts.push(n);
      n = 0;
    } else if (i === value.length - 1) refuse(`DER: ${what} is truncated`);
  }
  return parts.join('.');
}

/** integer: an INTEGER as a bigint. */
export function integer(node: Der | undefined, what = 'INTEGER'): bigint {
  const value = content(expect(node, TAG.integer, what));
  if (value.length === 0) refuse(`DER: ${what} is empty`);
  let n = 0n;
  for (const b of value) n = (n << 8n) | BigInt(b);
  if (value[0]! & 0x80) n -= 1n << BigInt(value.length * 8);
  return n;
}

/** boolean: a BOOLEAN. */
export function boolean(node: Der | undefined, what = 'BOOLEAN'): boolean {
  const value = content(expect(node, TAG.boolean, what));
  if (value.length !== 1) refuse(`DER: ${what} is not one byte`);
  return value[0] !== 0;
}

/** octets: the value of an OCTET STRING. */
export function octets(node: Der | undefined, what = 'OCTET STRING'): Uint8Array {
  return content(expect(node, TAG.octetString, what));
}

/** bits: the value of a BIT STRING with no unused bits (keys, signatures). */
export function bits(node: Der | undefined, what = 'BIT STRING'): Uint8Array {
  const value = content(expect(node, TAG.bitString, what));
  if (value.length === 0) refuse(`DER: ${what} is empty`);
  return value.subarray(1);
}

/** text: the value of a string type (UTF8String, PrintableString, IA5String), decoded. */
export function text(node: Der | undefined, what = 'string'): string {
  if (node === undefined) refuse(`DER: ${what} is missing`);
  if (![TAG.utf8String, TAG.printableString, TAG.ia5String, 0x80 | 1, 0x80 | 2, 0x80 | 6].includes(node.tag as never))
    refuse(`DER: ${what} is not a string`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content(node));
  } catch {
    return refuse(`DER: ${what} is not UTF-8`);
  }
}

/** time: a UTCTime or GeneralizedTime (Z only, seconds required, fraction allowed for GeneralizedTime). */
export function time(node: Der | undefined, what = 'time'): Date {
  if (node === undefined) refuse(`DER: ${what} is missing`);
  const s = new TextDecoder().decode(content(node));
  let m: RegExpMatchArray | null;
  let year: number;
  if (node.tag === TAG.utcTime) {
    m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s);
    if (m === null) refuse(`DER: ${what} is not a UTCTime`);
    year = Number(m[1]) + (Number(m[1]) < 50 ? 2000 : 1900);
  } else if (node.tag === TAG.generalizedTime) {
    m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\.\d{1,9})?Z$/.exec(s);
    if (m === null) refuse(`DER: ${what} is not a GeneralizedTime`);
    year = Number(m[1]);
  } else return refuse(`DER: ${what} is not a time`);
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0${m[7]}`) * 1000);
  const date = new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms));
  if (Number.isNaN(date.getTime()) || date.getUTCMonth() !== Number(m[2]) - 1)
    refuse(`DER: ${what} is not a valid date`);
  return date;
}

/** encodeLength: a DER length header's length octets. */
export function encodeHeader(tag: number, length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(tag, length);
  const octetsOf: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) octetsOf.unshift(n % 256);
  return Uint8Array.of(tag, 0x80 | octetsOf.length, ...octetsOf);
}
