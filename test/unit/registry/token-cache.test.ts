import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPIRES_IN, TokenCache } from '../../../src/registry/token-cache.js';

describe('TokenCache', () => {
  it('keeps a token until shortly before expires_in, then forgets it', () => {
    let now = 1_000_000;
    const cache = new TokenCache(() => now);
    cache.set('k', 't', 300);
    now += 294_000;
    expect(cache.get('k')).toBe('t');
    now += 2_000;
    expect(cache.get('k')).toBeUndefined();
  });

  it('gives a token without expires_in the spec default of 60 s', () => {
    let now = 0;
    const cache = new TokenCache(() => now);
    cache.set('k', 't', undefined);
    now = (DEFAULT_EXPIRES_IN - 6) * 1000;
    expect(cache.get('k')).toBe('t');
    now = DEFAULT_EXPIRES_IN * 1000;
    expect(cache.get('k')).toBeUndefined();
  });

  it('keeps scopes apart', () => {
    const cache = new TokenCache(() => 0);
    cache.set('a', '1', 60);
    cache.set('b', '2', 60);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual(['1', '2', undefined]);
  });

  it('fetches once for callers that ask at the same time, and again after a failure', async () => {
    const cache = new TokenCache(() => 0);
    let fetches = 0;
    const fetch = async (): Promise<{ token: string; expiresIn: number }> => ({
      token: `t${++fetches}`,
      expiresIn: 60,
    });
    expect(await Promise.all([cache.obtain('k', fetch), cache.obtain('k', fetch), cache.obtain('k', fetch)])).toEqual([
      't1',
      't1',
      't1',
    ]);
    expect(await cache.obtain('k', fetch)).toBe('t1');
    expect(fetches).toBe(1);
    await expect(cache.obtain('x', () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await cache.obtain('x', fetch)).toBe('t2');
  });
});
