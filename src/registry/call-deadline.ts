// A registry call's whole deadline (RegistryCallOptions.deadline): one timer for the call, whose
// expiry aborts every request, retry wait and body read made for it with TimeoutError (kind
// `deadline`), through the call's signal. The calls a call makes take its signal, not its
// deadline, so the deadline is not restarted by them.
import { deadlineSignal } from '../transport/deadline.js';
import type { RegistryCallOptions } from './options.js';

/** `options` with its deadline turned into its signal (as it is when it has none). */
export function withDeadline<T extends RegistryCallOptions>(options: T, what: string): T {
  if (options.deadline === undefined) return options;
  const signal = deadlineSignal(options.deadline, what, options.signal);
  const { deadline: _, ...rest } = options;
  return { ...rest, signal } as T;
}
