// The DER reader: what it reads, and every hostile encoding refused as VerificationError.
import { describe, expect, it } from 'vitest';
import { children, integer, oid, parseDer, readDer, sequence, text, time } from '../../../src/trust/der.js';
import { refused } from './refused.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('DER', () => {
  it('reads nested sequences, integers, OIDs, strings and times', () => {
    // SEQUENCE { INTEGER -129, OID 1.2.840.10045.4.3.2, UTF8String "hé", UTCTime 240319172626Z, GeneralizedTime 20500101000000.5Z }
    const oidBytes = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
    const utc = [...'240319172626Z'].map((c) => c.charCodeAt(0));
    const gen = [...'20500101000000.5Z'].map((c) => c.charCodeAt(0));
    const inner = [
      0x02,
      0x02,
      0xff,
      0x7f,
      0x06,
      oidBytes.length,
      ...oidBytes,
      0x0c,
      0x03,
      0x68,
      0xc3,
      0xa9,
      0x17,
      utc.length,
      ...utc,
      0x18,
      gen.length,
      ...gen,
    ];
    const [n, o, s, t, g] = sequence(parseDer(bytes(0x30, inner.length, ...inner)), 'test', 5);
    expect(integer(n)).toBe(-129n);
    expect(oid(o)).toBe('1.2.840.10045.4.3.2');
    expect(text(s)).toBe('hé');
    expect(time(t).toISOString()).toBe('2024-03-19T17:26:26.000Z');
    expect(time(g).toISOString()).toBe('2050-01-01T00:00:00.500Z');
  });

  it('reads long-form lengths', () => {
    const content = new Uint8Array(300).fill(7);
    const node = parseDer(bytes(0x04, 0x82, 0x01, 0x2c, ...content));
    expect(node.end - node.contentStart).toBe(300);
  });

  it.each([
    ['an empty input', bytes(), /truncated header/],
    ['a lone tag', bytes(0x30), /truncated header/],
    ['a length past the end', bytes(0x30, 0x05, 0x02, 0x01, 0x00), /runs past/],
    ['a huge length', bytes(0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00), /runs past/],
    ['a length of more than four octets', bytes(0x30, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00), /too large/],
    ['a truncated long length', bytes(0x30, 0x82, 0x01), /truncated length/],
    ['an indefinite length', bytes(0x30, 0x80, 0x00, 0x00), /indefinite/],
    ['a non-minimal length', bytes(0x04, 0x81, 0x01, 0x00), /minimally/],
    ['a high tag number', bytes(0x1f, 0x81, 0x01, 0x00), /high tag/],
    ['trailing bytes', bytes(0x05, 0x00, 0x00), /after the outer/],
  ])('refuses %s', (_name, input, reason) => {
    expect(refused(() => parseDer(input)).message).toMatch(reason);
  });

  it('refuses children that run past their parent, and primitives read as constructed', () => {
    // SEQUENCE of length 3 holding an OCTET STRING that claims 5 bytes
    refused(() => children(parseDer(bytes(0x30, 0x03, 0x04, 0x05, 0x00))));
    refused(() => children(parseDer(bytes(0x04, 0x01, 0x00))));
    // a child's length inside the parent's bound, but the parent is shorter than the buffer
    const node = readDer(bytes(0x30, 0x02, 0x04, 0x01, 0x00), 0);
    refused(() => children(node));
  });

  it('refuses wrong tags, bad OIDs, bad times and bad strings', () => {
    refused(() => oid(parseDer(bytes(0x02, 0x01, 0x00))));
    refused(() => oid(parseDer(bytes(0x06, 0x00))));
    refused(() => oid(parseDer(bytes(0x06, 0x02, 0x2a, 0x86)))); // truncated arc
    refused(() => oid(parseDer(bytes(0x06, 0x0c, 0x2a, ...new Array(11).fill(0xff))))); // arc overflow, truncated
    refused(() => integer(parseDer(bytes(0x02, 0x00))));
    refused(() => time(parseDer(bytes(0x17, 0x03, 0x31, 0x32, 0x33))));
    refused(() => time(parseDer(bytes(0x18, 0x0f, ...[...'20241340000000Z'].map((c) => c.charCodeAt(0))))));
    refused(() => text(parseDer(bytes(0x0c, 0x02, 0xc3, 0x28))));
    refused(() => sequence(parseDer(bytes(0x30, 0x00)), 'x', 1));
  });
});
