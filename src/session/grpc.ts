// gRPC's message framing over HTTP/2 (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md):
// each message is a 1-byte compressed flag, a 4-byte big-endian length, then the message. We
// never compress, and refuse a compressed message (we announce no grpc-encoding). Pure.
import { ProtocolError } from '../errors.js';

/** gRPC status codes used here (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const GrpcStatus = { OK: 0, CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, NOT_FOUND: 5, UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14 } as const;

/** Messages larger than this are refused (BuildKit's own default is 16 MiB). */
export const MAX_MESSAGE = 16 * 1024 * 1024;

/** One message with its 5-byte prefix. */
export function frameMessage(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + message.length);
  new DataView(out.buffer).setUint32(1, message.length);
  out.set(message, 5);
  return out;
}

/** Cuts a stream of HTTP/2 DATA bytes into gRPC messages, whatever the splits. */
export class MessageReader {
  #buffer = new Uint8Array(0);

  /** The messages completed by `chunk`. */
  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer);
    joined.set(chunk, this.#buffer.length);
    const messages: Uint8Array[] = [];
    let at = 0;
    while (joined.length - at >= 5) {
      if (joined[at] !== 0) throw new ProtocolError('a compressed gRPC message (no compression was agreed)');
      const length = new DataView(joined.buffer, joined.byteOffset + at + 1, 4).getUint32(0);
      if (length > MAX_MESSAGE) throw new ProtocolError(`a gRPC message of ${length} bytes (at most ${MAX_MESSAGE})`);
      if (joined.length - at - 5 < length) break;
      messages.push(joined.slice(at + 5, at + 5 + length));
      at += 5 + length;
    }
    this.#buffer = joined.slice(at);
    return messages;
  }

  /** True when bytes of an unfinished message are held. */
  get pending(): boolean {
    return this.#buffer.length > 0;
  }
}
