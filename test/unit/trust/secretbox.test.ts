// NaCl's secretbox open, against the test vectors of NaCl's distribution (tests/secretbox.c,
// tests/core4.c's HSalsa20 and tests/onetimeauth.c, as "Cryptography in NaCl" gives them), and
// refusing every changed byte.
import { describe, expect, it } from 'vitest';
import { hsalsa20, poly1305, secretboxOpen, xsalsa20Stream } from '../../../src/trust/secretbox.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
// NaCl: firstkey (crypto_box_beforenm of Alice's and Bob's keys), nonce, message, and the box
const FIRSTKEY = hex('1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389');
const NONCE = hex('69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37');
const MESSAGE = hex(
  `be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffce5ecbaaf33bd751a1ac728d45e6c61296cdc3c01233561f41db66cce314adb310e3be8250c46f06dceea3a7fa1348057e2f6556ad6b1318a024a838f21af1fde048977eb48f59ffd4924ca1c60902e52f0a089bc76897040e082f937763848645e0705`,
);
const BOX = hex(
  `f3ffc7703f9400e52a7dfb4b3d3305d98e993b9f48681273c29650ba32fc76ce48332ea7164d96a4476fb8c531a1186ac0dfc17c98dce87b4da7f011ec48c97271d2c20f9b928fe2270d6fb863d51738b48eeee314a7cc8ab932164548e526ae90224368517acfeabd6bb3732bc0e9da99832b61ca01b6de56244a9e88d5f9b37973f622a43d14a6599b1f654cb45a74e355a5`,
);

describe('secretbox primitives (NaCl test vectors)', () => {
  it('HSalsa20 of the shared secret and zero nonce is firstkey (core1)', () => {
    const shared = hex('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
    expect(hsalsa20(shared, new Uint8Array(16))).toEqual(FIRSTKEY);
  });
  it('the XSalsa20 stream\u2019s first 32 bytes are the Poly1305 key of the box', () => {
    expect(xsalsa20Stream(FIRSTKEY, NONCE, 32)).toEqual(
      hex('eea6a7251c1e72916d11c2cb214d3c252539121d8e234e652d651fa4c8cff880'),
    );
  });
  it('Poly1305 gives onetimeauth.c\u2019s tag', () => {
    expect(poly1305(hex('eea6a7251c1e72916d11c2cb214d3c252539121d8e234e652d651fa4c8cff880'), BOX.subarray(16))).toEqual(
      BOX.subarray(0, 16),
    );
  });
  it('Poly1305 reduces a sum of 2^130 - 2 to 3 (poly1305-donna\u2019s wrap test)', () => {
    const key = new Uint8Array(32);
    key[0] = 2;
    const tag = new Uint8Array(16);
    tag[0] = 3;
    expect(poly1305(key, new Uint8Array(16).fill(0xff))).toEqual(tag);
  });
});

describe('secretboxOpen', () => {
  it('opens secretbox.c\u2019s box to its message', () => {
    expect(secretboxOpen(BOX, NONCE, FIRSTKEY)).toEqual(MESSAGE);
  });
  it('refuses the box with any byte changed, or another nonce or key', () => {
    for (let i = 0; i < BOX.length; i++) {
      const changed = BOX.slice();
      changed[i]! ^= 0x01;
      expect(secretboxOpen(changed, NONCE, FIRSTKEY), `byte ${i}`).toBeUndefined();
    }
    expect(
      secretboxOpen(
        BOX,
        NONCE.map((b, i) => (i === 23 ? b ^ 1 : b)),
        FIRSTKEY,
      ),
    ).toBeUndefined();
    expect(
      secretboxOpen(
        BOX,
        NONCE,
        FIRSTKEY.map((b, i) => (i === 0 ? b ^ 1 : b)),
      ),
    ).toBeUndefined();
    expect(secretboxOpen(BOX.subarray(0, 15), NONCE, FIRSTKEY)).toBeUndefined();
    expect(secretboxOpen(BOX, NONCE.subarray(0, 23), FIRSTKEY)).toBeUndefined();
  });
  it('opens an empty message (the tag alone)', () => {
    const tag = poly1305(xsalsa20Stream(FIRSTKEY, NONCE, 32), new Uint8Array());
    expect(secretboxOpen(tag, NONCE, FIRSTKEY)).toEqual(new Uint8Array());
  });
});
