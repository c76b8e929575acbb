// Regroups a byte stream into chunks of exactly `size` bytes (the last may be shorter). One buffer
// of `size` is filled at a time, so memory stays flat however long the stream is.
export async function* rechunk(source: AsyncIterable<Uint8Array>, size: number): AsyncIterable<Uint8Array> {
  let buffer = new Uint8Array(size);
  let filled = 0;
  for await (const chunk of source) {
    let pos = 0;
    while (pos < chunk.length) {
      if (filled === 0 && chunk.length - pos >= size) {
        // a whole chunk's worth in the input: hand out a view, no copy
        yield chunk.subarray(pos, pos + size);
        pos += size;
        continue;
      }
      const take = Math.min(size - filled, chunk.length - pos);
      buffer.set(chunk.subarray(pos, pos + take), filled);
      filled += take;
      pos += take;
      if (filled === size) {
        yield buffer;
        buffer = new Uint8Array(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}
