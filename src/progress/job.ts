// The Job for a pull or push: the engine's events, a running ProgressTotals, and the log; tried
// again, when a RetryPolicy says so, after a failure that may pass (a registry's rate limit).
import { AbortError, DockerError } from '../errors.js';
import { Job, toAbortError, type JobScope } from '../job.js';
import type { ProgressEvent } from './events.js';
import { readProgress } from './read.js';
import { ProgressTotals } from './totals.js';

export type ProgressJob<T> = Job<T, ProgressEvent> & { readonly totals: ProgressTotals };

/** When to try a failed operation again, and how long to wait first. */
export interface RetryPolicy {
  /** Tries after the first; 0 for none. */
  retries: number;
  /** True for a failure that may pass if tried again. */
  transient(error: unknown): boolean;
  /** Milliseconds to wait before retry `n` (1 for the first). */
  delay(n: number): number;
}

/**
 * Starts `open` (which sends the request and returns the response body), reads its progress stream
 * through the job, then computes the result with `finish(log)`. With `retry`, a transient failure
 * of the request or its stream starts them again after the policy's delay; the error after the
 * last try says how many tries were made.
 */
export function progressJob<T>(
  open: (signal: AbortSignal) => Promise<AsyncIterable<Uint8Array>>,
  finish: (log: ProgressEvent[], signal: AbortSignal) => Promise<T>,
  signal?: AbortSignal,
  retry?: RetryPolicy,
): ProgressJob<T> {
  const totals = new ProgressTotals();
  const job = new Job<T, ProgressEvent>(async (context: JobScope<ProgressEvent>) => {
    for (let tries = 1; ; tries++) {
      let log: ProgressEvent[];
      try {
        const body = await open(context.signal);
        log = await readProgress(body, (event) => {
          totals.update(event);
          return context.emit(event);
        });
      } catch (error) {
        if (!retry || tries > retry.retries || context.signal.aborted || !retry.transient(error)) throw tried(error, tries);
        await delay(retry.delay(tries), context.signal);
        continue;
      }
      return finish(log, context.signal);
    }
  }, signal);
  return Object.defineProperty(job, 'totals', { value: totals, enumerable: true }) as ProgressJob<T>;
}

/** `error`, its message saying how many tries were made when there was more than one. */
function tried(error: unknown, tries: number): unknown {
  if (tries > 1 && error instanceof DockerError && !(error instanceof AbortError)) error.message += ` (after ${tries} tries)`;
  return error;
}

/** Resolves after `ms`, or rejects with AbortError as soon as `signal` aborts. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(toAbortError(signal.reason));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
