// A small protobuf wire-format reader and writer (https://protobuf.dev/programming-guides/encoding/):
// varints, 64- and 32-bit fields, length-delimited fields; unknown fields are skipped by the
// caller, groups are refused, every length is checked against what is left. Pure.
import { concatBytes } from '../bytes.js';
import { StreamError } from '../errors.js';

export interface Field {
  field: number;
  wireType: 0 | 1 | 2 | 5;
  /** varint / fixed: the number (exact up to 2^53); length-delimited: the bytes (a view). */
  value: number | Uint8Array;
}

function malformed(why: string): never {
  throw new StreamError(`malformed protobuf message: ${why}`);
}

/** Reads a varint at `pos`; returns its value (as a double: exact up to 2^53) and the next position. */
export function readVarint(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= bytes.length) malformed('truncated varint');
    const b = bytes[pos++]!;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return [value, pos];
    scale *= 128;
  }
  return malformed('varint longer than 10 bytes');
}

/** Splits one message into its fields, in order. */
export function readFields(bytes: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const [tag, afterTag] = readVarint(bytes, pos);
    pos = afterTag;
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (field < 1 || field > 536_870_911) malformed(`field number ${field}`);
    switch (wireType) {
      case 0: {
        const [value, next] = readVarint(bytes, pos);
        fields.push({ field, wireType, value });
        pos = next;
        break;
      }
      case 1:
      case 5: {
        const size = wireType === 1 ? 8 : 4;
        if (pos + size > bytes.length) malformed('truncated fixed-size field');
        const view = new DataView(bytes.buffer, bytes.byteOffset + pos, size);
        const value = size === 8 ? Number(view.getBigUint64(0, true)) : view.getUint32(0, true);
        fields.push({ field, wireType, value });
        pos += size;
        break;
      }
      case 2: {
        const [length, next] = readVarint(bytes, pos);
        if (length > bytes.length - next) malformed(`length ${length} runs past the end of the message`);
        fields.push({ field, wireType, value: bytes.subarray(next, next + length) });
        pos = next + length;
        break;
      }
      default:
        malformed(`unsupported wire type ${wireType}`);
    }
  }
  return fields;
}

const decoder = new TextDecoder();

export function asString(f: Field): string {
  if (!(f.value instanceof Uint8Array)) malformed(`field ${f.field} should be a string`);
  return decoder.decode(f.value);
}

export function asBytes(f: Field): Uint8Array {
  if (!(f.value instanceof Uint8Array)) malformed(`field ${f.field} should be bytes`);
  return f.value;
}

export function asNumber(f: Field): number {
  if (typeof f.value !== 'number') malformed(`field ${f.field} should be a number`);
  return f.value;
}

/** A google.protobuf.Timestamp {seconds 1, nanos 2} as milliseconds since the epoch. */
export function asTimestamp(f: Field): number {
  let seconds = 0;
  let nanos = 0;
  for (const g of readFields(asBytes(f))) {
    if (g.field === 1) seconds = asNumber(g);
    else if (g.field === 2) nanos = asNumber(g);
  }
  return seconds * 1000 + Math.floor(nanos / 1e6);
}

/**
 * A field to write: a string or bytes (length-delimited), a whole number or bigint (varint; a
 * negative bigint as int64's two's complement), a boolean (varint 1, false left out as proto3
 * does); undefined is left out.
 */
export type FieldValue = string | Uint8Array | number | bigint | boolean | undefined;

const encoder = new TextEncoder();

function bigVarint(value: bigint, out: number[]): void {
  let v = value < 0n ? value + (1n << 64n) : value;
  if (v < 0n || v >= 1n << 64n) throw new RangeError(`protobuf varint out of range: ${value}`);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

function varint(value: number, out: number[]): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`protobuf varint out of range: ${value}`);
  while (value >= 0x80) {
    out.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
}

/** Encodes one message from `[field number, value]` pairs, in order (the reader's inverse). */
export function encodeFields(fields: ReadonlyArray<readonly [number, FieldValue]>): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  for (const [field, value] of fields) {
    if (value === undefined || value === false) continue;
    const head: number[] = [];
    if (typeof value === 'number' || typeof value === 'bigint' || value === true) {
      varint(field * 8, head);
      if (typeof value === 'bigint') bigVarint(value, head);
      else varint(value === true ? 1 : value, head);
      parts.push(Uint8Array.from(head));
      size += head.length;
      continue;
    }
    const bytes = typeof value === 'string' ? encoder.encode(value) : value;
    varint(field * 8 + 2, head);
    varint(bytes.length, head);
    parts.push(Uint8Array.from(head), bytes);
    size += head.length + bytes.length;
  }
  return concatBytes(parts, size);
}

/** A `map<string, string>` field's entries, each a message { key = 1, value = 2 }, in the record's order. */
export function mapEntries(
  field: number,
  record: Readonly<Record<string, string>> | undefined,
): Array<[number, Uint8Array]> {
  return Object.entries(record ?? {}).map(([key, value]) => [
    field,
    encodeFields([
      [1, key],
      [2, value],
    ]),
  ]);
}

/** Reads a `map<string, string>` entry message. */
export function readMapEntry(bytes: Uint8Array): [string, string] {
  let key = '';
  let value = '';
  for (const f of readFields(bytes)) {
    if (f.field === 1) key = asString(f);
    else if (f.field === 2) value = asString(f);
  }
  return [key, value];
}
