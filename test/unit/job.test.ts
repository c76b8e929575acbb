import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AbortError, StreamError } from '../../src/errors.js';
import { Job } from '../../src/job.js';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('Job', () => {
  it('is awaitable for its result', async () => {
    const job = new Job<number, string>(async ({ emit }) => {
      emit('a');
      return 42;
    });
    expect(await job).toBe(42);
  });

  it('yields live events, then ends; awaiting afterwards gives the result', async () => {
    const job = new Job<string, number>(async ({ emit }) => {
      for (let i = 0; i < 200; i++) await emit(i);
      return 'done';
    });
    const seen: number[] = [];
    for await (const e of job) seen.push(e);
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(await job).toBe('done');
  });

  it('applies backpressure: the producer waits for a slow consumer', async () => {
    let produced = 0;
    const job = new Job<void, number>(async ({ emit }) => {
      for (let i = 0; i < 1000; i++) {
        produced++;
        await emit(i);
      }
    });
    const it = job[Symbol.asyncIterator]();
    await it.next();
    for (let i = 0; i < 10; i++) await tick();
    expect(produced).toBeLessThan(100);
    for (;;) if ((await it.next()).done) break;
    expect(produced).toBe(1000);
  });

  it('rejects both the iterator and the promise when the operation fails', async () => {
    const job = new Job<void, number>(async ({ emit }) => {
      emit(1);
      throw new Error('boom');
    });
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const e of job) seen.push(e);
      })(),
    ).rejects.toThrow('boom');
    expect(seen).toEqual([1]);
    await expect(job).rejects.toThrow('boom');
  });

  it('cancel() aborts the signal and rejects with AbortError', async () => {
    const job = new Job<void>(
      ({ signal }) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(new AbortError()), { once: true })),
    );
    await tick();
    job.cancel();
    await expect(job).rejects.toBeInstanceOf(AbortError);
  });

  it('once cancelled, a job rejects with AbortError whatever its operation failed with after', async () => {
    // (as an engine answers a cut-off upload with an error of its own)
    const job = new Job<void>(
      ({ signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => setTimeout(() => reject(new StreamError('unexpected EOF')), 5), {
            once: true,
          }),
        ),
    );
    await tick();
    job.cancel();
    const error = await job.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AbortError);
  });

  it('a failure before any cancel stays what it was', async () => {
    const job = new Job<void>(async () => {
      throw new StreamError('no such manifest');
    });
    await expect(job).rejects.toBeInstanceOf(StreamError);
    job.cancel();
  });

  it('onCancel is told once, at once, whether by cancel() or by the caller’s signal; the signal made later is aborted too', async () => {
    const told: unknown[] = [];
    const controller = new AbortController();
    const job = new Job<void>(() => new Promise(() => {}), controller.signal, {
      onCancel: (reason) => told.push(reason),
    });
    await tick();
    controller.abort('first');
    job.cancel('second');
    expect(told).toEqual(['first']);
    expect(job.signal.aborted).toBe(true);
    expect(job.signal.reason).toBe('first');
  });

  it('an aborted caller signal stops the job before it starts', async () => {
    let ran = false;
    const controller = new AbortController();
    controller.abort();
    const job = new Job<void>(async () => {
      ran = true;
    }, controller.signal);
    await expect(job).rejects.toBeInstanceOf(AbortError);
    expect(ran).toBe(false);
  });

  it('lets go of the caller\u2019s signal once finished: many jobs under one signal leave no listener', async () => {
    const controller = new AbortController();
    const signal = controller.signal;
    for (let i = 0; i < 20; i++) await new Job(async () => i, signal);
    await expect(new Job(async () => Promise.reject(new Error('no')), signal)).rejects.toThrow('no');
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    // and the signal still cancels a job that is running
    const running = new Job<void>(() => new Promise(() => {}), signal);
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    controller.abort('stop');
    await expect(running).rejects.toBeInstanceOf(AbortError);
  });

  it('breaking out of the loop detaches the listener; the job still finishes', async () => {
    const job = new Job<string, number>(async ({ emit }) => {
      for (let i = 0; i < 500; i++) await emit(i);
      return 'finished';
    });
    for await (const e of job) if (e === 3) break;
    expect(await job).toBe('finished');
  });

  it('a job nobody awaits does not raise an unhandled rejection', async () => {
    let unhandled = false;
    const onUnhandled = () => (unhandled = true);
    process.on('unhandledRejection', onUnhandled);
    new Job<void>(async () => {
      throw new Error('ignored');
    });
    await tick();
    await tick();
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toBe(false);
  });
});
