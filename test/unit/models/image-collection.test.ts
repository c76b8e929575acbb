// images.pull's overloads: Image[] exactly when allTags is true, Image when it is not given or
// false, either when it is a boolean only known at run time (checked by the type checker: npm run
// typecheck covers test/). Nothing is sent: the pulls are cancelled before they start.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { AbortError, Docker, type Image, type ProgressJob, type Transport } from '../../../src/index.js';

const transport: Transport = {
  request: async () => {
    throw new Error('nothing is sent in this test');
  },
  close: async () => {},
};

describe('images.pull', () => {
  it('gives Image[] exactly when allTags is true', async () => {
    const docker = new Docker({ transport });
    const signal = AbortSignal.abort();
    const all = docker.images.pull('me/app', { allTags: true, signal });
    const one = docker.images.pull('me/app', { signal });
    const notAll = docker.images.pull('me/app', { allTags: false, signal });
    const allTags = Math.random() < 2;
    const either = docker.images.pull('me/app', { allTags, signal });
    expectTypeOf(all).toEqualTypeOf<ProgressJob<Image[]>>();
    expectTypeOf(one).toEqualTypeOf<ProgressJob<Image>>();
    expectTypeOf(notAll).toEqualTypeOf<ProgressJob<Image>>();
    expectTypeOf(either).toEqualTypeOf<ProgressJob<Image | Image[]>>();
    for (const job of [all, one, notAll, either]) await expect(job).rejects.toBeInstanceOf(AbortError);
  });
});
