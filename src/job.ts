// Job<T, E>: what every long operation returns. `await job` gives the result; `for await (const
// e of job)` gives the live events first; `job.cancel()` or the caller's AbortSignal stops it.
//
// The job starts at once (as docker-py's calls do). Until someone listens, events are held in a
// bounded queue; once the job is awaited without an iterator, events are no longer queued. While
// an iterator is attached, the producer waits for the consumer whenever the queue is full, so a
// slow consumer pauses the socket instead of growing memory.
import { AbortError } from './errors.js';
import { checkOptions, optionNames } from './options.js';

/** JobScope: what a Job's work is given, a way to hand on events and the job's AbortSignal. */
export interface JobScope<E> {
  /** Hands an event to listeners; await the returned promise to respect backpressure. */
  emit(event: E): Promise<void> | undefined;
  /** Aborts when the job is cancelled (made when first asked for). */
  readonly signal: AbortSignal;
}

/** JobOptions: the options of `new Job(run, signal, options)`. */
export interface JobOptions {
  /**
   * Called once, at once, when the job is cancelled (job.cancel() or the caller's signal): for
   * work that waits on something it does not own, and must stop waiting.
   */
  onCancel?: (reason: unknown) => void;
}

const JOB_OPTIONS = optionNames<JobOptions>({ onCancel: true });

const HIGH_WATER = 64;
const UNCLAIMED_LIMIT = 1024;

/** Job: a long operation (build, pull, push, load): `await` it for the result, `for await` over it for the live events, `cancel()` it to stop. */
export class Job<T, E = unknown> implements PromiseLike<T>, AsyncIterable<E> {
  // made only when someone asks for the signal: most jobs never are cancelled, and an
  // AbortSignal is an EventTarget (what a short job like images.ensure of a present image costs)
  #controller: AbortController | undefined;
  #cancelled: { reason: unknown } | undefined;
  readonly #onCancel: ((reason: unknown) => void) | undefined;
  readonly #promise: Promise<T>;
  #queue: E[] = [];
  #mode: 'unclaimed' | 'result' | 'stream' = 'unclaimed';
  #finished = false;
  #wakeConsumer: (() => void) | undefined;
  #wakeProducer: (() => void) | undefined;

  /** Starts `run` at once (in a microtask); `signal` cancels the job. Unknown options are InvalidArgument, thrown. */
  constructor(run: (scope: JobScope<E>) => Promise<T>, signal?: AbortSignal, options: JobOptions = {}) {
    checkOptions('new Job', options, JOB_OPTIONS);
    this.#onCancel = options.onCancel;
    // (the listener goes once the job has finished: a signal shared by many jobs keeps none of them)
    const onAbort = (): void => this.#cancel(signal?.reason);
    if (signal) {
      if (signal.aborted) this.#cancel(signal.reason);
      else signal.addEventListener('abort', onAbort, { once: true });
    }
    const job = this;
    const scope: JobScope<E> = {
      emit: (event) => this.#emit(event),
      get signal() {
        return job.signal;
      },
    };
    this.#promise = Promise.resolve()
      .then(() => {
        if (this.#cancelled) throw toAbortError(this.#cancelled.reason);
        return run(scope);
      })
      .catch((error: unknown) => {
        // Once cancelled, the job ends with the cancellation: what the operation failed with
        // after it (the engine's answer to a cut-off upload, say) is only its consequence.
        if (this.#cancelled && !(error instanceof AbortError)) throw toAbortError(this.#cancelled.reason);
        throw error;
      })
      .finally(() => {
        signal?.removeEventListener('abort', onAbort);
        this.#finished = true;
        this.#wakeConsumer?.();
      });
    // A job nobody awaits must not crash the process with an unhandled rejection; callers see the
    // error through then() or the iterator.
    this.#promise.catch(() => {});
  }

  /** Stops the operation; the job rejects with AbortError. */
  cancel(reason?: unknown): void {
    this.#cancel(reason ?? new AbortError('The job was cancelled'));
  }

  #cancel(reason: unknown): void {
    if (this.#cancelled) return;
    this.#cancelled = { reason };
    this.#controller?.abort(reason);
    this.#wakeProducer?.();
    this.#onCancel?.(reason);
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      // every request the job has in flight listens to it (a copy's blobs and referrers at once), and
      // each lets go when it ends: past Node's 10 that is concurrency, not a leak
      process.getBuiltinModule('node:events').setMaxListeners(0, this.#controller.signal);
      if (this.#cancelled) this.#controller.abort(this.#cancelled.reason);
    }
    return this.#controller.signal;
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    if (this.#mode === 'unclaimed') {
      this.#mode = 'result';
      this.#queue = [];
      this.#wakeProducer?.();
    }
    return this.#promise.then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onfinally);
  }

  [Symbol.asyncIterator](): AsyncIterator<E> {
    if (this.#mode === 'stream') throw new TypeError('a Job can be iterated only once');
    this.#mode = 'stream';
    return {
      next: async (): Promise<IteratorResult<E>> => {
        for (;;) {
          if (this.#queue.length > 0) {
            const value = this.#queue.shift()!;
            if (this.#queue.length < HIGH_WATER / 2) this.#wakeProducer?.();
            return { value, done: false };
          }
          if (this.#finished) {
            await this.#promise; // rethrows the job's error
            return { value: undefined, done: true };
          }
          await new Promise<void>((resolve) => (this.#wakeConsumer = resolve));
          this.#wakeConsumer = undefined;
        }
      },
      // Leaving the loop early detaches the listener; the job goes on to its result.
      return: async (): Promise<IteratorResult<E>> => {
        this.#mode = 'result';
        this.#queue = [];
        this.#wakeProducer?.();
        return { value: undefined, done: true };
      },
    };
  }

  #emit(event: E): Promise<void> | undefined {
    if (this.#mode === 'result') return undefined;
    this.#queue.push(event);
    this.#wakeConsumer?.();
    if (this.#mode === 'unclaimed') {
      if (this.#queue.length > UNCLAIMED_LIMIT) this.#queue.shift();
      return undefined;
    }
    if (this.#queue.length < HIGH_WATER) return undefined;
    return new Promise<void>((resolve) => {
      const signal = this.signal;
      const done = (): void => {
        this.#wakeProducer = undefined;
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.#wakeProducer = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

export function toAbortError(reason: unknown): Error {
  if (reason instanceof AbortError) return reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason;
  return new AbortError('The operation was aborted', { cause: reason });
}

/**
 * A job that passes on `inner`'s events and then turns its result into another: cancelling
 * either cancels both.
 */
export function mapJob<T, U, E>(
  inner: Job<T, E>,
  finish: (value: T, signal: AbortSignal) => Promise<U>,
  signal?: AbortSignal,
): Job<U, E> {
  return new Job<U, E>(async (scope) => {
    const stop = (): void => inner.cancel(scope.signal.reason);
    scope.signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const event of inner) {
        const waiting = scope.emit(event);
        if (waiting) await waiting;
      }
      return await finish(await inner, scope.signal);
    } finally {
      scope.signal.removeEventListener('abort', stop);
    }
  }, signal);
}
