// gRPC's message framing over HTTP/2 (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md):
// each message is a 1-byte compressed flag, a 4-byte big-endian length, then the message. We
// never compress, and refuse a compressed message (we announce no grpc-encoding). Pure.
import { ProtocolError } from '../errors.js';

/** gRPC status codes used here (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

/** The name of a gRPC status code (`NOT_FOUND`), or the number itself when it is not one. */
export function statusName(status: number): string {
  for (const [name, value] of Object.entries(GrpcStatus)) if (value === status) return name;
  return String(status);
}

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
  // chunks held until a message is complete: each byte is copied once, into its message
  #chunks: Uint8Array[] = [];
  #size = 0;
  /** The length of the message whose prefix has been read, or -1 while waiting for a prefix. */
  #length = -1;

  /** The messages completed by `chunk`. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#size += chunk.length;
    }
    const messages: Uint8Array[] = [];
    for (;;) {
      if (this.#length < 0) {
        if (this.#size < 5) break;
        const prefix = this.#take(5);
        if (prefix[0] !== 0) throw new ProtocolError('a compressed gRPC message (no compression was agreed)');
        const length = new DataView(prefix.buffer, prefix.byteOffset, 5).getUint32(1);
        if (length > MAX_MESSAGE) throw new ProtocolError(`a gRPC message of ${length} bytes (at most ${MAX_MESSAGE})`);
        this.#length = length;
      }
      if (this.#size < this.#length) break;
      messages.push(this.#take(this.#length));
      this.#length = -1;
    }
    return messages;
  }

  /** The next `n` held bytes, as one array. */
  #take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const head = this.#chunks[0]!;
      const used = Math.min(head.length, n - at);
      out.set(head.subarray(0, used), at);
      at += used;
      if (used === head.length) this.#chunks.shift();
      else this.#chunks[0] = head.subarray(used);
    }
    this.#size -= n;
    return out;
  }

  /** True when bytes of an unfinished message are held. */
  get pending(): boolean {
    return this.#size > 0 || this.#length >= 0;
  }
}
