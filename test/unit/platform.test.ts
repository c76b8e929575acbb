// One platform shape in, each endpoint's encoding out.
import { describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../src/errors.js';
import { ociPlatform, parsePlatform, platformJson, platformMatches, platformPath } from '../../src/platform.js';

describe('platforms', () => {
  it('reads os[/arch[/variant]] and the object form alike, with the engine’s architecture names', () => {
    expect(parsePlatform('linux/x86_64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform({ os: 'Linux', architecture: 'aarch64', variant: 'v8' })).toEqual({
      os: 'linux',
      architecture: 'arm64',
    });
    expect(parsePlatform('linux/arm/v7')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(parsePlatform('linux')).toEqual({ os: 'linux' });
  });

  it('encodes os/arch[/variant] for pull and build, JSON for the rest', () => {
    expect(platformPath({ os: 'linux', architecture: 'arm', variant: 'v7' })).toBe('linux/arm/v7');
    expect(platformPath('linux')).toBe('linux');
    expect(platformJson('linux/amd64')).toBe('{"os":"linux","architecture":"amd64"}');
    expect(ociPlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64' });
  });

  it.each([
    [''],
    ['a/b/c/d'],
    ['linux//v7'],
    ['linux/ amd64'],
    [42],
    [null],
    [['linux']],
    [{}],
    [{ os: '' }],
    [{ os: 'linux', architecture: 7 }],
  ])('refuses %j', (bad) => {
    expect(() => parsePlatform(bad)).toThrow(InvalidArgument);
  });

  it('the JSON form needs an os and an architecture; the path form an os', () => {
    expect(() => platformJson('linux', 'platforms[0]')).toThrow(
      new InvalidArgument('platforms[0] needs both an os and an architecture (os/arch[/variant])'),
    );
    expect(() => platformPath({ architecture: 'amd64' })).toThrow(/needs an os/);
  });

  it('matches a platform; a variant left out matches any', () => {
    expect(
      platformMatches({ os: 'linux', architecture: 'arm', variant: 'v7' }, { os: 'linux', architecture: 'arm' }),
    ).toBe(true);
    expect(
      platformMatches(
        { os: 'linux', architecture: 'arm', variant: 'v6' },
        { os: 'linux', architecture: 'arm', variant: 'v7' },
      ),
    ).toBe(false);
    expect(platformMatches({ os: 'linux', architecture: 'x86_64' }, { os: 'linux', architecture: 'amd64' })).toBe(true);
  });
});
