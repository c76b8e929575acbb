import { describe, expect, it } from 'vitest';
import { nextLink } from '../../../src/registry/link.js';

describe('nextLink (RFC 8288)', () => {
  const rows: Array<[string | undefined, string | undefined]> = [
    ['</v2/a/tags/list?last=b&n=10>; rel="next"', '/v2/a/tags/list?last=b&n=10'],
    ['</v2/a/tags/list?last=b&n=10>; rel=next', '/v2/a/tags/list?last=b&n=10'],
    ['<https://r.example/x?y>; rel="prev", <https://r.example/z>; type="a"; rel="next"', 'https://r.example/z'],
    ['<https://r.example/x>; rel="prev next"', 'https://r.example/x'],
    ['<https://r.example/x>; rel="prev"', undefined],
    ['garbage', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [header, expected] of rows) it(String(header), () => expect(nextLink(header)).toBe(expected));
});
