// The one way the trust unit says no: every refusal, hostile input included, is a
// VerificationError whose reason names what was refused.
import { DockerError, VerificationError } from '../errors.js';

/** refuse: throws VerificationError with `reason` as its message and only reason. */
export function refuse(reason: string): never {
  throw new VerificationError(reason);
}

/**
 * guarded: `run()`'s result; an error that is not dockwire's (a RangeError from a hostile input
 * the checks missed) becomes a VerificationError naming `what`.
 */
export function guarded<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof DockerError) throw error;
    throw new VerificationError(
      `${what} does not verify`,
      [`unexpected input: ${error instanceof Error ? error.message : String(error)}`],
      { cause: error },
    );
  }
}

/**
 * decodeBase64: the bytes of standard or URL-safe base64 (padding optional, line breaks ignored as
 * protobuf-JSON readers ignore them); anything else refused.
 */
export function decodeBase64(text: unknown, what: string): Uint8Array {
  if (typeof text !== 'string') refuse(`${what} is not a base64 string`);
  const plain = text
    .replace(/[\r\n]/g, '')
    .replace(/-/g, '+')
    .replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(plain) || plain.replace(/=+$/, '').length % 4 === 1)
    refuse(`${what} is not valid base64`);
  if (plain.includes('=') && plain.length % 4 !== 0) refuse(`${what} is not valid base64`);
  return new Uint8Array(Buffer.from(plain, 'base64'));
}

/** equalBytes: true when `a` and `b` hold the same bytes. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** hex: the lowercase hex of `bytes`. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}

/** field: `value[name]` when value is an object, else undefined (hostile JSON never throws). */
export function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

/** isObject: a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
