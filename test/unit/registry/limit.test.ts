// limited() and allEnded(): at most `concurrency` tasks at once, in the order given; after a
// failure, tasks not yet started never start, and the failure is heard only once the started ones
// have ended.
import { describe, expect, it } from 'vitest';
import { allEnded, limited } from '../../../src/registry/limit.js';

const later = () => new Promise<void>((r) => setTimeout(r, 2));

describe('limited', () => {
  it('runs at most `concurrency` at once, starting them in order', async () => {
    const limit = limited(3);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const results = await allEnded(
      Array.from({ length: 12 }, (_, i) =>
        limit(async () => {
          started.push(i);
          most = Math.max(most, ++running);
          await later();
          running--;
          return i * 2;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 12 }, (_, i) => i * 2));
    expect(most).toBe(3);
    expect(started).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('starts nothing after a failure, and reports it once the started tasks have ended', async () => {
    const limit = limited(2);
    const started: number[] = [];
    const ended: number[] = [];
    const error = await allEnded(
      Array.from({ length: 6 }, (_, i) =>
        limit(async () => {
          started.push(i);
          await later();
          if (i === 0) throw new Error('first fails');
          await later();
          ended.push(i);
        }),
      ),
    ).catch((e: unknown) => e);
    expect((error as Error).message).toBe('first fails');
    // task 1 was running beside task 0 and was let finish; 2 may have started before 0 failed
    expect(started).not.toContain(3);
    expect(ended).toEqual(started.filter((i) => i !== 0));
  });
});
