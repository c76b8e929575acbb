// One request and its response over one connection. Owns the connection for that time: writes
// the head and body (waiting for 'drain'), feeds received bytes to the parser, hands body bytes
// to the consumer (pausing the connection while the consumer lags behind), and finally tells the
// pool whether the connection is clean enough to reuse. A node:net socket reads into memory that
// is reused: body bytes are copied out of it, or, when the consumer borrows them
// (TransportRequest.borrowBody), lent from a ReadRing until the consumer asks for the next.
//
// One object per request, its methods on the class: it is at once the parser's handlers and the
// connection's (the pool routes the socket's events to it while it holds the socket), so a small
// call allocates one object where a closure per handler would allocate a dozen.
import type { Duplex } from 'node:stream';
import { copyBytes } from '../bytes.js';
import { ConnectionError, DockerError, InvalidArgument, TimeoutError } from '../errors.js';
import { LAST_CHUNK, encodeChunk } from '../http/request.js';
import { ResponseParser, type ParserLimits, type ResponseHandlers, type ResponseHead } from '../http/response.js';
import { Deadline, abortError } from './deadline.js';
import type { ConnectionHandlers } from './pool.js';
import { ReadRing } from './read-ring.js';
import { describeTlsError } from './connect.js';
import { Body } from './body.js';
import type { TransportRequest, TransportResponse } from './types.js';

/**
 * Body bytes of its own memory buffered ahead of the consumer before the connection is paused.
 * Chunks lent from the read ring do not count: the ring bounds them (data() pauses before a read
 * would overwrite one), so a borrowing consumer finds the next reads waiting, not a paused socket.
 */
const BODY_HIGH_WATER = 256 * 1024;

export interface ExchangeOptions {
  host: string;
  limits?: ParserLimits;
  /** Routes the connection's events to the exchange (see SocketPool.attach). */
  attach(socket: Duplex, handlers: ConnectionHandlers): void;
  /** Called exactly once, when the exchange no longer needs the connection; detaches it too. */
  release(socket: Duplex, reusable: boolean): void;
}

/** Thrown when a reused connection turned out to be closed before any byte of a response came. */
export class StaleConnectionError extends ConnectionError {}

/**
 * Sends `request` on `socket` and resolves with the response once its head has arrived. `start`
 * is the request line and the caller's header fields, already checked and encoded.
 */
export function exchange(
  socket: Duplex,
  request: TransportRequest,
  start: string,
  options: ExchangeOptions,
): Promise<TransportResponse> {
  return new Promise<TransportResponse>((resolve, reject) =>
    new Exchange(socket, request, start, options, resolve, reject).start(),
  );
}

class Exchange implements ConnectionHandlers, ResponseHandlers {
  readonly #socket: Duplex;
  readonly #request: TransportRequest;
  readonly #start: string;
  readonly #options: ExchangeOptions;
  readonly #resolve: (response: TransportResponse) => void;
  readonly #reject: (error: Error) => void;
  readonly #parser: ResponseParser;
  readonly #deadline: Deadline;
  /** The whole head's deadline (TransportRequest.headersTimeout), armed once the request is sent. */
  readonly #headDeadline: Deadline;
  readonly #body: Body;
  #head: ResponseHead | undefined;
  #released = false;
  #messageDone = false;
  #requestSent = false;
  #unsolicited = false;
  #received = false;
  #failure: Error | undefined;
  /** The consumer has read the whole body. */
  #consumed = false;
  /** Body bytes received and not yet given to the consumer, how many, and how many of them are not lent from the ring. */
  readonly #queue: Uint8Array[] = [];
  #queued = 0;
  #queuedOwn = 0;
  #paused = false;
  #wake: (() => void) | undefined;
  #drainWaiter: (() => void) | undefined;
  #onAbort: (() => void) | undefined;
  /** The reads lent to the consumer (TransportRequest.borrowBody), and the chunk it has now. */
  readonly #ring: ReadRing | undefined;
  #lent: Uint8Array | undefined;
  /** The bytes being parsed are in memory that is read into again (ConnectionHandlers.data). */
  #transient = false;

  constructor(
    socket: Duplex,
    request: TransportRequest,
    start: string,
    options: ExchangeOptions,
    resolve: (response: TransportResponse) => void,
    reject: (error: Error) => void,
  ) {
    this.#socket = socket;
    this.#request = request;
    this.#start = start;
    this.#options = options;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#parser = new ResponseParser(this, options.limits);
    this.#parser.expect(request.method);
    this.#deadline = new Deadline(() => this.#timedOut());
    this.#headDeadline = new Deadline(() => this.#headTimedOut());
    this.#body = new Body(this);
    this.#ring = request.borrowBody === true ? new ReadRing() : undefined;
  }

  start(): void {
    const { signal } = this.#request;
    if (signal?.aborted) {
      this.abort(signal.reason);
      return;
    }
    if (signal) {
      this.#onAbort = () => this.abort(signal.reason);
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
    this.#options.attach(this.#socket, this);
    if (this.#socket.isPaused()) this.#socket.resume();
    this.#startTimer();
    // A write error ('error' event) is handled by error(); a broken source is a failure of ours.
    const head = `${this.#start}Host: ${this.#options.host}\r\n`;
    if (this.#request.body === undefined) {
      // the common case, a request without a body: written at once, no promise
      const method = this.#request.method;
      const empty = method === 'POST' || method === 'PUT' ? 'Content-Length: 0\r\n' : '';
      this.#socket.write(`${head}${empty}\r\n`, 'latin1');
      this.#sent();
      return;
    }
    this.#sendBody(head).then(
      () => {
        this.#sent();
        this.#maybeRelease();
      },
      (error: unknown) => {
        this.fail(
          error instanceof DockerError
            ? error
            : new ConnectionError(`request body failed: ${String((error as Error)?.message ?? error)}`, {
                cause: error,
              }),
        );
      },
    );
  }

  // ---- the parser's handlers ----

  onHead(head: ResponseHead): void {
    this.#head = head;
    this.#headDeadline.cancel();
    this.#resolve({
      statusCode: head.statusCode,
      statusMessage: head.statusMessage,
      headers: head.headers,
      body: this.#body,
    });
  }

  onBody(chunk: Uint8Array): void {
    // a slice of memory the socket reads into again is lent (while the consumer borrows), or copied
    const lent = this.#transient && this.#ring?.hold(chunk) === true;
    if (this.#transient && !lent) chunk = copyBytes(chunk);
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    if (!lent) this.#queuedOwn += chunk.length;
    if (this.#queuedOwn > BODY_HIGH_WATER) this.#pause();
    this.#wakeConsumer();
  }

  /** Stops reading until the consumer catches up (see shift); the timeout waits too. */
  #pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#socket.pause();
    this.#deadline.cancel();
  }

  onEnd(): void {
    // released by data()/end(), once it is known whether bytes followed
    this.#messageDone = true;
    this.#deadline.cancel();
    this.#wakeConsumer();
  }

  // ---- the connection's handlers (routed by the pool while this exchange holds it) ----

  data(chunk: Uint8Array, transient: boolean): void {
    this.#received = true;
    this.#transient = transient;
    let used: number;
    try {
      used = this.#parser.execute(chunk);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    // bytes after the end of the response: never hand this connection to another request
    if (used < chunk.length) this.#unsolicited = true;
    if (this.#messageDone) this.#maybeRelease();
    else if (this.#ring?.nextHeld(true))
      this.#pause(); // the next read would overwrite a lent chunk
    else if (!this.#paused) this.#startTimer();
  }

  readBuffer(): Uint8Array | undefined {
    return this.#ring?.take();
  }

  end(): void {
    try {
      this.#parser.connectionClosed();
      this.#maybeRelease();
    } catch (error) {
      if (!this.#head && !this.#received) {
        this.fail(new StaleConnectionError(`connection to ${this.#options.host} closed before a response arrived`));
      } else this.fail(error as Error);
    }
  }

  close(): void {
    if (!this.#messageDone) this.end();
  }

  error(error: NodeJS.ErrnoException): void {
    // a connection that explains itself (ssh's message) is passed on as it is
    const why =
      error instanceof DockerError
        ? error.message
        : (describeTlsError(error, this.#options.host) ?? error.code ?? error.message);
    const message = `connection to ${this.#options.host} failed: ${why}`;
    if (!this.#head && !this.#received) this.fail(new StaleConnectionError(message, { cause: error }));
    else this.fail(new ConnectionError(message, { cause: error }));
  }

  /** The socket's queue may be empty: wakes the sender if it is (or if there is no socket to wait for). */
  drain(): void {
    if (this.#socket.writableLength > 0 && this.#failure === undefined && !this.#socket.destroyed) return;
    const waiter = this.#drainWaiter;
    this.#drainWaiter = undefined;
    waiter?.();
  }

  // ---- state ----

  /** The inactivity timeout now: the head's until it has arrived, then the body's. */
  #timeout(): number {
    const { timeout = 0, bodyTimeout = timeout } = this.#request;
    return this.#head ? bodyTimeout : timeout;
  }

  #timedOut(): void {
    const what = this.#head ? 'the response body' : 'the response';
    this.fail(
      new TimeoutError(`no byte of ${what} from ${this.#options.host} for ${this.#timeout()} ms (inactivity timeout)`, {
        kind: 'inactivity',
      }),
    );
  }

  /** The request is sent: the whole head must now arrive within headersTimeout. */
  #sent(): void {
    this.#requestSent = true;
    if (!this.#head && this.#failure === undefined) this.#headDeadline.arm(this.#request.headersTimeout ?? 0);
  }

  #headTimedOut(): void {
    const ms = this.#request.headersTimeout;
    this.fail(
      new TimeoutError(
        `the response head from ${this.#options.host} did not arrive whole within ${ms} ms (headersTimeout)`,
        { kind: 'headers' },
      ),
    );
  }

  #startTimer(): void {
    this.#deadline.arm(this.#timeout());
  }

  #wakeConsumer(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Waits for the next body bytes (or the end, or a failure). */
  waitForBody(): Promise<void> {
    return new Promise<void>((r) => (this.#wake = r));
  }

  // The abort listener stays until the consumer has read the body to its end: an abort after the
  // last byte arrived but before it was read still fails the read.
  #detachSignal(): void {
    if (this.#onAbort) this.#request.signal?.removeEventListener('abort', this.#onAbort);
  }

  #maybeRelease(): void {
    if (this.#released || !this.#messageDone || !this.#requestSent) return;
    this.#released = true;
    this.#deadline.cancel();
    this.#headDeadline.cancel();
    if (this.#paused) this.#socket.resume();
    this.#options.release(this.#socket, this.#head!.keepAlive && !this.#unsolicited && this.#failure === undefined);
  }

  /** Why the exchange failed, once it has. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  fail(error: Error): void {
    if (this.#failure !== undefined || this.#consumed) return;
    this.#failure = error;
    this.#detachSignal();
    if (!this.#released) {
      this.#released = true;
      this.#deadline.cancel();
      this.#headDeadline.cancel();
      this.#options.release(this.#socket, false);
    }
    if (!this.#head) this.#reject(error);
    this.#wakeConsumer();
    this.drain();
  }

  abort(reason: unknown): void {
    this.fail(abortError(reason));
  }

  /**
   * The next chunk for the consumer, who is done with the one before (a borrowed one is given
   * back); resumes the connection once the backlog is small again and the next read's memory free.
   */
  shift(): Uint8Array | undefined {
    if (this.#lent) {
      this.#ring!.release(this.#lent);
      this.#lent = undefined;
    }
    const chunk = this.#queue.shift();
    if (chunk) {
      this.#queued -= chunk.length;
      if (this.#ring?.owns(chunk)) this.#lent = chunk;
      else this.#queuedOwn -= chunk.length;
    }
    if (this.#paused && this.#queuedOwn <= BODY_HIGH_WATER / 2 && !this.#released && !this.#ring?.nextHeld(false)) {
      this.#paused = false;
      this.#socket.resume();
      this.#startTimer();
    }
    return chunk;
  }

  /** Hands the consumer every queued chunk at once, and how many bytes they hold. */
  takeQueued(): { parts: Uint8Array[]; length: number } {
    const parts = this.#queue.splice(0);
    const length = this.#queued;
    this.#queued = 0;
    this.#queuedOwn = 0;
    return { parts, length };
  }

  /** True when the consumer's chunks are lent, valid only until it asks for the next. */
  get lends(): boolean {
    return this.#ring !== undefined;
  }

  get messageDone(): boolean {
    return this.#messageDone;
  }

  /** The consumer is done with the body: no abort can fail it any more. */
  consumed(): void {
    this.#consumed = true;
    this.#detachSignal();
  }

  // ---- sending ----

  /**
   * Sends the head (`head`: all but the framing field and the blank line) and the body: chunked,
   * or as it comes when its length is declared (TransportRequest.bodyLength).
   */
  async #sendBody(head: string): Promise<void> {
    const socket = this.#socket;
    const source = this.#request.body!;
    const length = this.#request.bodyLength; // (checked by the transport before a connection was taken)
    if (typeof source === 'string' || source instanceof Uint8Array) {
      const bytes = typeof source === 'string' ? Buffer.from(source) : source;
      socket.write(`${head}Content-Length: ${bytes.length}\r\n\r\n`, 'latin1');
      if (bytes.length > 0 && !socket.write(bytes)) await this.#drained();
      return;
    }
    socket.write(
      `${head}${length === undefined ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`}\r\n\r\n`,
      'latin1',
    );
    // a chunk's write callback (an error is the socket's, reported by its 'error' event)
    const written = (): void => this.drain();
    let sent = 0;
    for await (const chunk of source) {
      // The engine may answer (and end its response) before it has read the whole body, e.g.
      // with an error: stop sending, and do not reuse the connection.
      if (this.#failure || this.#messageDone) {
        this.#unsolicited = true;
        return;
      }
      if (chunk.length === 0) continue;
      if (length === undefined) {
        // size line, data and CRLF leave in one writev, not three writes
        const parts = encodeChunk(chunk);
        socket.cork();
        for (let i = 0; i < parts.length; i++) socket.write(parts[i]!, i === parts.length - 1 ? written : undefined);
        socket.uncork();
      } else {
        sent += chunk.length;
        if (sent > length) throw new InvalidArgument(`the request body is longer than its declared ${length} bytes`);
        socket.write(chunk, written);
      }
      if (!this.#head && !this.#paused) this.#startTimer(); // upload progress counts as activity
      // The chunk is written out (the kernel has it) before the next one is asked for, so that
      // its producer may reuse its memory (Transport.releasesChunks); usually it already is.
      if (socket.writableLength > 0) await this.#drained();
    }
    if (this.#failure || this.#messageDone) {
      this.#unsolicited = true;
      return;
    }
    if (length === undefined) socket.write(LAST_CHUNK);
    else if (sent !== length)
      throw new InvalidArgument(`the request body ended after ${sent} of its declared ${length} bytes`);
  }

  #drained(): Promise<void> {
    if (this.#failure) return Promise.resolve();
    return new Promise<void>((r) => (this.#drainWaiter = r));
  }
}
