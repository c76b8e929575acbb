// What every method a session serves shares: answering a gRPC stream (a reply, or a failure's
// status), reading its request messages, and the Control.Session call as the connection the
// session's HTTP/2 runs over.
import type { ServerHttp2Stream } from 'node:http2';
import { Duplex } from 'node:stream';
import { decodeBytesMessage, encodeBytesMessage } from '../buildkit/control.js';
import { DockerError } from '../errors.js';
import { drained, type GrpcCall } from '../grpc/client.js';
import { GrpcStatus, frameMessage } from '../grpc/framing.js';

/** A gRPC failure to answer with: a status code and a message (never a secret). */
export class GrpcFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Starts a streaming answer: the status (OK) goes in the trailers, once the stream is ended. */
export function respond(stream: ServerHttp2Stream): void {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(GrpcStatus.OK) }));
}

/** One reply, then OK. */
export function answer(stream: ServerHttp2Stream, reply: Uint8Array): void {
  if (stream.destroyed || stream.headersSent) return;
  respond(stream);
  stream.end(frameMessage(reply));
}

/** Ends a stream with the failure's status: trailers-only if nothing was answered yet (messages name ids and paths, never a secret). */
export function fail(stream: ServerHttp2Stream, error: unknown): void {
  if (stream.destroyed) return;
  const status = error instanceof GrpcFailure ? error.status : GrpcStatus.UNKNOWN;
  const message =
    error instanceof GrpcFailure || error instanceof DockerError ? error.message : 'the session failed to answer';
  const trailers = { 'grpc-status': String(status), 'grpc-message': encodeURIComponent(message) };
  if (!stream.headersSent) {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...trailers }, { endStream: true });
    return;
  }
  // (answering already: the OK trailers waited for are replaced by these)
  stream.removeAllListeners('wantTrailers');
  stream.once('wantTrailers', () => stream.sendTrailers(trailers));
  if (!stream.writableEnded) stream.end();
}

/** Writes one message, waiting while the stream's buffer is full. */
export async function send(stream: ServerHttp2Stream, message: Uint8Array): Promise<void> {
  if (stream.destroyed) throw new GrpcFailure(GrpcStatus.CANCELLED, 'the stream was closed');
  if (!stream.write(frameMessage(message))) await drained(stream);
}

/**
 * A Control.Session call as a connection: each chunk written goes out as a BytesMessage, each
 * BytesMessage read comes in as a chunk. Closing it ends the call, which ends the session.
 */
export function callAsSocket(call: GrpcCall): Duplex {
  let reading = false;
  const socket = new Duplex({
    read() {
      if (reading) return;
      reading = true;
      void (async () => {
        try {
          for await (const message of call) socket.push(decodeBytesMessage(message));
          socket.push(null);
        } catch (error) {
          socket.destroy(error as Error);
        }
      })();
    },
    write(chunk: Buffer, _encoding, done) {
      call.write(encodeBytesMessage(chunk)).then(() => done(), done);
    },
    final(done) {
      call.end().then(() => done(), done);
    },
    destroy(error, done) {
      call.cancel();
      done(error);
    },
  });
  return socket;
}
