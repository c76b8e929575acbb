// A gRPC client over node:http2 (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md):
// one HTTP/2 connection, opened on first use over a connection transport/ makes (h2c with prior
// knowledge on a unix socket or TCP, TLS with ALPN h2, or an engine's `POST /grpc` upgrade), and
// one stream per call. Unary, server-streaming and bidirectional calls; deadlines (grpc-timeout,
// and enforced here), cancellation, and the status in the trailers mapped to typed errors.
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import type { Duplex } from 'node:stream';
import {
  AbortError,
  ClientClosed,
  ConnectionError,
  GrpcError,
  ProtocolError,
  TimeoutError,
  type DockerError,
} from '../errors.js';
import { GrpcStatus, MessageReader, frameMessage, statusName } from './framing.js';

/** GrpcMetadata: request metadata: lower-case names; a name given several values is sent once per value. */
export type GrpcMetadata = Record<string, string | readonly string[]>;

/** GrpcCallOptions: the options of one gRPC call. */
export interface GrpcCallOptions {
  metadata?: GrpcMetadata;
  /** Milliseconds until the call's deadline (sent as grpc-timeout, and enforced here); 0 or none: no deadline. */
  timeout?: number;
  signal?: AbortSignal;
}

/** GrpcClientOptions: the options of `new GrpcClient(options)`. */
export interface GrpcClientOptions {
  /** Makes the connection HTTP/2 runs over (transport/ opens it). */
  connect: () => Promise<Duplex>;
  /** Where the peer is, for messages (`unix:///run/buildkit/buildkitd.sock`). */
  where: string;
  /** True when the connection is TLS (the requests' :scheme is then https). */
  secure?: boolean;
}

/** Messages queued from the peer before the stream is paused. */
const HIGH_WATER = 16;

/** GrpcClient: gRPC calls over node:http2 (unary, server-streaming, bidirectional), as BuildKit's client makes them. */
export class GrpcClient {
  readonly where: string;
  readonly #options: GrpcClientOptions;
  #connection: Promise<ClientHttp2Session> | undefined;
  #closed = false;

  constructor(options: GrpcClientOptions) {
    this.#options = options;
    this.where = options.where;
  }

  /** The HTTP/2 connection, opened (again, after it was lost) when first needed. */
  connection(): Promise<ClientHttp2Session> {
    if (this.#closed) return Promise.reject(new ClientClosed());
    if (!this.#connection) {
      const opening = this.#open();
      this.#connection = opening;
      opening.then(
        (connection) => connection.once('close', () => this.#connection === opening && (this.#connection = undefined)),
        () => this.#connection === opening && (this.#connection = undefined),
      );
    }
    return this.#connection;
  }

  async #open(): Promise<ClientHttp2Session> {
    const { connect } = await import('node:http2'); // loaded only when BuildKit is used
    const socket = await this.#options.connect();
    return new Promise<ClientHttp2Session>((resolve, reject) => {
      const connection = connect(`${this.#options.secure ? 'https' : 'http'}://buildkit`, {
        createConnection: () => socket as never,
      });
      const onError = (error: Error): void => {
        connection.destroy();
        reject(
          new ConnectionError(
            `cannot speak HTTP/2 with ${this.where}: ${(error as NodeJS.ErrnoException).code ?? error.message}`,
            { cause: error },
          ),
        );
      };
      connection.once('error', onError);
      sockets.set(connection, socket);
      connection.once('connect', () => {
        referenced(connection, false); // (while a call is open it is: holdWhileOpen)
        connection.off('error', onError);
        connection.on('error', () => {}); // (each stream reports the loss of the connection itself)
        resolve(connection);
      });
    });
  }

  /** A call of any shape: write requests, end, read replies. */
  call(method: string, options: GrpcCallOptions = {}): GrpcCall {
    return new GrpcCall(this, method, options);
  }

  /** One request, one reply. */
  async unary(method: string, request: Uint8Array, options: GrpcCallOptions = {}): Promise<Uint8Array> {
    const call = this.call(method, options);
    await call.write(request);
    await call.end();
    let reply: Uint8Array | undefined;
    for await (const message of call) reply ??= message;
    if (reply === undefined) throw new ProtocolError(`${method}: the call ended without a reply`);
    return reply;
  }

  /** One request, a stream of replies. */
  async *serverStream(method: string, request: Uint8Array, options: GrpcCallOptions = {}): AsyncIterable<Uint8Array> {
    const call = this.call(method, options);
    try {
      await call.write(request);
      await call.end();
      yield* call;
    } finally {
      call.cancel();
    }
  }

  /** Closes the connection; calls still running fail with ConnectionError. */
  close(): void {
    this.#closed = true;
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.then(
      (s) => s.destroy(),
      () => {},
    );
  }
}

/** GrpcCall: one call: requests written with write()/end(), replies read by iterating; ends with the peer's status. */
export class GrpcCall implements AsyncIterable<Uint8Array> {
  readonly method: string;
  readonly #stream: Promise<ClientHttp2Stream>;
  readonly #reader = new MessageReader();
  readonly #queue: Uint8Array[] = [];
  #ended = false;
  #error: DockerError | undefined;
  #wake: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = (): void =>
    this.cancel(new AbortError(`${this.method}: the call was aborted`, { cause: this.#signal?.reason }));

  constructor(client: GrpcClient, method: string, options: GrpcCallOptions) {
    this.method = method;
    this.#signal = options.signal;
    const timeout = options.timeout ?? 0;
    this.#stream = this.#start(client, options, timeout);
    this.#stream.catch((error: DockerError) => this.#fail(error));
    if (timeout > 0)
      this.#timer = setTimeout(
        () =>
          this.cancel(new TimeoutError(`${method}: no answer from ${client.where} within its ${timeout} ms deadline`)),
        timeout,
      );
    if (options.signal?.aborted) this.#onAbort();
    else options.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  async #start(client: GrpcClient, options: GrpcCallOptions, timeout: number): Promise<ClientHttp2Stream> {
    const connection = await client.connection();
    if (this.#error) throw this.#error;
    const headers: Record<string, string | string[]> = {
      ':method': 'POST',
      ':path': this.method,
      'content-type': 'application/grpc',
      te: 'trailers',
      'user-agent': 'dockwire',
    };
    if (timeout > 0) headers['grpc-timeout'] = `${Math.ceil(timeout)}m`;
    for (const [name, value] of Object.entries(options.metadata ?? {}))
      headers[name.toLowerCase()] = typeof value === 'string' ? value : [...value];
    let stream: ClientHttp2Stream;
    try {
      stream = connection.request(headers, { endStream: false });
    } catch (error) {
      throw new ConnectionError(
        `${this.method}: the connection to ${client.where} is gone: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        { cause: error },
      );
    }
    holdWhileOpen(connection, stream);
    stream.on('response', (head: IncomingHttpHeaders) => {
      const status = Number(head[':status']);
      if (status !== 200)
        return this.#fail(
          new ProtocolError(`${this.method}: HTTP status ${status} from ${client.where}, not a gRPC answer`),
        );
      if (head['grpc-status'] !== undefined) this.#finish(head); // a trailers-only answer
    });
    stream.on('data', (chunk: Buffer) => {
      let messages: Uint8Array[];
      try {
        messages = this.#reader.push(chunk);
      } catch (error) {
        return this.cancel(error as DockerError);
      }
      this.#queue.push(...messages);
      if (this.#queue.length >= HIGH_WATER) stream.pause();
      this.#wakeUp();
    });
    stream.on('trailers', (trailers: IncomingHttpHeaders) => this.#finish(trailers));
    stream.on('error', (error: NodeJS.ErrnoException) =>
      this.#fail(
        new ConnectionError(`${this.method}: the stream to ${client.where} broke: ${error.code ?? error.message}`, {
          cause: error,
        }),
      ),
    );
    stream.on('close', () =>
      this.#fail(new ConnectionError(`${this.method}: ${client.where} closed the call without a status`)),
    );
    return stream;
  }

  /** Sends one request message; resolves when the stream can take more. */
  async write(message: Uint8Array): Promise<void> {
    const stream = await this.#stream;
    if (this.#error) throw this.#error;
    if (!stream.write(frameMessage(message))) await drained(stream);
    if (this.#error) throw this.#error;
  }

  /** No more requests (half-close). */
  async end(): Promise<void> {
    const stream = await this.#stream;
    if (!stream.writableEnded && !stream.destroyed) stream.end();
  }

  /** Stops the call (RST_STREAM CANCEL); iterating it then fails with `reason` (default AbortError). */
  cancel(reason?: DockerError): void {
    this.#fail(reason ?? new AbortError(`${this.method}: the call was cancelled`));
    this.#stream.then(
      (stream) => {
        if (!stream.destroyed) stream.close(8 /* NGHTTP2_CANCEL */);
      },
      () => {},
    );
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const message = this.#queue.shift();
      if (message !== undefined) {
        if (this.#queue.length < HIGH_WATER / 2)
          this.#stream.then(
            (s) => s.isPaused() && !s.destroyed && s.resume(),
            () => {},
          );
        yield message;
        continue;
      }
      if (this.#error) throw this.#error;
      if (this.#ended) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #settle(): void {
    clearTimeout(this.#timer);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#wakeUp();
  }

  #finish(trailers: IncomingHttpHeaders): void {
    if (this.#ended || this.#error) return;
    const status = Number(trailers['grpc-status']);
    const raw = trailers['grpc-message'];
    let message = typeof raw === 'string' ? raw : '';
    try {
      message = decodeURIComponent(message); // percent-encoded (PROTOCOL-HTTP2.md)
    } catch {
      // not percent-encoded after all: keep it as sent
    }
    if (status === GrpcStatus.OK && !this.#reader.pending) {
      this.#ended = true;
      this.#settle();
      return;
    }
    this.#fail(
      status === GrpcStatus.OK
        ? new ProtocolError(`${this.method}: the call ended inside a message`)
        : grpcError(this.method, Number.isInteger(status) ? status : GrpcStatus.UNKNOWN, message),
    );
  }

  #fail(error: DockerError): void {
    if (this.#ended || this.#error) return;
    this.#error = error;
    this.#settle();
  }
}

/** Calls open on each connection. */
const openCalls = new WeakMap<ClientHttp2Session, number>();
/** The socket each HTTP/2 connection runs over. */
const sockets = new WeakMap<ClientHttp2Session, Duplex>();

/**
 * Keeps `connection` referenced while `stream` is open: a connection with no call open does not hold
 * the process open (as the engine pool's idle sockets do not), so a program that never closes
 * its client still exits.
 */
function holdWhileOpen(connection: ClientHttp2Session, stream: ClientHttp2Stream): void {
  const open = openCalls.get(connection) ?? 0;
  openCalls.set(connection, open + 1);
  if (open === 0) referenced(connection, true);
  stream.once('close', () => {
    const left = (openCalls.get(connection) ?? 1) - 1;
    openCalls.set(connection, left);
    if (left === 0 && !connection.destroyed) referenced(connection, false);
  });
}

/**
 * Refs or unrefs the socket under `connection`: on the socket itself, since node:http2 wraps
 * a stream that is not a socket of its own (an engine's upgraded connection) where its ref and
 * unref do not reach.
 */
function referenced(connection: ClientHttp2Session, ref: boolean): void {
  const socket = sockets.get(connection) as { ref?: () => void; unref?: () => void } | undefined;
  if (ref) socket?.ref?.();
  else socket?.unref?.();
}

/** Resolves when a stream whose buffer is full can take more (or is closed). */
export function drained(stream: NodeJS.EventEmitter): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      stream.off('drain', done).off('close', done);
      resolve();
    };
    stream.on('drain', done).on('close', done);
  });
}

/** A non-OK status as the typed error callers switch on: cancelled, deadline, unavailable, else GrpcError. */
export function grpcError(method: string, status: number, message: string): DockerError {
  const text = `${method}: ${message || statusName(status)}`;
  if (status === GrpcStatus.CANCELLED) return new AbortError(text);
  if (status === GrpcStatus.DEADLINE_EXCEEDED) return new TimeoutError(text);
  if (status === GrpcStatus.UNAVAILABLE) return new ConnectionError(text);
  return new GrpcError(method, status, statusName(status), message);
}
