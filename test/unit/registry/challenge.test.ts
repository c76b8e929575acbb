import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import { parseChallenges } from '../../../src/registry/challenge.js';

describe('parseChallenges (RFC 7235)', () => {
  const rows: Array<[string, unknown]> = [
    ['Basic realm="dockwire"', [{ scheme: 'basic', params: { realm: 'dockwire' } }]],
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:library/busybox:pull',
          },
        },
      ],
    ],
    // several challenges in one field, parameters unquoted and spaced
    [
      'Bearer realm="r", service=s , Basic realm="b"',
      [
        { scheme: 'bearer', params: { realm: 'r', service: 's' } },
        { scheme: 'basic', params: { realm: 'b' } },
      ],
    ],
    // commas and escaped quotes inside a quoted string
    [
      'Bearer scope="repository:a:pull,push", realm="x\\"y\\\\z"',
      [{ scheme: 'bearer', params: { scope: 'repository:a:pull,push', realm: 'x"y\\z' } }],
    ],
    // token68, and a scheme with nothing after it, and empty list elements
    [
      'Negotiate abc+/def==, , NTLM',
      [
        { scheme: 'negotiate', params: {}, token68: 'abc+/def==' },
        { scheme: 'ntlm', params: {} },
      ],
    ],
    ['BEARER Realm="x"', [{ scheme: 'bearer', params: { realm: 'x' } }]],
    ['', []],
    // 'realm=' alone is a token68 by the grammar, not a parameter without a value
    ['Bearer realm=', [{ scheme: 'bearer', params: {}, token68: 'realm=' }]],
  ];
  for (const [header, expected] of rows) {
    it(JSON.stringify(header), () => expect(parseChallenges(header)).toEqual(expected));
  }

  it('refuses hostile and malformed values', () => {
    for (const bad of [
      'Bearer realm="unterminated',
      'Bearer a=b c',
      'Bearer realm="a" realm2="b"',
      'Bearer realm="a", realm="b"',
      '="x"',
      'Bearer realm="a"junk',
      'Bearer a="\\',
    ]) {
      expect(() => parseChallenges(bad), bad).toThrow(ProtocolError);
    }
  });

  it('takes a long value without backtracking', () => {
    const long = `Bearer realm="${'a,'.repeat(50_000)}", service=x`;
    expect(parseChallenges(long)[0]!.params['service']).toBe('x');
  });
});
