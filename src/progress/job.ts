// ProgressJob: a Job that keeps running totals of its progress events and counts its tries; and
// the pull/push Job built on it, tried again, when a RetryPolicy says so, after a failure that
// may pass (a registry's rate limit).
import { toAbortError, Job, type JobOptions, type JobScope } from '../job.js';
import type { ProgressEvent } from './events.js';
import { readProgress } from './read.js';
import { ProgressTotals } from './totals.js';

/** ProgressState: what a ProgressJob's work updates as it runs, read through the job. */
export interface ProgressState {
  /** The running totals (the work may swap in totals it shares with other jobs). */
  totals: ProgressTotals;
  /** The tries made so far (1 once the work has started, more after retries). */
  tries: number;
}

/**
 * ProgressJob: a Job whose events are progress, with `totals` (bytes and layers done so far, for
 * one progress bar) and `tries` (how many times the operation was tried: a pull with `retries`
 * tries again after a rate limit). A failed job rejects with the last try's error, unchanged.
 */
export class ProgressJob<T, E = ProgressEvent> extends Job<T, E> {
  readonly #state: ProgressState;

  /** Starts `run` as a Job; `run` updates the state that `totals` and `tries` read. */
  constructor(
    run: (scope: JobScope<E>, state: ProgressState) => Promise<T>,
    signal?: AbortSignal,
    options?: JobOptions,
  ) {
    const state: ProgressState = { totals: new ProgressTotals(), tries: 0 };
    super((scope) => run(scope, state), signal, options);
    this.#state = state;
  }

  /** The running totals over the events so far. */
  get totals(): ProgressTotals {
    return this.#state.totals;
  }

  /** How many times the operation was tried so far (0 before it starts). */
  get tries(): number {
    return this.#state.tries;
  }
}

/** RetryPolicy: when to try a failed operation again, and how long to wait first. */
export interface RetryPolicy {
  /** Tries after the first; 0 for none. */
  retries: number;
  /** True for a failure that may pass if tried again. */
  transient(error: unknown): boolean;
  /** Milliseconds to wait before retry `n` (1 for the first). */
  delay(n: number): number;
}

/** ProgressWork: what a pull or push does, made once its input is checked. */
export interface ProgressWork<T> {
  /** Sends the request; resolves to the response body, a progress stream. */
  open(signal: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
  /** Computes the result from the whole log. */
  finish(log: ProgressEvent[], signal: AbortSignal): Promise<T>;
  /** When to try again after a failure of `open` or of the stream. */
  retry?: RetryPolicy | undefined;
}

/**
 * progressJob: a ProgressJob that calls `start` (which checks the input: what it throws rejects
 * the job, before anything is sent), opens the progress stream, reads it through the job, then
 * finishes with the whole log. With a retry policy, a transient failure of the request or its
 * stream starts them again after the policy's delay; the job's `tries` says how many were made.
 */
export function progressJob<T>(signal: AbortSignal | undefined, start: () => ProgressWork<T>): ProgressJob<T> {
  return new ProgressJob<T>(async (scope, state) => {
    const { open, finish, retry } = start();
    for (;;) {
      state.tries++;
      let log: ProgressEvent[];
      try {
        const body = await open(scope.signal);
        log = await readProgress(body, (event) => {
          state.totals.update(event);
          return scope.emit(event);
        });
      } catch (error) {
        if (!retry || state.tries > retry.retries || scope.signal.aborted || !retry.transient(error)) throw error;
        await delay(retry.delay(state.tries), scope.signal);
        continue;
      }
      return finish(log, scope.signal);
    }
  }, signal);
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
