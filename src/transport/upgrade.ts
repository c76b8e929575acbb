// An HTTP/1.1 request that hands its connection over to another protocol (RFC 9110 §7.8): sent
// on a connection of its own, never pooled; on 101 Switching Protocols the caller gets the
// connection, with any bytes of the new protocol that came with the response head put back.
import { Duplex } from 'node:stream';
import { AbortError, ConnectionError, TimeoutError } from '../errors.js';
import { ResponseParser, type ResponseHead } from '../http/response.js';
import type { Connect } from './pool.js';
import type { UpgradeResult } from './types.js';

/** Bytes of a refusal's body kept for its error message. */
const MAX_BODY = 64 * 1024;

/**
 * Connects with `connect`, sends `head` (the request line and fields, without the blank line),
 * and resolves when the response head has arrived (101) or the whole response (anything else).
 */
export async function upgradeConnection(
  connect: Connect,
  head: string,
  where: string,
  options: { timeout?: number; signal?: AbortSignal | undefined } = {},
): Promise<UpgradeResult> {
  if (options.signal?.aborted) throw new AbortError('The request was aborted', { cause: options.signal.reason });
  const socket = await connect();
  return new Promise<UpgradeResult>((resolve, reject) => {
    let answer: ResponseHead | undefined;
    const body: Uint8Array[] = [];
    let size = 0;
    let ended = false;
    const parser = new ResponseParser({
      onHead: (h) => (answer = h),
      onBody: (chunk) => {
        if (size < MAX_BODY) body.push(Buffer.from(chunk));
        size += chunk.length;
      },
      onEnd: () => (ended = true),
    });
    parser.expect('POST', { upgrade: true });
    const finish = (error: Error | undefined, result?: UpgradeResult): void => {
      clearTimeout(timer);
      socket.off('data', onData).off('end', onEnd).off('error', onError).off('close', onEnd);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) {
        socket.destroy();
        reject(error);
      } else resolve(result!);
    };
    // the answer is complete: hand the connection over (101), or give the refusal's body
    const settle = (rest: Uint8Array): void => {
      const { statusCode, statusMessage, headers } = answer!;
      if (statusCode === 101) {
        socket.pause();
        finish(undefined, {
          statusCode,
          statusMessage,
          headers,
          socket: handOver(socket, rest),
          body: new Uint8Array(0),
        });
      } else {
        socket.destroy();
        finish(undefined, { statusCode, statusMessage, headers, socket: undefined, body: Buffer.concat(body) });
      }
    };
    const onData = (chunk: Buffer): void => {
      let used: number;
      try {
        used = parser.execute(chunk);
      } catch (error) {
        finish(error as Error);
        return;
      }
      if (ended && answer) settle(chunk.subarray(used));
    };
    const onEnd = (): void => {
      try {
        parser.connectionClosed();
      } catch (error) {
        finish(error as Error);
        return;
      }
      if (ended && answer) settle(new Uint8Array(0));
      else finish(new ConnectionError(`connection to ${where} closed before an answer to the upgrade`));
    };
    const onError = (error: NodeJS.ErrnoException): void =>
      finish(new ConnectionError(`connection to ${where} failed: ${error.code ?? error.message}`, { cause: error }));
    const onAbort = (): void => finish(new AbortError('The request was aborted', { cause: options.signal?.reason }));
    const timer = options.timeout
      ? setTimeout(
          () => finish(new TimeoutError(`no answer from ${where} within ${options.timeout} ms`, { kind: 'headers' })),
          options.timeout,
        )
      : undefined;
    socket.on('data', onData).on('end', onEnd).on('error', onError).on('close', onEnd);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.write(`${head}\r\n`, 'latin1');
  });
}

/**
 * The connection as the new protocol's stream. The new protocol's first bytes may have come in
 * the same read as the 101 (`early`): they are handed on first, through a stream of our own over
 * the socket, since a reader that takes the socket's bytes from below (an HTTP/2 session in Bun)
 * would never see bytes put back into the socket's buffer.
 */
function handOver(socket: Duplex, early: Uint8Array): Duplex {
  const pending = [...(early.length > 0 ? [Buffer.from(early)] : [])];
  const relay = new Duplex({
    read() {
      while (pending.length > 0) if (!this.push(pending.shift())) return;
      socket.resume();
    },
    write(chunk: Buffer, _encoding, done) {
      socket.write(chunk, done);
    },
    final(done) {
      socket.end();
      done();
    },
    destroy(error, done) {
      socket.destroy();
      done(error);
    },
  });
  // whether the connection keeps the process alive is the socket's (an idle HTTP/2 session over it unrefs it)
  const held = socket as Duplex & { ref?: () => void; unref?: () => void };
  Object.assign(relay, {
    ref: () => (held.ref?.(), relay),
    unref: () => (held.unref?.(), relay),
  });
  socket.on('data', (chunk: Buffer) => {
    if (!relay.push(chunk)) socket.pause();
  });
  socket.on('end', () => relay.push(null));
  socket.on('error', (error) => relay.destroy(error));
  socket.on('close', () => relay.destroy());
  return relay;
}
