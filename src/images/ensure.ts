// images.ensure: make sure an image is here, pulling only when the policy says so (docker's
// --pull=missing|always|never, and an age), once for every caller that asks at the same time.
//
// Concurrent calls for the same name and platform on one client share one flight: one inspect and
// at most one pull, whose events every waiter's Job hands on. A flight ends when its work settles
// and is then forgotten, so a failure is not remembered: the next call tries again. A waiter that
// aborts leaves the flight (rejecting with AbortError); the flight's work is cancelled when the
// last waiter leaves.
import type { AuthConfig } from '../credentials/auth-config.js';
import { AbortError, ImageNotFound, InvalidArgument } from '../errors.js';
import { toAbortError } from '../job.js';
import { checkOptions, optionNames, signalOf, type Cancellable } from '../options.js';
import type { ProgressEvent } from '../progress/events.js';
import { ProgressJob } from '../progress/job.js';
import { ProgressTotals } from '../progress/totals.js';
import type { Client } from './api-client.js';
import { inspectImage } from './inspect.js';
import { parsePlatform, platformMatches, platformPath, type PlatformParts, type PlatformSpec } from '../platform.js';
import { checkRetries, pullTarget, startPull } from './pull.js';
import { joinReference } from '../reference.js';
import type { ImageAttrs } from './types.js';

/** PullPolicy: when to pull, docker's `--pull` policies, or when the local image is older than `maxAge` ms. */
export type PullPolicy = 'missing' | 'always' | 'never' | { maxAge: number };

/** EnsureOptions: the options of `images.ensure`. */
export interface EnsureOptions extends Cancellable {
  /** `missing` (default): pull only when absent; `always`; `never` (absent → ImageNotFound); `{ maxAge }`. */
  pull?: PullPolicy;
  /** The platform wanted; a present image of another platform counts as missing. */
  platform?: PlatformSpec;
  /** Credentials for the registry (default: the client's). */
  authConfig?: AuthConfig;
  /** Tries after a transient pull failure (rate limit, 5xx, reset connection); default 3. */
  retries?: number;
}

/** The option names of EnsureOptions. */
export const ENSURE_OPTIONS = optionNames<EnsureOptions>({
  pull: true,
  platform: true,
  authConfig: true,
  retries: true,
  signal: true,
});

interface Flight {
  /** The flight's outcome: the image's inspect data. */
  result: Promise<ImageAttrs>;
  totals: ProgressTotals;
  /** The pull's tries, once it has ended (0 when there was no pull). */
  tries: number;
  /** Each live waiter's way to hand on an event. */
  listeners: Set<(event: ProgressEvent) => Promise<void> | undefined>;
  /** Waiters still waiting; results handed out. */
  waiters: number;
  handedOut: number;
  /** Cancels the pull when the last waiter leaves (made when a pull starts). */
  controller: AbortController | undefined;
  /** Every waiter left: the flight does no more work. */
  abandoned: boolean;
}

/** The flights under way on one client, by name and platform. */
export class EnsureFlights {
  readonly #flights = new Map<string, Flight>();

  /** The flight for `key`, joined, or started with `work` when there is none. */
  join(key: string, work: (flight: Flight) => Promise<ImageAttrs>): Flight {
    let flight = this.#flights.get(key);
    // (a flight whose last waiter left is ending: a new caller starts another)
    if (!flight || flight.abandoned) {
      const started: Flight = {
        result: undefined as unknown as Promise<ImageAttrs>,
        totals: new ProgressTotals(),
        tries: 0,
        listeners: new Set(),
        waiters: 0,
        handedOut: 0,
        controller: undefined,
        abandoned: false,
      };
      started.result = Promise.resolve()
        .then(() => work(started))
        .finally(() => {
          if (this.#flights.get(key) === started) this.#flights.delete(key);
        });
      started.result.catch(() => {}); // (each waiter sees the failure through its own Job)
      this.#flights.set(key, started);
      flight = started;
    }
    return flight;
  }
}

function checkPolicy(policy: unknown): PullPolicy {
  if (policy === 'missing' || policy === 'always' || policy === 'never') return policy;
  if (policy !== null && typeof policy === 'object' && 'maxAge' in policy) {
    const maxAge = (policy as { maxAge: unknown }).maxAge;
    if (typeof maxAge === 'number' && Number.isFinite(maxAge) && maxAge >= 0) return { maxAge };
  }
  throw new InvalidArgument('pull must be "missing", "always", "never" or { maxAge: milliseconds }');
}

/** True when the local image `attrs` is what the policy and platform accept without a pull. */
function fits(attrs: ImageAttrs, policy: PullPolicy, platform: PlatformParts | undefined): boolean {
  if (
    platform &&
    !platformMatches(
      {
        os: attrs.Os ?? '',
        architecture: attrs.Architecture ?? '',
        ...(attrs.Variant ? { variant: attrs.Variant } : {}),
      },
      platform,
    )
  )
    return false;
  if (typeof policy === 'object') {
    const created = Date.parse(attrs.Created ?? '');
    return Number.isFinite(created) && Date.now() - created <= policy.maxAge;
  }
  return true;
}

/**
 * Makes sure `name` is here as `options.pull` says, and resolves to `finish` of its inspect data
 * (by default the data itself). A ProgressJob with the shared pull's events, `totals` and `tries`;
 * concurrent calls on `flights` for the same name, platform and policy share one inspect and at
 * most one pull. `finish` is told whether another caller was handed the same data already (copy
 * it, then). Bad input rejects the job; `where` names the call in the error.
 */
export function ensureImage<T = ImageAttrs>(
  client: Client,
  flights: EnsureFlights,
  name: string,
  options: EnsureOptions = {},
  finish: (attrs: ImageAttrs, shared: boolean) => T = (attrs) => attrs as T,
  where = 'images.ensure',
): ProgressJob<T> {
  // a cancelled waiter leaves the flight (whose work stops when no waiter is left), and stops
  // waiting at once: told by the Job's onCancel, so that a call that is never cancelled makes no
  // AbortSignal (the cost of ensure of a present image is the inspect's)
  let stopWaiting: ((reason: unknown) => void) | undefined;
  return new ProgressJob<T>(
    async (scope, state) => {
      checkOptions(where, options, ENSURE_OPTIONS);
      const target = pullTarget(name);
      const policy = checkPolicy(options.pull ?? 'missing');
      const platform = options.platform === undefined ? undefined : parsePlatform(options.platform);
      const retries = checkRetries(options.retries ?? 3);
      const reference = joinReference(target.repository, target.tag!);
      const platformName = options.platform === undefined ? undefined : platformPath(options.platform);
      const key = `${reference}\u0000${platformName ?? ''}\u0000${JSON.stringify(policy)}`;

      const work = async (flight: Flight): Promise<ImageAttrs> => {
        // (the inspect is not cancelled when every waiter leaves, only what would follow it)
        if (policy !== 'always') {
          const present = await inspectImage(client, reference).catch((error: unknown) => {
            if (error instanceof ImageNotFound) return undefined;
            throw error;
          });
          if (present && fits(present, policy, platform)) return present;
          if (policy === 'never') {
            throw new ImageNotFound(
              404,
              present ? `${reference} is here, but not for platform ${platformName}` : `No such image: ${reference}`,
              'ensure (pull: never)',
            );
          }
        }
        if (flight.abandoned) throw new AbortError('every caller waiting for the image left');
        const signal = (flight.controller = new AbortController()).signal;
        const pull = startPull(
          client,
          reference,
          {
            ...(platformName !== undefined ? { platform: platformName } : {}),
            ...(options.authConfig ? { authConfig: options.authConfig } : {}),
            retries,
            signal,
          },
          where,
          async () => undefined,
        );
        try {
          for await (const event of pull) {
            flight.totals.update(event);
            const waiting = [...flight.listeners].map((listener) => listener(event)).filter((w) => w !== undefined);
            if (waiting.length) await Promise.all(waiting);
          }
          await pull;
        } finally {
          flight.tries = pull.tries;
        }
        return inspectImage(client, reference, { signal });
      };

      // (the flight is joined when the job starts: a waiter whose signal has already aborted never
      // starts or joins one)
      const joined = flights.join(key, work);
      state.totals = joined.totals;
      joined.waiters++;
      const listener = (event: ProgressEvent): Promise<void> | undefined => scope.emit(event);
      joined.listeners.add(listener);
      try {
        const attrs = await new Promise<ImageAttrs>((resolve, reject) => {
          stopWaiting = (reason) => {
            if (--joined.waiters === 0) {
              joined.abandoned = true;
              joined.controller?.abort(new AbortError('every caller waiting for the image left'));
            }
            reject(toAbortError(reason));
          };
          joined.result.then(resolve, reject);
        });
        return finish(attrs, joined.handedOut++ > 0);
      } finally {
        state.tries = joined.tries;
        stopWaiting = undefined;
        joined.listeners.delete(listener);
      }
    },
    signalOf(options),
    { onCancel: (reason) => stopWaiting?.(reason) },
  );
}
