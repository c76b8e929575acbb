// gRPC message framing and the protobuf writer: every split of the bytes gives the same messages,
// what we write reads back as written.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asBytes, asNumber, asString, encodeFields, readFields } from '../../../src/buildkit/protobuf.js';
import { ProtocolError } from '../../../src/errors.js';
import { MAX_MESSAGE, MessageReader, frameMessage } from '../../../src/grpc/framing.js';

describe('gRPC framing', () => {
  it('reads the same messages back whatever the splits', () => {
    const messages = [new Uint8Array(0), Uint8Array.from([1, 2, 3]), new Uint8Array(300).fill(7)];
    const wire = Buffer.concat(messages.map(frameMessage));
    for (let a = 0; a <= wire.length; a++) {
      const reader = new MessageReader();
      const got = [...reader.push(wire.subarray(0, a)), ...reader.push(wire.subarray(a))];
      expect(got.map((m) => Buffer.from(m).toString('hex'))).toEqual(
        messages.map((m) => Buffer.from(m).toString('hex')),
      );
      expect(reader.pending).toBe(false);
    }
  }, 60000);

  it('refuses a compressed message and one over the size limit', () => {
    expect(() => new MessageReader().push(Uint8Array.from([1, 0, 0, 0, 0]))).toThrow(ProtocolError);
    const huge = new Uint8Array(5);
    new DataView(huge.buffer).setUint32(1, MAX_MESSAGE + 1);
    expect(() => new MessageReader().push(huge)).toThrow(/at most/);
  });
});

describe('protobuf writer', () => {
  it('writes what the reader reads: strings, bytes, whole numbers, in order; undefined left out', () => {
    fc.assert(
      fc.property(fc.string(), fc.uint8Array({ maxLength: 200 }), fc.maxSafeNat(), (text, bytes, n) => {
        const fields = readFields(
          encodeFields([
            [1, text],
            [2, undefined],
            [3, bytes],
            [536_870_911, n],
          ]),
        );
        expect(fields.map((f) => f.field)).toEqual([1, 3, 536_870_911]);
        expect(asString(fields[0]!)).toBe(text);
        expect(Buffer.from(asBytes(fields[1]!)).equals(Buffer.from(bytes))).toBe(true);
        expect(asNumber(fields[2]!)).toBe(n);
      }),
      { numRuns: 1000 },
    );
  }, 60000);

  it('refuses a number a varint cannot hold exactly', () => {
    expect(() => encodeFields([[1, -1]])).toThrow(RangeError);
    expect(() => encodeFields([[1, 1.5]])).toThrow(RangeError);
  });
});
