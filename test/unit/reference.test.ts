import { describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../src/errors.js';
import { pullTarget } from '../../src/images/pull.js';
import { joinReference, normalizeReference, parseReference, registryOf } from '../../src/reference.js';
import { encodeFilters } from '../../src/images/filters.js';

const digest = `sha256:${'ab'.repeat(32)}`;

describe('parseReference', () => {
  it.each([
    ['busybox', { repository: 'busybox' }],
    ['busybox:1.36', { repository: 'busybox', tag: '1.36' }],
    ['localhost:5000/a/b:tag', { repository: 'localhost:5000/a/b', tag: 'tag' }],
    ['127.0.0.1:5000/a/b', { repository: '127.0.0.1:5000/a/b' }],
    [`x@${digest}`, { repository: 'x', digest }],
    [`reg.example:443/x:t@${digest}`, { repository: 'reg.example:443/x', tag: 't', digest }],
    ['a__b/c-d.e_f', { repository: 'a__b/c-d.e_f' }],
    ['Registry.Example/repo', { repository: 'Registry.Example/repo' }],
  ])('%s', (input, expected) => {
    expect(parseReference(input)).toEqual(expected);
  });

  it.each(['', 'UPPER', 'a/B', 'a b', 'a\nb', 'a:', 'a:-x', '-a', 'a..b', 'a/', '/a', 'a@sha256:123', 'x'.repeat(256)])(
    'refuses %j',
    (input) => {
      expect(() => parseReference(input, 'repository')).toThrow(InvalidArgument);
    },
  );
});

describe('pullTarget', () => {
  it('takes the tag from the name, the option, or latest', () => {
    expect(pullTarget('a')).toEqual({ repository: 'a', tag: 'latest' });
    expect(pullTarget('a:1')).toEqual({ repository: 'a', tag: '1' });
    expect(pullTarget('a', { tag: '2' })).toEqual({ repository: 'a', tag: '2' });
    expect(pullTarget(`a@${digest}`)).toEqual({ repository: 'a', tag: digest });
    expect(pullTarget('a', { tag: digest })).toEqual({ repository: 'a', tag: digest });
    expect(pullTarget('a', { allTags: true })).toEqual({ repository: 'a', tag: undefined });
    expect(() => pullTarget('a:1', { tag: '2' })).toThrow(InvalidArgument);
    expect(() => pullTarget('a:1', { allTags: true })).toThrow(InvalidArgument);
  });
});

describe('helpers', () => {
  it('registryOf finds the registry host', () => {
    expect(registryOf('busybox')).toBe('docker.io');
    expect(registryOf('library/busybox')).toBe('docker.io');
    expect(registryOf('127.0.0.1:5000/x')).toBe('127.0.0.1:5000');
    expect(registryOf('localhost/x')).toBe('localhost');
    expect(registryOf('ghcr.io/a/b')).toBe('ghcr.io');
  });

  it('joinReference uses @ for digests', () => {
    expect(joinReference('a', 'v1')).toBe('a:v1');
    expect(joinReference('a', digest)).toBe(`a@${digest}`);
  });

  it('encodeFilters turns bools and strings into lists of strings', () => {
    expect(encodeFilters({ dangling: true, label: 'a=b', reference: ['x', 'y'], none: undefined })).toEqual({
      dangling: ['true'],
      label: ['a=b'],
      reference: ['x', 'y'],
    });
    expect(encodeFilters({})).toBeUndefined();
  });
});

describe('normalizeReference', () => {
  it.each([
    ['team/app:1', 'docker.io/team/app:1'],
    ['app', 'docker.io/library/app:latest'],
    ['docker.io/app:2', 'docker.io/library/app:2'],
    ['index.docker.io/team/app', 'docker.io/team/app:latest'],
    ['localhost/app', 'localhost/app:latest'],
    ['127.0.0.1:5000/team/app:1', '127.0.0.1:5000/team/app:1'],
    [`app@sha256:${'b'.repeat(64)}`, `docker.io/library/app@sha256:${'b'.repeat(64)}`],
  ])('%s is %s', (given, normalized) => {
    expect(normalizeReference(given)).toBe(normalized);
  });

  it('refuses what is not a reference', () => {
    expect(() => normalizeReference('UPPER/case', 'name')).toThrow(/name "UPPER\/case"/);
  });
});
