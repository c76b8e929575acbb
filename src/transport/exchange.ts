// One request and its response over one connection. Owns the connection for that time: writes
// the head and body (waiting for 'drain'), feeds received bytes to the parser, hands body bytes
// to the consumer (pausing the connection while the consumer lags behind), and finally tells the
// pool whether the connection is clean enough to reuse.
import type { Duplex } from 'node:stream';
import { concatBytes } from '../bytes.js';
import { AbortError, ConnectionError, DockerError, ProtocolError, TimeoutError } from '../errors.js';
import { LAST_CHUNK, encodeChunk } from '../http/request.js';
import { ResponseParser, type ParserLimits, type ResponseHead } from '../http/response.js';
import type { ConnectionHandlers } from './pool.js';
import { Deadline } from './deadline.js';
import { describeTlsError } from './tls-errors.js';
import type { ResponseBody, TransportRequest, TransportResponse } from './types.js';

const utf8 = new TextDecoder();

/** Body bytes buffered ahead of the consumer before the connection is paused. */
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
export function exchange(socket: Duplex, request: TransportRequest, start: string, options: ExchangeOptions): Promise<TransportResponse> {
  return new Promise<TransportResponse>((resolve, reject) => {
    const { signal } = request;
    const headTimeout = request.timeout ?? 0;
    const bodyTimeout = request.bodyTimeout ?? headTimeout;
    let head: ResponseHead | undefined;
    let released = false;
    let messageDone = false;
    let requestSent = false;
    let unsolicited = false;
    let received = false;
    let failure: Error | undefined;
    let consumed = false; // the consumer has read the whole body
    const queue: Uint8Array[] = [];
    let queued = 0;
    let paused = false;
    let wake: (() => void) | undefined;
    const deadline = new Deadline(() => {
      const timeout = head ? bodyTimeout : headTimeout;
      fail(new TimeoutError(`no response from ${options.host} within ${timeout} ms`));
    });

    const parser = new ResponseParser(
      {
        onHead(h) {
          head = h;
          resolve({ statusCode: h.statusCode, statusMessage: h.statusMessage, headers: h.headers, body });
        },
        onBody(chunk) {
          queue.push(chunk);
          queued += chunk.length;
          if (queued > BODY_HIGH_WATER && !paused) {
            paused = true;
            socket.pause();
            stopTimer();
          }
          wakeConsumer();
        },
        onEnd() {
          // released by the caller of execute()/finish(), once it knows whether bytes followed
          messageDone = true;
          stopTimer();
          wakeConsumer();
        },
      },
      options.limits,
    );
    parser.expect(request.method);

    function wakeConsumer(): void {
      const w = wake;
      wake = undefined;
      w?.();
    }

    function startTimer(): void {
      deadline.arm(head ? bodyTimeout : headTimeout);
    }
    function stopTimer(): void {
      deadline.cancel();
    }

    // Detaching from the connection is the pool's release(). The abort listener stays until the
    // consumer has read the body to its end: an abort after the last byte arrived but before it
    // was read still fails the read.
    function cleanup(): void {
      stopTimer();
    }
    function detachSignal(): void {
      signal?.removeEventListener('abort', onAbort);
    }

    function maybeRelease(): void {
      if (released || !messageDone || !requestSent) return;
      released = true;
      cleanup();
      if (paused) socket.resume();
      options.release(socket, head!.keepAlive && !unsolicited && failure === undefined);
    }

    function fail(error: Error): void {
      if (failure !== undefined || consumed) return;
      failure = error;
      detachSignal();
      if (!released) {
        released = true;
        cleanup();
        options.release(socket, false);
      }
      if (!head) reject(error);
      wakeConsumer();
      onDrain();
    }

    function onData(chunk: Buffer): void {
      received = true;
      let used: number;
      try {
        used = parser.execute(chunk);
      } catch (error) {
        fail(error as Error);
        return;
      }
      // bytes after the end of the response: never hand this connection to another request
      if (used < chunk.length) unsolicited = true;
      if (messageDone) maybeRelease();
      else if (!paused) startTimer();
    }

    function onEnd(): void {
      try {
        parser.finish();
        maybeRelease();
      } catch (error) {
        if (!head && !received) {
          fail(new StaleConnectionError(`connection to ${options.host} closed before a response arrived`));
        } else fail(error as Error);
      }
    }

    function onClose(): void {
      if (!messageDone) onEnd();
    }

    function onError(error: NodeJS.ErrnoException): void {
      // a connection that explains itself (ssh's message) is passed on as it is
      const why = error instanceof DockerError ? error.message : (describeTlsError(error) ?? error.code ?? error.message);
      const message = `connection to ${options.host} failed: ${why}`;
      if (!head && !received) fail(new StaleConnectionError(message, { cause: error }));
      else fail(new ConnectionError(message, { cause: error }));
    }

    let drainWaiter: (() => void) | undefined;
    function onDrain(): void {
      const w = drainWaiter;
      drainWaiter = undefined;
      w?.();
    }

    function onAbort(): void {
      const reason = signal?.reason;
      fail(reason instanceof DockerError ? reason : new AbortError('The request was aborted', { cause: reason }));
    }

    const body: ResponseBody = {
      [Symbol.asyncIterator]() {
        return {
          async next(): Promise<IteratorResult<Uint8Array>> {
            for (;;) {
              if (failure) throw failure;
              const chunk = queue.shift();
              if (chunk) {
                queued -= chunk.length;
                if (paused && queued <= BODY_HIGH_WATER / 2 && !released) {
                  paused = false;
                  socket.resume();
                  startTimer();
                }
                return { value: chunk, done: false };
              }
              if (messageDone) {
                consumed = true;
                detachSignal();
                return { value: undefined, done: true };
              }
              await new Promise<void>((r) => (wake = r));
            }
          },
          async return(): Promise<IteratorResult<Uint8Array>> {
            body.cancel();
            return { value: undefined, done: true };
          },
        };
      },
      async bytes() {
        return takeAll() ?? (await readAll());
      },
      async text() {
        return utf8.decode(takeAll() ?? (await readAll()));
      },
      async json<T>() {
        const text = utf8.decode(takeAll() ?? (await readAll()));
        try {
          return JSON.parse(text) as T;
        } catch {
          throw new ProtocolError(`expected a JSON body from the engine, got ${JSON.stringify(text.slice(0, 80))}`);
        }
      },
      async dump() {
        for await (const _ of body);
      },
      cancel() {
        queue.length = 0;
        queued = 0;
        if (!messageDone) fail(new AbortError('The response body was cancelled'));
        else {
          consumed = true;
          detachSignal();
        }
      },
    };

    /** The whole body at once when all of it is here already (the common case for small answers). */
    function takeAll(): Uint8Array | undefined {
      if (!messageDone || failure) return undefined;
      const parts = queue.splice(0);
      const length = queued;
      queued = 0;
      consumed = true;
      detachSignal();
      return parts.length === 1 ? parts[0]! : concatBytes(parts, length);
    }
    async function readAll(): Promise<Uint8Array> {
      const parts: Uint8Array[] = [];
      let length = 0;
      for await (const part of body) {
        parts.push(part);
        length += part.length;
      }
      return parts.length === 1 ? parts[0]! : concatBytes(parts, length);
    }

    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    options.attach(socket, { onData, onEnd, onClose, onError, onDrain });
    if (socket.isPaused()) socket.resume();
    startTimer();

    // A write error ('error' event) is handled by onError; a broken source is a failure of ours.
    sendRequest().then(
      () => {
        requestSent = true;
        maybeRelease();
      },
      (error: unknown) => {
        fail(error instanceof DockerError ? error : new ConnectionError(`request body failed: ${String((error as Error)?.message ?? error)}`, { cause: error }));
      },
    );

    async function sendRequest(): Promise<void> {
      const source = request.body;
      const head = `${start}Host: ${options.host}\r\n`;
      if (source === undefined) {
        const empty = request.method === 'POST' || request.method === 'PUT' ? 'Content-Length: 0\r\n' : '';
        socket.write(`${head}${empty}\r\n`, 'latin1');
        return;
      }
      if (typeof source === 'string' || source instanceof Uint8Array) {
        const bytes = typeof source === 'string' ? Buffer.from(source) : source;
        socket.write(`${head}Content-Length: ${bytes.length}\r\n\r\n`, 'latin1');
        if (bytes.length > 0 && !socket.write(bytes)) await drained();
        return;
      }
      socket.write(`${head}Transfer-Encoding: chunked\r\n\r\n`, 'latin1');
      for await (const chunk of source) {
        // The engine may answer (and end its response) before it has read the whole body, e.g.
        // with an error: stop sending, and do not reuse the connection.
        if (failure || messageDone) {
          unsolicited = true;
          return;
        }
        // size line, data and CRLF leave in one writev, not three writes
        let ok = true;
        socket.cork();
        for (const part of encodeChunk(chunk)) ok = socket.write(part);
        socket.uncork();
        if (!head && !paused) startTimer(); // upload progress counts as activity
        if (!ok) await drained();
      }
      if (failure || messageDone) {
        unsolicited = true;
        return;
      }
      socket.write(LAST_CHUNK);
    }

    function drained(): Promise<void> {
      if (failure) return Promise.resolve();
      return new Promise<void>((r) => (drainWaiter = r)).then(() => undefined);
    }
  });
}
