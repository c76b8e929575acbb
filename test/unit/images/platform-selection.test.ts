import { describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../../src/errors.js';
import { Repeated } from '../../../src/http/request.js';
import { platformSelection } from '../../../src/images/platform-selection.js';

describe('platformSelection: save and load take one platform (API 1.48) or several (API 1.52)', () => {
  it('nothing asked: every platform, no version needed', () => {
    expect(platformSelection('save', undefined, undefined)).toEqual({ query: undefined, needs: undefined });
  });

  it('one platform is its JSON, needing 1.48', () => {
    expect(platformSelection('load', 'linux/arm64/v8', undefined)).toEqual({
      query: '{"os":"linux","architecture":"arm64"}',
      needs: ['1.48', 'load: platform'],
    });
  });

  it('several platforms are the platform parameter repeated, needing 1.52', () => {
    const { query, needs } = platformSelection('save', undefined, [
      'linux/amd64',
      { os: 'linux', architecture: 'arm', variant: 'v7' },
    ]);
    expect(query).toBeInstanceOf(Repeated);
    expect((query as Repeated).values).toEqual([
      '{"os":"linux","architecture":"amd64"}',
      '{"os":"linux","architecture":"arm","variant":"v7"}',
    ]);
    expect(needs).toEqual(['1.52', 'save: platforms']);
  });

  it('refuses both at once, an empty or non-array platforms, and a platform without an architecture, naming it', () => {
    expect(() => platformSelection('save', 'linux/amd64', ['linux/arm64'])).toThrow(
      /save: platform and platforms cannot be given together/,
    );
    expect(() => platformSelection('load', undefined, [])).toThrow(/load: platforms must be a non-empty array/);
    expect(() => platformSelection('load', undefined, 'linux/amd64')).toThrow(InvalidArgument);
    expect(() => platformSelection('save', undefined, ['linux/amd64', 'linux'])).toThrow(
      /platforms\[1\] needs both an os and an architecture/,
    );
  });
});
