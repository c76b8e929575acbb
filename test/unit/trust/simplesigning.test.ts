// cosign's simple signing payload: written byte for byte as cosign 3.1.1 writes it, and read back
// with every hostile variant refused as VerificationError, never a crash.
import { describe, expect, it } from 'vitest';
import { VerificationError } from '../../../src/index.js';
import { parseSimpleSigning, simpleSigningPayload } from '../../../src/trust/simplesigning.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('simpleSigningPayload', () => {
  it('writes what cosign 3.1.1 writes (seen: cosign sign --new-bundle-format=false -a foo=bar)', () => {
    expect(new TextDecoder().decode(simpleSigningPayload('127.0.0.1:46557/x/img', DIGEST, { foo: 'bar' }))).toBe(
      `{"critical":{"identity":{"docker-reference":"127.0.0.1:46557/x/img"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"cosign container image signature"},"optional":{"foo":"bar"}}`,
    );
    expect(new TextDecoder().decode(simpleSigningPayload('r/x', DIGEST))).toMatch(/"optional":null}$/);
  });

  it('reads back what it writes', () => {
    expect(parseSimpleSigning(simpleSigningPayload('r/x', DIGEST, { a: 'b' }))).toEqual({
      dockerReference: 'r/x',
      digest: DIGEST,
      annotations: { a: 'b' },
    });
  });
});

describe('parseSimpleSigning refuses', () => {
  const payload = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
  const good = {
    critical: {
      identity: { 'docker-reference': 'r/x' },
      image: { 'docker-manifest-digest': DIGEST },
      type: 'cosign container image signature',
    },
    optional: null,
  };
  const cases: Array<[string, Uint8Array]> = [
    ['empty bytes', new Uint8Array()],
    ['not JSON', new TextEncoder().encode('{"critical":')],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0x7d])],
    ['null', payload(null)],
    ['an array', payload([good])],
    ['no critical', payload({ optional: null })],
    ['critical an array', payload({ critical: [] })],
    ['a wrong type', payload({ ...good, critical: { ...good.critical, type: 'atomic container signature' } })],
    ['no digest', payload({ ...good, critical: { ...good.critical, image: {} } })],
    [
      'a digest that is not one',
      payload({ ...good, critical: { ...good.critical, image: { 'docker-manifest-digest': 'sha256:xyz' } } }),
    ],
    [
      'an uppercase digest',
      payload({ ...good, critical: { ...good.critical, image: { 'docker-manifest-digest': DIGEST.toUpperCase() } } }),
    ],
    [
      'a numeric docker-reference',
      payload({ ...good, critical: { ...good.critical, identity: { 'docker-reference': 7 } } }),
    ],
    ['optional a string', payload({ ...good, optional: 'x' })],
    ['a huge payload', new Uint8Array(2 * 1024 * 1024).fill(0x20)],
  ];
  it.each(cases)('%s', (_, bytes) => {
    expect(() => parseSimpleSigning(bytes)).toThrow(VerificationError);
  });

  it('does not let a __proto__ key stand in for a field', () => {
    const text = `{"critical":{"__proto__":{"type":"cosign container image signature"},"image":{"docker-manifest-digest":"${DIGEST}"}}}`;
    expect(() => parseSimpleSigning(new TextEncoder().encode(text))).toThrow(VerificationError);
  });
});
