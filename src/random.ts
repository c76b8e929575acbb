// Random names (build session IDs, the injected Dockerfile's name) from the Web Crypto global,
// so that node:crypto is not loaded just to import the library.

/** `bytes` random bytes as lowercase hex. */
export function randomHex(bytes: number): string {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');
}
