// A registry call's whole deadline (RegistryCallOptions.deadline): one timer for the call, whose
// expiry aborts every request, retry wait and body read made for it with TimeoutError (kind
// `deadline`), through the call's signal. The calls a call makes take its signal, not its
// deadline, so the deadline is not restarted by them.
import { InvalidArgument, TimeoutError } from '../errors.js';
import type { RegistryCallOptions } from './options.js';

/** `options` with its deadline turned into its signal (as it is when it has none). */
export function withDeadline<T extends RegistryCallOptions>(options: T, what: string): T {
  const ms = options.deadline;
  if (ms === undefined) return options;
  if (typeof ms !== 'number' || !(Number.isFinite(ms) && ms > 0)) throw new InvalidArgument(`${what}: deadline must be a positive number of ms`);
  const controller = new AbortController();
  // unref: a pending request's socket keeps the process alive, not the deadline of a call done
  setTimeout(() => controller.abort(new TimeoutError(`${what} took longer than its ${ms} ms deadline`, { kind: 'deadline' })), ms).unref();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const { deadline: _, ...rest } = options;
  return { ...rest, signal } as T;
}
