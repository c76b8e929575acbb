// The pull/push Job's retries: a transient failure starts the request again after the policy's
// delay; anything else, or the last try, rejects with that try's error, and the job counts its tries.
import { describe, expect, it } from 'vitest';
import { AbortError, APIError, ConnectionError, StreamError } from '../../../src/errors.js';
import { isTransientPullError } from '../../../src/images/pull.js';
import { ProgressJob, progressJob, type RetryPolicy } from '../../../src/progress/job.js';

const line = (event: object): Uint8Array => new TextEncoder().encode(`${JSON.stringify(event)}\n`);

/** An `open` that answers with each of `answers` in turn: an error to throw, or events to stream. */
function opener(answers: Array<Error | object[]>): {
  open: () => Promise<AsyncIterable<Uint8Array>>;
  opened: () => number;
} {
  let n = 0;
  return {
    opened: () => n,
    open: async () => {
      const answer = answers[n++]!;
      if (answer instanceof Error) throw answer;
      return (async function* () {
        for (const event of answer) yield line(event);
      })();
    },
  };
}

const policy = (retries: number): RetryPolicy => ({ retries, transient: isTransientPullError, delay: () => 1 });

describe('progressJob retries', () => {
  it('tries again after a transient failure, in the request or in its stream, and succeeds', async () => {
    const { open, opened } = opener([
      new APIError(429, 'toomanyrequests: slow down'),
      [{ status: 'x' }, { errorDetail: { message: 'toomanyrequests: rate limit' } }],
      [{ status: 'Pull complete', id: 'abcdef012345' }],
    ]);
    const job = progressJob(undefined, () => ({ open, finish: async (log) => log.length, retry: policy(3) }));
    expect(job).toBeInstanceOf(ProgressJob);
    expect(await job).toBe(1);
    expect(opened()).toBe(3);
    expect(job.tries).toBe(3);
    expect(job.totals.layersDone).toBe(1);
  });

  it("after the last try, the job rejects with that try's error, unchanged, and says how many tries were made", async () => {
    const last = new APIError(503, 'unavailable');
    const { open, opened } = opener([new APIError(503, 'unavailable'), new APIError(503, 'unavailable'), last]);
    const job = progressJob(undefined, () => ({ open, finish: async () => 0, retry: policy(2) }));
    const error = await job.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBe(last);
    expect((error as Error).message).toBe('503 unavailable');
    expect(job.tries).toBe(3);
    expect(opened()).toBe(3);
  });

  it('never tries again after a permanent failure, or without a policy', async () => {
    const notFound = opener([new APIError(404, 'manifest unknown'), []]);
    await expect(
      progressJob(undefined, () => ({ open: notFound.open, finish: async () => 0, retry: policy(3) })),
    ).rejects.toThrow(/^404 manifest unknown$/);
    expect(notFound.opened()).toBe(1);
    const none = opener([new APIError(429, 'toomanyrequests'), []]);
    await expect(progressJob(undefined, () => ({ open: none.open, finish: async () => 0 }))).rejects.toThrow(
      /^429 toomanyrequests$/,
    );
    expect(none.opened()).toBe(1);
  });

  it('a cancel during the wait before a retry is AbortError, and nothing more is sent', async () => {
    const { open, opened } = opener([new APIError(429, 'toomanyrequests'), []]);
    const job = progressJob(undefined, () => ({
      open,
      finish: async () => 0,
      retry: { retries: 3, transient: isTransientPullError, delay: () => 10_000 },
    }));
    setTimeout(() => job.cancel(), 20);
    await expect(job).rejects.toBeInstanceOf(AbortError);
    expect(opened()).toBe(1);
  });
});

describe('progressJob input', () => {
  it('what start throws rejects the job, and nothing is opened', async () => {
    const { open, opened } = opener([[]]);
    const job = progressJob(undefined, () => {
      if (opened() === 0) throw new TypeError('bad input');
      return { open, finish: async () => 0 };
    });
    await expect(job).rejects.toThrow('bad input');
    expect(opened()).toBe(0);
    expect(job.tries).toBe(0);
  });
});

describe('isTransientPullError', () => {
  it.each([
    [new APIError(429, 'Too Many Requests'), true],
    [new APIError(500, 'toomanyrequests: You have reached your pull rate limit.'), true],
    [new APIError(502, 'Bad Gateway'), true],
    [new StreamError('received unexpected HTTP status: 503 Service Unavailable'), true],
    [new ConnectionError('connection to x failed: ECONNRESET'), true],
    [new APIError(404, 'manifest for x:1 not found: manifest unknown'), false],
    [new APIError(500, 'unauthorized: authentication required'), false],
    [new APIError(500, 'denied: requested access to the resource is denied'), false],
    [new StreamError('manifest unknown'), false],
    [new APIError(400, 'invalid reference format'), false],
    [new Error('plain'), false],
  ])('%s → %s', (error, transient) => {
    expect(isTransientPullError(error)).toBe(transient);
  });
});
