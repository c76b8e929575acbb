// Jobs in tests: every event a job hands out, and its result.
import type { Job } from '../../src/api.js';

/** Iterates `job` to its end, then awaits it: the events seen live, and the result. */
export async function collectJob<T, E>(job: Job<T, E>): Promise<{ live: E[]; result: T }> {
  const live: E[] = [];
  for await (const event of job) live.push(event);
  return { live, result: await job };
}
