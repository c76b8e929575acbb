// Inactivity timeouts that cost a field write to re-arm. An exchange re-arms its timeout on every
// chunk it receives and cancels it when done; done with setTimeout/clearTimeout, that is two
// timer-list operations per request and per chunk, a measurable share of a small call. Instead,
// every pending deadline of a second or more is checked by one shared interval (a quarter second
// apart), as undici's fast timers do; shorter ones keep a precise setTimeout of their own.
import { AbortError, DockerError, InvalidArgument, TimeoutError } from '../errors.js';

/** DEFAULT_HEADERS_TIMEOUT: the whole-head deadline of registry responses unless told otherwise, in ms (TransportRequest.headersTimeout). */
export const DEFAULT_HEADERS_TIMEOUT = 30_000;

/**
 * DEFAULT_ENGINE_HEADERS_TIMEOUT: the engine's, in ms (undici's default): an engine may answer a
 * prune, a load on the containerd store or a container stop only when the work is done.
 */
export const DEFAULT_ENGINE_HEADERS_TIMEOUT = 300_000;

/** Deadlines of at least this many ms are checked by the shared interval. */
const COARSE_FROM = 1000;
/** How often the shared interval looks (so a coarse timeout fires at most this late). */
const TICK = 250;

const pending = new Set<Deadline>();
let ticker: NodeJS.Timeout | undefined;

function tick(): void {
  const now = Date.now();
  for (const deadline of pending) deadline.check(now);
  if (pending.size === 0) {
    clearInterval(ticker);
    ticker = undefined;
  }
}

export class Deadline {
  readonly #onExpire: () => void;
  #at = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(onExpire: () => void) {
    this.#onExpire = onExpire;
  }

  /** (Re)starts the countdown: `ms` from now (0 or less: no timeout). */
  arm(ms: number): void {
    if (ms <= 0) return this.cancel();
    if (ms < COARSE_FROM) {
      this.cancel(); // whichever kind was armed before
      this.#timer = setTimeout(() => this.#expire(), ms);
      return;
    }
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#at = Date.now() + ms;
    if (!pending.has(this)) {
      pending.add(this);
      // unref: a pending request's own socket is what keeps the process alive
      ticker ??= setInterval(tick, TICK).unref();
    }
  }

  cancel(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#at !== 0) {
      this.#at = 0;
      pending.delete(this);
    }
  }

  /** Called by the shared interval. */
  check(now: number): void {
    if (this.#at !== 0 && now >= this.#at) this.#expire();
  }

  #expire(): void {
    this.cancel();
    this.#onExpire();
  }
}

/**
 * The error an abort with `reason` fails a request with: the reason itself when it is one of ours
 * (a call's deadline aborts with its TimeoutError), else AbortError.
 */
export function abortError(reason: unknown): DockerError {
  return reason instanceof DockerError ? reason : new AbortError('The request was aborted', { cause: reason });
}

/** CallDeadline: the signal of a call with a whole-call deadline, and the clearing of its timer once the call is over. */
export interface CallDeadline {
  signal: AbortSignal;
  clear(): void;
}

/** How many call deadlines are running: made, and neither cleared nor expired yet. */
let running = 0;

/** The number of call deadlines running (made by callDeadline, not yet cleared or expired), for tests. */
export function runningCallDeadlines(): number {
  return running;
}

/**
 * The deadline of a call of `ms` (its signal aborted with TimeoutError, kind `deadline`, then),
 * joined with the call's own `signal`. Its timer is unref'd, so a call that ends early without
 * `clear()` does not keep the process alive, and cleared by `clear()` (again: nothing).
 */
export function callDeadline(ms: unknown, what: string, signal: AbortSignal | undefined): CallDeadline {
  if (typeof ms !== 'number' || !(Number.isFinite(ms) && ms > 0))
    throw new InvalidArgument(`${what}: deadline must be a positive number of ms`);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined = setTimeout(() => {
    timer = undefined;
    running--;
    controller.abort(new TimeoutError(`${what} took longer than its ${ms} ms deadline`, { kind: 'deadline' }));
  }, ms).unref();
  running++;
  return {
    signal: signal ? AbortSignal.any([signal, controller.signal]) : controller.signal,
    clear: () => {
      if (timer === undefined) return;
      clearTimeout(timer);
      timer = undefined;
      running--;
    },
  };
}
