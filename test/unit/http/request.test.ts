import { describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../../src/errors.js';
import { LAST_CHUNK, encodeChunk, encodeQuery, encodeRequestStart, formatPath } from '../../../src/http/request.js';

const dec = new TextDecoder();

describe('encodeRequestStart', () => {
  it('serialises method, target and headers, leaving the head open for framing fields', () => {
    expect(
      encodeRequestStart({ method: 'GET', target: '/v1.41/images/json?all=1', headers: [['Host', 'docker']] }),
    ).toBe('GET /v1.41/images/json?all=1 HTTP/1.1\r\nHost: docker\r\n');
  });

  it('refuses CR, LF or NUL anywhere, with InvalidArgument', () => {
    const bad = [
      { method: 'GET', target: '/a\r\nX: y', headers: [] },
      { method: 'GET', target: '/a\0', headers: [] },
      { method: 'GET', target: '/a b', headers: [] },
      { method: 'GET', target: 'a', headers: [] },
      { method: 'GE T', target: '/', headers: [] },
      { method: 'GET', target: '/', headers: [['X-A', 'v\r\nInjected: 1']] as const },
      { method: 'GET', target: '/', headers: [['X-A', 'v\n']] as const },
      { method: 'GET', target: '/', headers: [['X-A', 'v\0']] as const },
      { method: 'GET', target: '/', headers: [['X A', 'v']] as const },
    ];
    for (const head of bad) expect(() => encodeRequestStart(head), JSON.stringify(head)).toThrow(InvalidArgument);
  });
});

describe('formatPath', () => {
  it('keeps image references intact', () => {
    expect(formatPath('/images/{}/json', 'localhost:5000/a/b:tag')).toBe('/images/localhost:5000/a/b:tag/json');
    expect(formatPath('/images/{}/json', 'x@sha256:abc')).toBe('/images/x@sha256:abc/json');
    expect(formatPath('/images/{}/tag', 'a b#c?d%')).toBe('/images/a%20b%23c%3Fd%25/tag');
  });

  it('refuses empty values, control characters and dot segments', () => {
    expect(() => formatPath('/images/{}/json', '')).toThrow(InvalidArgument);
    expect(() => formatPath('/images/{}/json', 'a\r\nb')).toThrow(InvalidArgument);
    expect(() => formatPath('/images/{}/json', '../../containers/x')).toThrow(InvalidArgument);
    expect(() => formatPath('/images/{}/json', 'a/./b')).toThrow(InvalidArgument);
  });

  it('the result is accepted by the head encoder', () => {
    const target = formatPath('/images/{}/json', 'weird name:tag@sha256:0') + encodeQuery({ q: 'a&b=c' });
    expect(() => encodeRequestStart({ method: 'GET', target, headers: [] })).not.toThrow();
  });
});

describe('encodeQuery', () => {
  it('encodes values, booleans as 1/0, objects as JSON, and leaves out undefined', () => {
    expect(encodeQuery({ all: true, digests: false, filters: { dangling: ['true'] }, x: undefined, n: 3 })).toBe(
      '?all=1&digests=0&filters=%7B%22dangling%22%3A%5B%22true%22%5D%7D&n=3',
    );
    expect(encodeQuery({})).toBe('');
    expect(encodeQuery({ tag: 'a:b/c' })).toBe('?tag=a%3Ab%2Fc');
  });

  it('refuses control characters in values', () => {
    expect(() => encodeQuery({ tag: 'v1\r\nX: y' })).toThrow(InvalidArgument);
  });
});

describe('chunked encoding', () => {
  it('frames chunks with hex sizes and ends with the last chunk', () => {
    const frames = encodeChunk(new Uint8Array(26).fill(97)).map((p) => dec.decode(p));
    expect(frames).toEqual(['1a\r\n', 'a'.repeat(26), '\r\n']);
    expect(encodeChunk(new Uint8Array(0))).toEqual([]);
    expect(dec.decode(LAST_CHUNK)).toBe('0\r\n\r\n');
  });
});
