// The seam between the API layer and the wire. images/* and the client see only this interface,
// so any byte-stream (unix socket, TCP, TLS, an ssh child's stdio) can carry HTTP/1.1 for them.
import type { Duplex } from 'node:stream';

/** RequestBody: a request body, sent with Content-Length (bytes, a string) or chunked (an async iterable). */
export type RequestBody = Uint8Array | string | AsyncIterable<Uint8Array>;

/** TransportRequest: one HTTP/1.1 request as a Transport takes it. */
export interface TransportRequest {
  method: string;
  /** Encoded origin-form target: path plus optional `?query`. */
  path: string;
  headers?: Record<string, string>;
  /** A Uint8Array or string is sent with Content-Length; an async iterable is sent chunked. */
  body?: RequestBody;
  /**
   * An async iterable body's length in bytes, when known (a file's size): it is then sent with
   * Content-Length, without chunked framing, as curl sends a file. A body that turns out longer
   * or shorter fails the request (InvalidArgument) and the connection is closed; a length that
   * is not a whole number, or not a byte body's own, is InvalidArgument before anything is sent.
   */
  bodyLength?: number;
  signal?: AbortSignal | undefined;
  /** Milliseconds without progress (a byte sent or received) before the response head, then TimeoutError; 0 = none. */
  timeout?: number;
  /** The same for the response body, once the head has arrived; defaults to `timeout`. */
  bodyTimeout?: number;
  /**
   * Milliseconds from the request's last byte sent to the response head's last byte received,
   * however slowly it trickles (undici's headersTimeout), then TimeoutError (kind `headers`);
   * 0 or unset = none.
   */
  headersTimeout?: number;
  /**
   * The response body's chunks are only borrowed: each is valid until the next is asked for
   * (or the iteration stops), then its memory may be read into again. A consumer that writes
   * each chunk out before asking for the next lets the transport read into a few reused buffers
   * instead of fresh memory per read. A transport is free to ignore it (owned chunks are valid
   * for as long as borrowed ones).
   */
  borrowBody?: boolean;
}

/** ResponseBody: a response body, streamed (an async iterable of chunks) or read whole. */
export interface ResponseBody extends AsyncIterable<Uint8Array> {
  bytes(): Promise<Uint8Array>;
  text(): Promise<string>;
  json<T = unknown>(): Promise<T>;
  /** Reads and discards the rest of the body, so the connection can be reused. */
  dump(): Promise<void>;
  /** Stops reading: the connection is closed, not reused. */
  cancel(): void;
}

/** TransportResponse: a response's status, header fields (lower-case names) and body. */
export interface TransportResponse {
  statusCode: number;
  statusMessage: string;
  headers: Record<string, string>;
  body: ResponseBody;
}

/** UpgradeRequest: a request to switch protocols, with no body; a field given several values is sent once per value. */
export interface UpgradeRequest extends Omit<
  TransportRequest,
  'headers' | 'body' | 'bodyLength' | 'borrowBody' | 'bodyTimeout' | 'headersTimeout'
> {
  headers?: Record<string, string | readonly string[]>;
}

/** UpgradeResult: what an upgrade request got, on 101 the connection (now the other protocol's), else the answer. */
export interface UpgradeResult {
  statusCode: number;
  statusMessage: string;
  headers: Record<string, string>;
  /** The connection, after a 101 Switching Protocols: the caller owns it from now on. */
  socket: Duplex | undefined;
  /** Any other answer's body (bounded), for its error message. */
  body: Uint8Array;
}

/** Transport: how requests reach the engine (SocketTransport, or one of your own): images/* and the client see only this. */
export interface Transport {
  request(request: TransportRequest): Promise<TransportResponse>;
  /**
   * Sends `request` (no body) on a connection of its own, expecting 101 Switching Protocols:
   * the connection is then handed over for another protocol (HTTP/2, for a BuildKit session).
   * Optional: a transport without it cannot carry sessions.
   */
  upgrade?(request: UpgradeRequest): Promise<UpgradeResult>;
  /**
   * True when every chunk of a streamed request body has been written out (no longer referenced)
   * before the next one is asked for, so that its producer may reuse the chunk's memory for the
   * next: the build context's file reader then reads every file through one buffer. Leave it
   * unset for a transport that queues chunks.
   */
  readonly releasesChunks?: boolean;
  /** Closes idle connections and refuses new requests. */
  close(): Promise<void>;
}
