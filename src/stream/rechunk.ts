// Regroups a byte stream into chunks of exactly `size` bytes (the last may be shorter). One buffer
// of `size` is filled at a time, so memory stays flat however long the stream is.
//
// The source's chunks may be borrowed (valid until the next is asked for): none is kept past
// that. With `borrowed`, so are the chunks handed out: a whole chunk's worth of input is handed
// out as a view, and the one buffer is filled again once the consumer asks for the next chunk.
// Without it, every chunk handed out is memory of its own.
export async function* rechunk(
  source: AsyncIterable<Uint8Array>,
  size: number,
  borrowed = false,
): AsyncIterable<Uint8Array> {
  let buffer = new Uint8Array(size);
  let filled = 0;
  for await (const chunk of source) {
    let pos = 0;
    while (pos < chunk.length) {
      if (borrowed && filled === 0 && chunk.length - pos >= size) {
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
        if (!borrowed) buffer = new Uint8Array(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}
