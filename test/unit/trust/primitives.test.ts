// DSSE PAE, RFC 8785 canonical JSON, RFC 6962 Merkle inclusion proofs and signed-note checkpoints.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkCheckpoint, parseCheckpoint } from '../../../src/trust/checkpoint.js';
import { pae } from '../../../src/trust/dsse.js';
import { canonicalJson } from '../../../src/trust/json.js';
import { keyId } from '../../../src/trust/keys.js';
import { checkInclusion, leafHash } from '../../../src/trust/merkle.js';
import { refused } from './refused.js';

describe('DSSE PAE', () => {
  it('is the spec example', () => {
    expect(
      new TextDecoder().decode(pae('http://example.com/HelloWorld', new TextEncoder().encode('hello world'))),
    ).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });
  it('counts bytes, not characters', () => {
    expect(new TextDecoder().decode(pae('tÿpe', new TextEncoder().encode('é')))).toBe('DSSEv1 5 tÿpe 2 é');
  });
});

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units (the RFC example)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew',
      '1': 'One',
      '\ud83d\ude00': 'Emoji',
      '\u0080': 'Control',
      '\u00f6': 'o',
    };
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"o","€":"Euro Sign","\ud83d\ude00":"Emoji","\ufb33":"Hebrew"}',
    );
  });
  it('writes numbers in the ECMAScript form', () => {
    expect(canonicalJson([333333333.33333329, 1e30, 4.5, 0.002, 1e-27, -0, 1689177396])).toBe(
      '[333333333.3333333,1e+30,4.5,0.002,1e-27,0,1689177396]',
    );
  });
  it('nests without whitespace, and refuses what is not JSON', () => {
    expect(canonicalJson({ b: [true, null, { d: 'x', c: 1 }], a: 'y' })).toBe(
      '{"a":"y","b":[true,null,{"c":1,"d":"x"}]}',
    );
    refused(() => canonicalJson(Number.NaN));
    refused(() => canonicalJson({ f: () => 1 }));
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    refused(() => canonicalJson(deep));
  });
});

// RFC 6962's MTH and PATH, written plainly here to make trees and proofs to check against
const H = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
function mth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 1) return leafHash(leaves[0]!);
  const k = split(leaves.length);
  return H(Uint8Array.of(1), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function path(m: number, leaves: Uint8Array[]): Uint8Array[] {
  if (leaves.length === 1) return [];
  const k = split(leaves.length);
  return m < k
    ? [...path(m, leaves.slice(0, k)), mth(leaves.slice(k))]
    : [...path(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

describe('Merkle inclusion proofs', () => {
  const leaves = Array.from({ length: 13 }, (_, i) => new TextEncoder().encode(`leaf ${i}`));
  it('verifies every leaf of every tree size up to 13', () => {
    for (let size = 1; size <= 13; size++) {
      const tree = leaves.slice(0, size);
      const root = mth(tree);
      for (let i = 0; i < size; i++) checkInclusion(BigInt(i), BigInt(size), tree[i]!, path(i, tree), root);
    }
  });
  it('refuses a wrong leaf, index, size, hash, or count of hashes', () => {
    const tree = leaves.slice(0, 11);
    const root = mth(tree);
    const proof = path(5, tree);
    refused(() => checkInclusion(5n, 11n, leaves[6]!, proof, root));
    refused(() => checkInclusion(4n, 11n, tree[5]!, proof, root));
    // (a size is bound by the checkpoint; here one whose tree has another shape for the last leaf)
    refused(() => checkInclusion(10n, 12n, tree[10]!, path(10, tree), root));
    refused(() => checkInclusion(11n, 11n, tree[5]!, proof, root));
    refused(() => checkInclusion(-1n, 11n, tree[5]!, proof, root));
    refused(() => checkInclusion(5n, 11n, tree[5]!, [...proof, proof[0]!], root));
    refused(() => checkInclusion(5n, 11n, tree[5]!, proof.slice(1), root));
    refused(() => checkInclusion(5n, 11n, tree[5]!, [proof[0]!.subarray(1), ...proof.slice(1)], root));
    const flipped = proof.map((h) => h.slice());
    flipped[1]![0]! ^= 1;
    refused(() => checkInclusion(5n, 11n, tree[5]!, flipped, root));
  });
});

describe('signed-note checkpoints', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const log = { baseUrl: 'https://log.example', logId: keyId(publicKey), publicKey };
  const root = Buffer.alloc(32, 9).toString('base64');
  const note = `log.example - 42\n17\n${root}\n`;
  const signed = (text: string, hint = log.logId.subarray(0, 4), name = 'log.example') =>
    `${text}\n\u2014 ${name} ${Buffer.concat([hint, sign(null, Buffer.from(text), privateKey)]).toString('base64')}\n`;

  it('reads and verifies a checkpoint the log signed', () => {
    const cp = parseCheckpoint(signed(note));
    expect(cp).toMatchObject({ origin: 'log.example - 42', size: 17n });
    checkCheckpoint(cp, log);
  });
  it("accepts other signatures beside the log's, in any order", () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    const cosig = `\u2014 witness.example ${Buffer.concat([Buffer.alloc(4, 1), sign(null, Buffer.from(note), other)]).toString('base64')}\n`;
    checkCheckpoint(parseCheckpoint(signed(note).replace('\n\n', `\n\n${cosig}`)), log);
  });
  it('refuses a wrong key hint, another name, an edited note, and another key', () => {
    refused(() => checkCheckpoint(parseCheckpoint(signed(note, Buffer.alloc(4))), log));
    refused(() => checkCheckpoint(parseCheckpoint(signed(note, undefined, 'other.example')), log));
    refused(() => checkCheckpoint(parseCheckpoint(signed(note).replace('\n17\n', '\n18\n')), log));
    const other = generateKeyPairSync('ed25519').publicKey;
    refused(() => checkCheckpoint(parseCheckpoint(signed(note)), { ...log, publicKey: other }));
  });
  it.each([
    ['no blank line', `log.example\n17\n${root}\n\u2014 log.example AAAAAAAA\n`],
    ['no signatures', `${note}\n`],
    ['too few lines', `log.example\n17\n\n\u2014 log.example AAAAAAAA\n`],
    ['a size that is not a number', `log.example\n-1\n${root}\n\n\u2014 log.example AAAAAAAA\n`],
    ['a short root hash', `log.example\n17\nAAAA\n\n\u2014 log.example AAAAAAAA\n`],
    ['a short signature', `${note}\n\u2014 log.example AAAA\n`],
    ['a malformed signature line', `${note}\n- log.example AAAAAAAA\n`],
    ['a huge note', `${'x'.repeat(70000)}\n\n`],
  ])('refuses %s', (_name, text) => {
    refused(() => parseCheckpoint(text));
  });
});
