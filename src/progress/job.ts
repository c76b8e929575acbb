// The Job for a pull or push: the engine's events, a running ProgressTotals, and the log.
import { Job, type JobScope } from '../job.js';
import type { ProgressEvent } from './events.js';
import { readProgress } from './read.js';
import { ProgressTotals } from './totals.js';

export type ProgressJob<T> = Job<T, ProgressEvent> & { readonly totals: ProgressTotals };

/**
 * Starts `open` (which sends the request and returns the response body), reads its progress stream
 * through the job, then computes the result with `finish(log)`.
 */
export function progressJob<T>(
  open: (signal: AbortSignal) => Promise<AsyncIterable<Uint8Array>>,
  finish: (log: ProgressEvent[], signal: AbortSignal) => Promise<T>,
  signal?: AbortSignal,
): ProgressJob<T> {
  const totals = new ProgressTotals();
  const job = new Job<T, ProgressEvent>(async (context: JobScope<ProgressEvent>) => {
    const body = await open(context.signal);
    const log = await readProgress(body, (event) => {
      totals.update(event);
      return context.emit(event);
    });
    return finish(log, context.signal);
  }, signal);
  return Object.defineProperty(job, 'totals', { value: totals, enumerable: true }) as ProgressJob<T>;
}
