// The canonical JSON that TUF signs: OLPC's canonical JSON as securesystemslib encodes it
// (`encode_canonical`), which python-tuf, go-tuf and tuf-js all sign over. Not RFC 8785 (JCS):
// strings escape only `\` and `"` (every other character goes out as its UTF-8 bytes), object
// keys sort by code point, numbers are integers only, and nothing separates tokens.
import { VerificationError } from '../errors.js';

/** encodeOlpcCanonicalJson: `value`'s OLPC canonical JSON, as UTF-8 bytes. */
export function encodeOlpcCanonicalJson(value: unknown): Uint8Array {
  const parts: string[] = [];
  write(value, parts, 0);
  return new TextEncoder().encode(parts.join(''));
}

const MAX_DEPTH = 64;

function write(value: unknown, out: string[], depth: number): void {
  if (depth > MAX_DEPTH) throw notCanonical('nested too deeply');
  if (value === null) out.push('null');
  else if (value === true) out.push('true');
  else if (value === false) out.push('false');
  else if (typeof value === 'string') out.push(quote(value));
  else if (typeof value === 'number') {
    // securesystemslib refuses floats; JSON.parse has already turned 1.0 into 1, so only
    // fractions and integers beyond 2^53 (which lost their digits) are left to refuse here
    if (!Number.isSafeInteger(value)) throw notCanonical(`the number ${value} is not an integer it can encode`);
    out.push(String(value));
  } else if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, i) => {
      if (i > 0) out.push(',');
      write(item, out, depth + 1);
    });
    out.push(']');
  } else if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    out.push('{');
    Object.keys(record)
      .sort(byCodePoint)
      .forEach((key, i) => {
        if (i > 0) out.push(',');
        out.push(quote(key), ':');
        write(record[key], out, depth + 1);
      });
    out.push('}');
  } else throw notCanonical(`a ${typeof value} has no JSON form`);
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Python's str ordering (code points), which differs from UTF-16 order for astral characters. */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function notCanonical(why: string): VerificationError {
  return new VerificationError(`TUF metadata has no canonical JSON form: ${why}`);
}
