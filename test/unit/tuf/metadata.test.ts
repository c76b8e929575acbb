// TUF metadata parsed and checked before anything is trusted: keys (PEM and hex ECDSA P-256,
// ed25519), signatures by a threshold of distinct keys, and hostile shapes refused by role.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VerificationError } from '../../../src/errors.js';
import { encodeOlpcCanonicalJson } from '../../../src/tuf/canonical-json.js';
import { publicKey, verifySignature, type TufKey } from '../../../src/tuf/keys.js';
import { parseMetadata } from '../../../src/tuf/metadata.js';
import { checkFile, checkThreshold, TrustedSet } from '../../../src/tuf/trusted-set.js';

interface Signer {
  id: string;
  key: TufKey;
  private: KeyObject;
  kind: 'ecdsa' | 'ed25519';
}

function signer(kind: 'ecdsa' | 'ed25519', id: string, hex = false): Signer {
  const pair = kind === 'ecdsa' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  const spki = pair.publicKey.export({ format: 'der', type: 'spki' });
  const value =
    kind === 'ed25519'
      ? spki.subarray(-32).toString('hex')
      : hex
        ? spki.subarray(-65).toString('hex')
        : (pair.publicKey.export({ format: 'pem', type: 'spki' }) as string);
  const key: TufKey = {
    keytype: kind === 'ed25519' ? 'ed25519' : 'ecdsa',
    scheme: kind === 'ed25519' ? 'ed25519' : 'ecdsa-sha2-nistp256',
    keyval: { public: value },
  };
  return { id, key, private: pair.privateKey, kind };
}

function signed(body: Record<string, unknown>, by: Signer[]): Uint8Array {
  const bytes = encodeOlpcCanonicalJson(body);
  const signatures = by.map((s) => ({
    keyid: s.id,
    sig: sign(s.kind === 'ecdsa' ? 'sha256' : null, bytes, s.private).toString('hex'),
  }));
  return new TextEncoder().encode(JSON.stringify({ signatures, signed: body }, null, 1));
}

const FUTURE = '2999-01-01T00:00:00Z';
const NOW = Date.parse('2026-01-01T00:00:00Z');

function rootBody(
  version: number,
  keys: Signer[],
  rootKeys: Signer[],
  threshold: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const ids = (list: Signer[]): string[] => list.map((s) => s.id);
  return {
    _type: 'root',
    spec_version: '1.0.31',
    version,
    expires: FUTURE,
    consistent_snapshot: true,
    keys: Object.fromEntries(keys.map((s) => [s.id, s.key])),
    roles: {
      root: { keyids: ids(rootKeys), threshold },
      timestamp: { keyids: ids(keys.slice(-1)), threshold: 1 },
      snapshot: { keyids: ids(keys.slice(-1)), threshold: 1 },
      targets: { keyids: ids(keys.slice(-1)), threshold: 1 },
    },
    ...extra,
  };
}

describe('keys', () => {
  it.each([
    ['ECDSA P-256, PEM', signer('ecdsa', 'a')],
    ['ECDSA P-256, hex point', signer('ecdsa', 'a', true)],
    ['ed25519', signer('ed25519', 'a')],
  ])('%s verifies its signatures and no other', (_name, s) => {
    const key = publicKey(s.key)!;
    const data = new TextEncoder().encode('payload');
    const sig = sign(s.kind === 'ecdsa' ? 'sha256' : null, data, s.private).toString('hex');
    expect(verifySignature(key, data, sig)).toBe(true);
    expect(verifySignature(key, new TextEncoder().encode('payloaD'), sig)).toBe(false);
    expect(verifySignature(key, data, `${sig.slice(0, 10)}${sig[10] === '0' ? '1' : '0'}${sig.slice(11)}`)).toBe(false);
    expect(verifySignature(key, data, 'not hex')).toBe(false);
  });

  it.each([
    { keytype: 'rsa', scheme: 'rsassa-pss-sha256', keyval: { public: 'x' } },
    { keytype: 'ecdsa', scheme: 'ecdsa-sha2-nistp384', keyval: { public: signer('ecdsa', 'a').key.keyval.public } },
    { keytype: 'ecdsa', scheme: 'ecdsa-sha2-nistp256', keyval: { public: '04abcd' } },
    {
      keytype: 'ecdsa',
      scheme: 'ecdsa-sha2-nistp256',
      keyval: { public: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' },
    },
    { keytype: 'ecdsa', scheme: 'ecdsa-sha2-nistp256', keyval: { public: signer('ed25519', 'a').key.keyval.public } },
    { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: 'zz'.repeat(32) } },
  ])('a key it cannot use verifies nothing: %j', (key) => {
    expect(publicKey(key)).toBeUndefined();
  });
});

describe('signature thresholds', () => {
  const [a, b, c] = [signer('ecdsa', 'a'), signer('ecdsa', 'b'), signer('ed25519', 'c')];
  it('counts distinct keys of the role with valid signatures', () => {
    const body = rootBody(1, [a, b, c], [a, b, c], 2);
    expect(() => new TrustedSet(signed(body, [a, c]), NOW)).not.toThrow();
    const one = (() => {
      try {
        new TrustedSet(signed(body, [a]), NOW);
      } catch (error) {
        return error;
      }
    })();
    expect(one).toBeInstanceOf(VerificationError);
    expect((one as VerificationError).reasons[0]).toMatch(/^root: version 1 has 1 valid signature by .*threshold of 2/);
  });

  it('refuses two signatures by one key, and does not count a key outside the role or a signature over other bytes', () => {
    const body = rootBody(1, [a, b, c], [a, b], 2);
    const twice = JSON.parse(new TextDecoder().decode(signed(body, [a]))) as { signatures: unknown[] };
    twice.signatures.push(twice.signatures[0]);
    expect(() => parseMetadata('root', new TextEncoder().encode(JSON.stringify(twice)))).toThrow(
      /two signatures by the key a/,
    );
    expect(() => new TrustedSet(signed(body, [a, c]), NOW)).toThrow(/threshold of 2/);
    const other = JSON.parse(new TextDecoder().decode(signed(body, [a, b]))) as { signed: { version: number } };
    other.signed.version = 2;
    expect(() => new TrustedSet(new TextEncoder().encode(JSON.stringify(other)), NOW)).toThrow(/0 valid signatures/);
  });

  it('does not take an inherited name (__proto__) for a key', () => {
    const body = rootBody(1, [a], [a], 1);
    (body['roles'] as { root: { keyids: string[] } }).root.keyids = ['__proto__'];
    const bytes = new TextEncoder().encode(
      JSON.stringify({ signatures: [{ keyid: '__proto__', sig: '00' }], signed: body }),
    );
    expect(() => new TrustedSet(bytes, NOW)).toThrow(/0 valid signatures/);
  });

  it('checks a new root against the old root keys and its own, and its version', () => {
    const d = signer('ecdsa', 'd');
    const set = new TrustedSet(signed(rootBody(1, [a, b, c], [a, b], 2), [a, b]), NOW);
    const next = rootBody(2, [a, d, c], [a, d], 2);
    expect(() => set.updateRoot(signed(next, [a, d]))).toThrow(
      /^TUF root metadata refused: root: version 2 has 1 valid signature by version 1's root keys/,
    );
    expect(() => set.updateRoot(signed(next, [a, b]))).toThrow(/by its own root keys/);
    expect(() => set.updateRoot(signed(rootBody(3, [a, b, c], [a, b], 2), [a, b]))).toThrow(
      /expected version 2, got 3/,
    );
    set.updateRoot(signed(next, [a, b, d]));
    expect(set.root.signed.version).toBe(2);
    expect(() => checkThreshold(set.root.signed, 'timestamp', parseMetadata('root', signed(next, [a])))).toThrow(
      /^TUF timestamp metadata refused/,
    );
  });
});

describe('hostile metadata', () => {
  const a = signer('ecdsa', 'a');
  const good = rootBody(1, [a], [a], 1);
  it.each<[string, unknown]>([
    ['not JSON', '{'],
    ['an array', '[]'],
    ['no signatures', { signed: good }],
    ['a signature without sig', { signed: good, signatures: [{ keyid: 'a' }] }],
    ['another type', { signed: { ...good, _type: 'timestamp' }, signatures: [] }],
    ['spec version 2', { signed: { ...good, spec_version: '2.0.0' }, signatures: [] }],
    ['version 0', { signed: { ...good, version: 0 }, signatures: [] }],
    ['a fractional version', { signed: { ...good, version: 1.5 }, signatures: [] }],
    ['expires not a date', { signed: { ...good, expires: 'tomorrow' }, signatures: [] }],
    [
      'a fifth role',
      {
        signed: { ...good, roles: { ...(good['roles'] as object), mirrors: { keyids: [], threshold: 1 } } },
        signatures: [],
      },
    ],
    [
      'threshold 0',
      {
        signed: { ...good, roles: { ...(good['roles'] as object), root: { keyids: ['a'], threshold: 0 } } },
        signatures: [],
      },
    ],
    [
      'a key listed twice',
      {
        signed: { ...good, roles: { ...(good['roles'] as object), root: { keyids: ['a', 'a'], threshold: 1 } } },
        signatures: [],
      },
    ],
    ['a key without keyval', { signed: { ...good, keys: { a: { keytype: 'ecdsa', scheme: 'x' } } }, signatures: [] }],
    ['a float', { signed: { ...good, extra: 0.5 }, signatures: [] }],
  ])('root: %s', (_name, doc) => {
    const bytes = new TextEncoder().encode(typeof doc === 'string' ? doc : JSON.stringify(doc));
    const error = (() => {
      try {
        parseMetadata('root', bytes);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).reasons[0]).toMatch(/^root: /);
  });

  it.each([
    [
      'timestamp',
      {
        _type: 'timestamp',
        spec_version: '1.0',
        version: 1,
        expires: FUTURE,
        meta: { 'snapshot.json': { version: 0 } },
      },
      /snapshot\.json's version/,
    ],
    [
      'timestamp',
      {
        _type: 'timestamp',
        spec_version: '1.0',
        version: 1,
        expires: FUTURE,
        meta: { 'snapshot.json': { version: 1 }, 'targets.json': { version: 1 } },
      },
      /snapshot\.json alone/,
    ],
    [
      'snapshot',
      {
        _type: 'snapshot',
        spec_version: '1.0',
        version: 1,
        expires: FUTURE,
        meta: { 'targets.json': { version: 1, length: -1 } },
      },
      /length/,
    ],
    [
      'snapshot',
      {
        _type: 'snapshot',
        spec_version: '1.0',
        version: 1,
        expires: FUTURE,
        meta: { 'targets.json': { version: 1, hashes: {} } },
      },
      /hashes/,
    ],
    [
      'targets',
      { _type: 'targets', spec_version: '1.0', version: 1, expires: FUTURE, targets: { x: { length: 1 } } },
      /hashes/,
    ],
    [
      'targets',
      { _type: 'targets', spec_version: '1.0', version: 1, expires: FUTURE, targets: {}, delegations: { roles: [] } },
      /delegations has no keys/,
    ],
  ] as const)('%s: %j', (role, body, reason) => {
    expect(() => parseMetadata(role, signed(body, []))).toThrow(reason);
  });

  it('reads the expiry dates of Sigstore\u2019s first roots (fractions, offsets) and the specification\u2019s', () => {
    for (const [expires, at] of [
      ['2021-12-18T13:28:12.99008-06:00', Date.parse('2021-12-18T19:28:12.990Z')],
      ['2022-05-11T19:09:02.663975009Z', Date.parse('2022-05-11T19:09:02.663Z')],
      ['2030-01-01T00:00:00Z', Date.parse('2030-01-01T00:00:00Z')],
    ] as const) {
      expect(parseMetadata('root', signed({ ...good, expires }, [])).signed.expiresAt).toBe(at);
    }
  });
});

describe('checkFile', () => {
  const bytes = new TextEncoder().encode('{"a":1}');
  const sha256 = '015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862';
  it('passes the signed length and hashes, and names what differs', () => {
    expect(() => checkFile('target x', bytes, { length: 7, hashes: { sha256 } })).not.toThrow();
    expect(() => checkFile('target x', bytes, { length: 8, hashes: { sha256 } })).toThrow(
      /^TUF target x refused: target x: length 7 bytes, but 8/,
    );
    expect(() => checkFile('snapshot', bytes, { hashes: { sha256: sha256.replace('0', '1') } })).toThrow(
      /snapshot: sha256 hash/,
    );
    expect(() => checkFile('snapshot', bytes, { hashes: { md5: 'x' } })).toThrow(/unsupported hash algorithm "md5"/);
  });
});

describe('any input', () => {
  const a = signer('ecdsa', 'a');
  const good = rootBody(1, [a], [a], 1);
  const roles = ['root', 'timestamp', 'snapshot', 'targets'] as const;
  const onlyVerificationErrors = (run: () => unknown): void => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(VerificationError);
    }
  };

  it('is parsed or refused with VerificationError, never another error', () => {
    fc.assert(
      fc.property(fc.constantFrom(...roles), fc.jsonValue(), fc.jsonValue(), (role, signed, signatures) => {
        onlyVerificationErrors(() =>
          parseMetadata(role, new TextEncoder().encode(JSON.stringify({ signed, signatures }))),
        );
      }),
    );
  });

  it('a valid root with any one field replaced is trusted or refused with VerificationError', () => {
    const paths: string[][] = [
      ['version'],
      ['expires'],
      ['keys'],
      ['keys', 'a'],
      ['keys', 'a', 'keyval'],
      ['keys', 'a', 'keyval', 'public'],
      ['roles'],
      ['roles', 'root'],
      ['roles', 'root', 'keyids'],
      ['roles', 'root', 'threshold'],
      ['consistent_snapshot'],
      ['spec_version'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, value) => {
        const body = structuredClone(good);
        let at = body as Record<string, unknown>;
        for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
        at[path.at(-1)!] = value;
        onlyVerificationErrors(() => new TrustedSet(signed(body, [a]), NOW));
      }),
    );
  });
});
