// OLPC canonical JSON as securesystemslib's encode_canonical writes it (what TUF signs).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VerificationError } from '../../../src/errors.js';
import { encodeOlpcCanonicalJson } from '../../../src/tuf/canonical-json.js';

const text = (value: unknown): string => new TextDecoder().decode(encodeOlpcCanonicalJson(value));

describe('encodeOlpcCanonicalJson', () => {
  it.each([
    [{ b: 1, a: [true, false, null, 'x'] }, '{"a":[true,false,null,"x"],"b":1}'],
    [{ é: 1, e: 2, E: 3, '': 4 }, '{"":4,"E":3,"e":2,"é":1}'],
    // only backslash and quote are escaped; control characters and non-ASCII go out as they are
    ['a"b\\c\nd\u0001é😀', '"a\\"b\\\\c\nd\u0001é😀"'],
    [[], '[]'],
    [{}, '{}'],
    [-17, '-17'],
    [{ nested: { z: [], y: {} } }, '{"nested":{"y":{},"z":[]}}'],
  ])('%j', (value, expected) => {
    expect(text(value)).toBe(expected);
  });

  it('sorts keys by code point, as Python sorts str (not by UTF-16 unit)', () => {
    // U+FF61 sorts before U+1F600 by code point, after it by UTF-16 unit (0xD83D)
    expect(text({ '\u{1F600}': 1, '\uFF61': 2 })).toBe('{"\uFF61":2,"\u{1F600}":1}');
  });

  it.each([[1.5], [2 ** 53], [NaN], [Infinity], [undefined], [() => 1], [1n]])('refuses %s', (value) => {
    expect(() => encodeOlpcCanonicalJson({ x: value })).toThrow(VerificationError);
  });

  it('refuses nesting deeper than it allows', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(() => encodeOlpcCanonicalJson(deep)).toThrow(/nested too deeply/);
  });

  it('gives back what JSON.parse reads, keys in order, for any JSON value without control characters', () => {
    const json = fc.jsonValue({ noUnicodeString: false });
    fc.assert(
      fc.property(json, (value) => {
        let out: string;
        try {
          out = text(value);
        } catch {
          return; // a number that is not a safe integer
        }
        if (/[\u0000-\u001f]/.test(out)) return; // raw, as securesystemslib writes them: not JSON.parse's
        expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(text(JSON.parse(out))).toBe(out);
      }),
    );
  });
});
