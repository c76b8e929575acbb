// NaCl's secretbox open (XSalsa20 and Poly1305), written from Bernstein's specifications
// ("Salsa20 specification", "Extending the Salsa20 nonce", "The Poly1305-AES message-
// authentication code", "Cryptography in NaCl") because node:crypto has neither XSalsa20 nor a
// bare Poly1305. It is here only to read cosign's encrypted `cosign.key`: opening, never sealing.
// Pure; checked against NaCl's own test vectors and keys cosign made.

const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]; // "expand 32-byte k"

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

/** The Salsa20 double rounds (10 of them: Salsa20/20) over `x`, in place. */
function rounds(x: Uint32Array): void {
  const quarter = (a: number, b: number, c: number, d: number): void => {
    x[b]! ^= rotl((x[a]! + x[d]!) | 0, 7);
    x[c]! ^= rotl((x[b]! + x[a]!) | 0, 9);
    x[d]! ^= rotl((x[c]! + x[b]!) | 0, 13);
    x[a]! ^= rotl((x[d]! + x[c]!) | 0, 18);
  };
  for (let i = 0; i < 10; i++) {
    (quarter(0, 4, 8, 12), quarter(5, 9, 13, 1), quarter(10, 14, 2, 6), quarter(15, 3, 7, 11)); // columns
    (quarter(0, 1, 2, 3), quarter(5, 6, 7, 4), quarter(10, 11, 8, 9), quarter(15, 12, 13, 14)); // rows
  }
}

const word = (b: Uint8Array, i: number): number =>
  (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;

/** The Salsa20 input block: constants on the diagonal, the key around them, then 16 bytes of nonce and counter. */
function block(key: Uint8Array, input16: Uint8Array): Uint32Array {
  const x = new Uint32Array(16);
  x[0] = SIGMA[0]!;
  x[5] = SIGMA[1]!;
  x[10] = SIGMA[2]!;
  x[15] = SIGMA[3]!;
  for (let i = 0; i < 4; i++) {
    x[1 + i] = word(key, 4 * i);
    x[11 + i] = word(key, 16 + 4 * i);
    x[6 + i] = word(input16, 4 * i);
  }
  return x;
}

/** HSalsa20: the XSalsa20 subkey of `key` for the first 16 bytes of a 24-byte nonce. */
export function hsalsa20(key: Uint8Array, nonce16: Uint8Array): Uint8Array {
  const x = block(key, nonce16);
  rounds(x);
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  [0, 5, 10, 15, 6, 7, 8, 9].forEach((w, i) => view.setUint32(4 * i, x[w]!, true));
  return out;
}

/** `length` bytes of the XSalsa20 key stream of `key` and a 24-byte `nonce`. */
export function xsalsa20Stream(key: Uint8Array, nonce: Uint8Array, length: number): Uint8Array {
  const subkey = hsalsa20(key, nonce.subarray(0, 16));
  const out = new Uint8Array(length);
  const input = new Uint8Array(16);
  input.set(nonce.subarray(16, 24));
  for (let counter = 0, at = 0; at < length; counter++, at += 64) {
    new DataView(input.buffer).setUint32(8, counter >>> 0, true);
    new DataView(input.buffer).setUint32(12, Math.floor(counter / 2 ** 32), true);
    const start = block(subkey, input);
    const x = start.slice();
    rounds(x);
    const bytes = new Uint8Array(64);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < 16; i++) view.setUint32(4 * i, (x[i]! + start[i]!) >>> 0, true);
    out.set(bytes.subarray(0, Math.min(64, length - at)), at);
  }
  return out;
}

const P1305 = (1n << 130n) - 5n;

const littleEndian = (bytes: Uint8Array): bigint => {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
};

/** Poly1305 of `message` under a one-time 32-byte `key` (r clamped, then s added mod 2^128). */
export function poly1305(key: Uint8Array, message: Uint8Array): Uint8Array {
  const r = littleEndian(key.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  const s = littleEndian(key.subarray(16, 32));
  let acc = 0n;
  for (let at = 0; at < message.length; at += 16) {
    const chunk = message.subarray(at, Math.min(at + 16, message.length));
    acc = ((acc + littleEndian(chunk) + (1n << BigInt(8 * chunk.length))) * r) % P1305;
  }
  let tag = (acc + s) & ((1n << 128n) - 1n);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++, tag >>= 8n) out[i] = Number(tag & 0xffn);
  return out;
}

/** secretboxOpen: the plaintext of NaCl's secretbox `box` (tag, then ciphertext), or undefined when its tag does not check. */
export function secretboxOpen(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | undefined {
  if (key.length !== 32 || nonce.length !== 24 || box.length < 16) return undefined;
  const stream = xsalsa20Stream(key, nonce, 32 + box.length - 16);
  const ciphertext = box.subarray(16);
  if (
    !process
      .getBuiltinModule('node:crypto')
      .timingSafeEqual(poly1305(stream.subarray(0, 32), ciphertext), box.subarray(0, 16))
  )
    return undefined;
  const plain = new Uint8Array(ciphertext.length);
  for (let i = 0; i < plain.length; i++) plain[i] = ciphertext[i]! ^ stream[32 + i]!;
  return plain;
}
