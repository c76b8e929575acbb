/**
 * A copy of `bytes` in memory of its own (for bytes whose memory is read into again). Not
 * Buffer#slice, which is a view; small copies come from Node's buffer pool.
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return Buffer.from(bytes);
}

// One contiguous copy of several byte chunks.
export function concatBytes(
  parts: readonly Uint8Array[],
  length = parts.reduce((n, p) => n + p.length, 0),
): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
