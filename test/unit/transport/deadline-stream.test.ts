// A stream handed back by a call with a deadline is read within it, and the deadline ends with the
// stream: read to its end, failed, left by `break`, or a Readable made from it destroyed half-way.
// The streams here are generators the test controls; fake timers make the deadline expire on cue.
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AbortError, TimeoutError } from '../../../src/errors.js';
import { callDeadline, runningCallDeadlines } from '../../../src/transport/deadline.js';
import { deadlineBody, readWithin } from '../../../src/transport/deadline-stream.js';
import { textBody } from '../../support/text-body.js';

afterEach(() => vi.useRealTimers());

// the deadlines this test made that are running (one another test left behind is not counted)
let before = 0;
beforeEach(() => void (before = runningCallDeadlines()));
const running = (): number => runningCallDeadlines() - before;

/** A stream of `count` chunks, and whether it was let go of (its finally ran). */
function chunks(count: number): { stream: AsyncIterable<Uint8Array>; released: () => boolean } {
  let released = false;
  return {
    stream: (async function* () {
      try {
        for (let i = 0; i < count; i++) yield new Uint8Array([i]);
      } finally {
        released = true;
      }
    })(),
    released: () => released,
  };
}

/** `stream` read within a deadline of `ms`, as an iterable. */
const within = (stream: AsyncIterable<Uint8Array>, ms = 60_000, signal?: AbortSignal): AsyncIterable<Uint8Array> => ({
  [Symbol.asyncIterator]: () =>
    readWithin(
      () => callDeadline(ms, 'test.read', signal),
      () => stream,
    ),
});

describe('a stream read within its call\u2019s deadline', () => {
  it('read to its end: every chunk, and the deadline has ended', async () => {
    const { stream } = chunks(3);
    const got: number[] = [];
    for await (const chunk of within(stream)) {
      expect(running()).toBe(1);
      got.push(chunk[0]!);
    }
    expect(got).toEqual([0, 1, 2]);
    expect(running()).toBe(0);
  });

  it('left by break: the stream is let go of and the deadline has ended', async () => {
    const { stream, released } = chunks(10);
    for await (const _ of within(stream)) break;
    expect(released()).toBe(true);
    expect(running()).toBe(0);
  });

  it('a Readable made from it, destroyed half-way: the deadline has ended', async () => {
    const { stream, released } = chunks(10);
    const readable = Readable.from(within(stream), { objectMode: false, highWaterMark: 1 });
    await new Promise<void>((resolve) => readable.once('data', () => resolve()));
    readable.destroy();
    await new Promise<void>((resolve) => readable.once('close', () => resolve()));
    expect(released()).toBe(true);
    expect(running()).toBe(0);
  });

  it('a stream that fails: its error, and the deadline has ended', async () => {
    const failing = (async function* () {
      yield new Uint8Array(1);
      throw new Error('broken');
    })();
    const reading = async (): Promise<void> => {
      for await (const _ of within(failing));
    };
    await expect(reading()).rejects.toThrow('broken');
    expect(running()).toBe(0);
  });

  it('a deadline that expires while it is read fails the next read, TimeoutError kind deadline, and the stream is let go of', async () => {
    vi.useFakeTimers();
    const { stream, released } = chunks(10);
    const reading = within(stream, 5)[Symbol.asyncIterator]();
    expect((await reading.next()).value).toEqual(new Uint8Array([0]));
    vi.advanceTimersByTime(5);
    // the next chunk is there to be had: the deadline refuses it all the same
    const error = await reading.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).kind).toBe('deadline');
    expect(released()).toBe(true);
    expect(running()).toBe(0);
    expect(await reading.next()).toEqual({ done: true, value: undefined });
  });

  it('the call\u2019s own signal aborted while it is read: AbortError on the next read, and the deadline has ended', async () => {
    const controller = new AbortController();
    const { stream, released } = chunks(10);
    const reading = within(stream, 60_000, controller.signal)[Symbol.asyncIterator]();
    await reading.next();
    controller.abort();
    await expect(reading.next()).rejects.toBeInstanceOf(AbortError);
    expect(released()).toBe(true);
    expect(running()).toBe(0);
  });

  it('nothing starts before the first read, and a stream left before it starts nothing', async () => {
    let begun = 0;
    const reading = readWithin(
      () => (begun++, callDeadline(1000, 'test.read', undefined)),
      () => chunks(1).stream,
    );
    expect(begun).toBe(0);
    expect(await reading.return!()).toEqual({ done: true, value: undefined });
    expect(await reading.next()).toEqual({ done: true, value: undefined });
    expect([begun, running()]).toEqual([0, 0]);
  });

  it('a stream that cannot be opened rejects the first read, and the deadline has ended', async () => {
    const reading = readWithin(
      () => callDeadline(1000, 'test.read', undefined),
      () => Promise.reject(new Error('no such blob')),
    );
    await expect(reading.next()).rejects.toThrow('no such blob');
    expect(running()).toBe(0);
  });
});

describe('a response body read within its call\u2019s deadline', () => {
  it.each([
    ['bytes', (b: ReturnType<typeof deadlineBody>) => b.bytes()],
    ['text', (b: ReturnType<typeof deadlineBody>) => b.text()],
    ['json', (b: ReturnType<typeof deadlineBody>) => b.json()],
    ['dump', (b: ReturnType<typeof deadlineBody>) => b.dump()],
    ['cancel', (b: ReturnType<typeof deadlineBody>) => b.cancel()],
  ])('read or let go of by %s: the deadline has ended', async (_what, read) => {
    const body = deadlineBody(textBody('{"a":1}'), callDeadline(60_000, 'GET /x', undefined));
    expect(running()).toBe(1);
    await read(body);
    expect(running()).toBe(0);
  });

  it('read whole once its deadline has expired: TimeoutError kind deadline, the body cancelled', async () => {
    vi.useFakeTimers();
    let cancelled = false;
    const body = deadlineBody(
      { ...textBody('{}'), cancel: () => void (cancelled = true) },
      callDeadline(5, 'GET /x', undefined),
    );
    vi.advanceTimersByTime(5);
    const error = await body.json().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).kind).toBe('deadline');
    expect(cancelled).toBe(true);
  });
});
