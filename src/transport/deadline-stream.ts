// A stream read within the deadline of the call that handed it back: the deadline goes on covering
// the stream, and ends with it. A call that returns a stream cannot clear its deadline when it
// returns, and one cleared by nobody keeps its timer (and what that holds: the call's controller
// and signal) until it fires, long after the stream was read. Every such call, the registry's
// blob, files and export and the engine's streamed answers, reads through readWithin.
import { abortError, type CallDeadline } from './deadline.js';
import type { ResponseBody } from './types.js';

/**
 * readWithin: the stream `open` gives, read within the call deadline `begin` starts (none: the
 * stream as it is). Both are called by the first read, `begin` first (what they throw rejects
 * it). Once the deadline has expired, or the call's signal aborted, every read fails with its
 * reason, however much of the stream has already arrived; and the deadline ends, its timer
 * cleared, when the stream does: read to its end, failed, or left early by `return()` (a
 * `for await` left by `break`, a Readable made from it destroyed).
 */
export function readWithin<T>(
  begin: () => CallDeadline | undefined,
  open: () => AsyncIterable<T> | Promise<AsyncIterable<T>>,
): AsyncIterator<T> {
  let deadline: CallDeadline | undefined;
  let source: AsyncIterator<T> | undefined;
  let ended = false;
  const end = (): void => {
    ended = true;
    deadline?.clear();
  };
  const done = (): IteratorResult<T> => ({ done: true, value: undefined });
  return {
    next(): Promise<IteratorResult<T>> {
      // with no deadline to watch, once open: the stream's own reads, with no step between
      if (source !== undefined && deadline === undefined && !ended) return source.next();
      return step();
    },
    async return(): Promise<IteratorResult<T>> {
      if (ended || source === undefined) {
        end();
        return done();
      }
      try {
        await source.return?.();
      } finally {
        end();
      }
      return done();
    },
  };

  async function step(): Promise<IteratorResult<T>> {
    if (ended) return done();
    try {
      if (source === undefined) {
        deadline = begin();
        source = (await open())[Symbol.asyncIterator]();
        // (left by return() while it opened)
        if (ended) return (await source.return?.(), done());
      }
      if (deadline?.signal.aborted) {
        // the stream lets go of what it holds (its connection); the deadline's error is the one told
        await source.return?.()?.catch(() => {});
        throw abortError(deadline.signal.reason);
      }
      const result = await source.next();
      if (result.done) end();
      return result;
    } catch (error) {
      end();
      throw error;
    }
  }
}

/**
 * deadlineBody: `body`, the answer of a call with `deadline`, read within it: streamed as
 * readWithin reads, or whole (bytes, text, json, dump: refused once the deadline has expired),
 * the deadline ended when the body is read, fails or is cancelled.
 */
export function deadlineBody(body: ResponseBody, deadline: CallDeadline): ResponseBody {
  const whole = async <R>(read: () => Promise<R>): Promise<R> => {
    try {
      if (deadline.signal.aborted) {
        body.cancel();
        throw abortError(deadline.signal.reason);
      }
      return await read();
    } finally {
      deadline.clear();
    }
  };
  return {
    [Symbol.asyncIterator]: () =>
      readWithin(
        () => deadline,
        () => body,
      ),
    bytes: () => whole(() => body.bytes()),
    text: () => whole(() => body.text()),
    json: <J>() => whole(() => body.json<J>()),
    dump: () => whole(() => body.dump()),
    cancel: () => {
      body.cancel();
      deadline.clear();
    },
  };
}
