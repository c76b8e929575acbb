// What the engine's progress events look like, and the one rule that turns an error line inside
// a 200 stream into a typed error.
import { StreamError } from '../errors.js';

/** ProgressEvent: one event of a pull, push, load or build stream; field names are the engine's. */
export interface ProgressEvent {
  id?: string;
  status?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number; [key: string]: unknown };
  stream?: string;
  aux?: unknown;
  error?: string;
  errorDetail?: { code?: number; message?: string };
  [key: string]: unknown;
}

/** A StreamError for an event carrying `errorDetail` (or only the deprecated `error`), else undefined. */
export function streamErrorOf(event: unknown): StreamError | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const e = event as ProgressEvent;
  if (e.errorDetail === undefined && e.error === undefined) return undefined;
  const message = e.errorDetail?.message ?? e.error ?? 'unknown error';
  return new StreamError(String(message), typeof e.errorDetail?.code === 'number' ? e.errorDetail.code : undefined);
}
