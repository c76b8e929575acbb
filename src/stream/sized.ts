// sized: passes chunks on while checking that they come to exactly the length announced ahead of
// them (a Content-Length, a tar header's size), so a source that changed under us fails instead
// of sending a body or an archive of the wrong length.

/**
 * The chunks of `source`, which must come to `size` bytes. `mismatch(read)` makes the error:
 * thrown before a chunk that goes past `size` is passed on, or at the end when `read < size`.
 */
export async function* sized(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  size: number,
  mismatch: (read: number) => Error,
): AsyncIterable<Uint8Array> {
  let read = 0;
  for await (const chunk of source) {
    read += chunk.length;
    if (read > size) throw mismatch(read);
    yield chunk;
  }
  if (read !== size) throw mismatch(read);
}
