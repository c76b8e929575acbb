// A registry call's deadline timer lives as long as the call: cleared when the call settles, so a
// call that ends early leaves no timer behind (fake timers: nothing here waits).
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  endDeadline,
  streamWithinDeadline,
  withDeadline,
  withinDeadline,
} from '../../../src/registry/call-deadline.js';
import { CALL_OPTIONS } from '../../../src/registry/options.js';
import { TimeoutError } from '../../../src/errors.js';
import type { RegistryCallOptions } from '../../../src/registry/options.js';

const within = (what: string, call: (o: RegistryCallOptions) => Promise<unknown>): Promise<unknown> =>
  withinDeadline<RegistryCallOptions, unknown>({ deadline: 1000 }, what, call);

afterEach(() => vi.useRealTimers());

describe('the deadline of a registry call', () => {
  it('is cleared when the call ends early, resolved or rejected: its signal never aborts after', async () => {
    vi.useFakeTimers();
    const signals: AbortSignal[] = [];
    await within('registry.x', async (o) => void signals.push(o.signal!));
    await within('registry.y', async (o) => {
      signals.push(o.signal!);
      throw new Error('done early');
    }).catch(() => {});
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(signals.map((s) => s.aborted)).toEqual([false, false]);
  });

  it('still stops a call that outlives it, with TimeoutError kind deadline', async () => {
    vi.useFakeTimers();
    const running = within('registry.z', (o) => {
      return new Promise((_, reject) => o.signal!.addEventListener('abort', () => reject(o.signal!.reason)));
    });
    vi.advanceTimersByTime(1000);
    const error = await running.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).kind).toBe('deadline');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('endDeadline clears only the timer withDeadline made: a call passed its caller\u2019s signal leaves it running', () => {
    vi.useFakeTimers();
    const own = new AbortController();
    const outer = withDeadline({ deadline: 1000, signal: own.signal }, 'registry.outer');
    endDeadline({ signal: own.signal }); // the user's own signal: no timer of ours
    expect(vi.getTimerCount()).toBe(1);
    void withinDeadline(outer, 'registry.inner', async () => {}); // no deadline of its own
    expect(vi.getTimerCount()).toBe(1);
    endDeadline(outer);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a stream opened with its caller\u2019s signal (files() reading a layer\u2019s blob) leaves the caller\u2019s deadline running when it ends', async () => {
    vi.useFakeTimers();
    const outer = withDeadline<RegistryCallOptions>({ deadline: 1000 }, 'registry.files');
    const blob = streamWithinDeadline(outer, 'registry.blob', CALL_OPTIONS, async function* () {
      yield 1;
    });
    for await (const _ of blob);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(outer.signal!.aborted).toBe(true);
  });
});
