// A registry call's whole deadline (RegistryCallOptions.deadline): one timer for the call, whose
// expiry aborts every request, retry wait and body read made for it with TimeoutError (kind
// `deadline`), through the call's signal, and which is cleared when the call ends. The calls a call
// makes take its signal, not its deadline, so the deadline is not restarted by them.
import { callDeadline } from '../transport/deadline.js';
import type { RegistryCallOptions } from './options.js';

/** The clearing of each deadline's timer, by the signal withDeadline made for it. */
const clearers = new WeakMap<AbortSignal, () => void>();

/** `options` with its deadline turned into its signal (as it is when it has none); endDeadline clears its timer. */
export function withDeadline<T extends RegistryCallOptions>(options: T, what: string): T {
  if (options.deadline === undefined) return options;
  const { signal, clear } = callDeadline(options.deadline, what, options.signal);
  clearers.set(signal, clear);
  const { deadline: _, ...rest } = options;
  return { ...rest, signal } as T;
}

/** Clears the timer of the deadline withDeadline turned into `options.signal` (nothing when it made none). */
export function endDeadline(options: RegistryCallOptions): void {
  if (options.signal === undefined) return;
  clearers.get(options.signal)?.();
  clearers.delete(options.signal);
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
