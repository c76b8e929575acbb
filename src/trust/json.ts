// RFC 8785 (JSON Canonicalization Scheme) for the JSON values verification signs over:
// object keys sorted by UTF-16 code units, no whitespace, ECMAScript number and string forms.
import { refuse } from './refuse.js';

/** canonicalJson: the RFC 8785 text of a JSON value; non-JSON values (NaN, functions, cycles) refused. */
export function canonicalJson(value: unknown, depth = 0): string {
  if (depth > 64) refuse('canonical JSON: nested too deeply');
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) refuse('canonical JSON: a number is not finite');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, depth + 1)).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const record = value as Record<string, unknown>;
    return `{${keys
      .filter((k) => record[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k], depth + 1)}`)
      .join(',')}}`;
  }
  return refuse(`canonical JSON: a ${typeof value} is not JSON`);
}

/** parseJson: the JSON value of a string or bytes, or the value itself; malformed JSON refused. */
export function parseJson(input: unknown, what: string): unknown {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) return input;
  try {
    return JSON.parse(typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input));
  } catch {
    return refuse(`${what} is not valid JSON`);
  }
}
