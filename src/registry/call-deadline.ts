// A registry call's whole deadline (RegistryCallOptions.deadline): one timer for the call, whose
// expiry aborts every request, retry wait and body read made for it with TimeoutError (kind
// `deadline`), through the call's signal, and which is cleared when the call ends: when it
// settles, or, for a call that hands back a stream, when the stream ends. The calls a call makes
// take its signal, not its deadline, so the deadline is not restarted by them.
import { checkOptions } from '../options.js';
import { callDeadline, type CallDeadline } from '../transport/deadline.js';
import { readWithin } from '../transport/deadline-stream.js';
import type { RegistryCallOptions } from './options.js';

/** Each deadline, by the signal withDeadline made for it. */
const deadlines = new WeakMap<AbortSignal, CallDeadline>();

/** `options` with its deadline turned into its signal (as it is when it has none); endDeadline clears its timer. */
export function withDeadline<T extends RegistryCallOptions>(options: T, what: string): T {
  if (options.deadline === undefined) return options;
  const deadline = callDeadline(options.deadline, what, options.signal);
  deadlines.set(deadline.signal, deadline);
  const { deadline: _, ...rest } = options;
  return { ...rest, signal: deadline.signal } as T;
}

/** Clears the timer of the deadline withDeadline turned into `options.signal` (nothing when it made none). */
export function endDeadline(options: RegistryCallOptions): void {
  if (options.signal === undefined) return;
  deadlines.get(options.signal)?.clear();
  deadlines.delete(options.signal);
}

/** `call` run with `options`' deadline as its signal, the deadline's timer cleared when it settles, however early. */
export async function withinDeadline<T extends RegistryCallOptions, R>(
  options: T,
  what: string,
  call: (options: T) => Promise<R>,
): Promise<R> {
  if (options.deadline === undefined) return call(options);
  const deadlined = withDeadline(options, what);
  try {
    return await call(deadlined);
  } finally {
    endDeadline(deadlined);
  }
}

/**
 * The stream `open` gives, with `options`' deadline as its signal, read within it (readWithin's
 * rules: each read past the deadline fails, and the deadline ends with the stream). Each
 * iteration is a call of its own: the first read checks the options against `known`, starts
 * the deadline and opens the stream, and bad input rejects it.
 */
export function streamWithinDeadline<T extends RegistryCallOptions, R>(
  options: T,
  what: string,
  known: readonly string[],
  open: (options: T) => AsyncIterable<R> | Promise<AsyncIterable<R>>,
): AsyncIterable<R> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<R> {
      let call = options;
      return readWithin(
        () => {
          checkOptions(what, options, known);
          call = withDeadline(options, what);
          return call === options ? undefined : deadlines.get(call.signal!);
        },
        () => open(call),
      );
    },
  };
}
