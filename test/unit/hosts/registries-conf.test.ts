// containers' registries.conf (containers-registries.conf(5)): choosing the entry, rewriting,
// mirrors, and refusing what the format forbids.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { matchRegistry, parseRegistriesConf, rewrite } from '../../../src/hosts/registries-conf.js';

const parse = (text: string) => parseRegistriesConf(new TextEncoder().encode(text), '/etc/containers/registries.conf');

function refusal(text: string): ConfigError {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('parsed');
}

const EXAMPLE = `
unqualified-search-registries = ["example.com"]

[[registry]]
prefix = "example.com/foo"
insecure = false
blocked = false
location = "internal-registry-for-example.com/bar"

[[registry.mirror]]
location = "example-mirror-0.local/mirror-for-foo"

[[registry.mirror]]
location = "example-mirror-1.local/mirrors/foo"
insecure = true
pull-from-mirror = "digest-only"

[[registry]]
prefix = "example.com"
blocked = true

[[registry]]
location = "plain.example:5000"
insecure = true

[[registry]]
prefix = "*.corp.example"
blocked = true
`;

describe('registries.conf', () => {
  const conf = parse(EXAMPLE);

  it('reads the entries, a prefix left out being the location', () => {
    expect(conf.entries.map((e) => [e.entry, e.prefix, e.location])).toEqual([
      ['[[registry]] #1', 'example.com/foo', 'internal-registry-for-example.com/bar'],
      ['[[registry]] #2', 'example.com', 'example.com'],
      ['[[registry]] #3', 'plain.example:5000', 'plain.example:5000'],
      ['[[registry]] #4', '*.corp.example', ''],
    ]);
    expect(conf.entries[0]?.mirrors).toEqual([
      { location: 'example-mirror-0.local/mirror-for-foo', insecure: false, pullFromMirror: 'all' },
      { location: 'example-mirror-1.local/mirrors/foo', insecure: true, pullFromMirror: 'digest-only' },
    ]);
  });

  it('chooses the longest prefix followed by a separator', () => {
    const match = (name: string) => matchRegistry(conf, name)?.entry;
    expect(match('example.com/foo/image:latest')).toBe('[[registry]] #1');
    expect(match('example.com/foo@sha256:abc')).toBe('[[registry]] #1');
    expect(match('example.com/foobar/image:latest')).toBe('[[registry]] #2');
    expect(match('example.com/other/image:1')).toBe('[[registry]] #2');
    expect(match('example.community/image:1')).toBeUndefined();
    expect(match('plain.example:5000/x:1')).toBe('[[registry]] #3');
  });

  it('matches a wildcard prefix to any subdomain, not the domain itself', () => {
    expect(matchRegistry(conf, 'a.corp.example/x:1')?.entry).toBe('[[registry]] #4');
    expect(matchRegistry(conf, 'b.a.corp.example/x:1')?.entry).toBe('[[registry]] #4');
    expect(matchRegistry(conf, 'corp.example/x:1')).toBeUndefined();
    expect(matchRegistry(conf, 'x.example/a.corp.example:1')).toBeUndefined();
  });

  it('rewrites the prefix to a location (as the man page example does)', () => {
    const entry = conf.entries[0]!;
    expect(rewrite(entry, entry.location, 'example.com/foo/image:latest')).toBe(
      'internal-registry-for-example.com/bar/image:latest',
    );
    expect(rewrite(entry, entry.mirrors[1]!.location, 'example.com/foo/image:latest')).toBe(
      'example-mirror-1.local/mirrors/foo/image:latest',
    );
    const wildcard = parse('[[registry]]\nprefix = "*.corp.example"\nlocation = "mirror.example/corp"').entries[0]!;
    expect(rewrite(wildcard, wildcard.location, 'a.corp.example/x/y:1')).toBe('mirror.example/corp/x/y:1');
    expect(rewrite(conf.entries[3]!, '', 'a.corp.example/x/y:1')).toBe('a.corp.example/x/y:1');
  });

  it('makes every mirror digest-only under mirror-by-digest-only, and refuses pull-from-mirror beside it', () => {
    const entry = parse(
      '[[registry]]\nlocation = "r.example"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "m.example"',
    ).entries[0]!;
    expect(entry.mirrors[0]?.pullFromMirror).toBe('digest-only');
    expect(
      refusal(
        '[[registry]]\nlocation = "r.example"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "m.example"\npull-from-mirror = "all"',
      ).reason,
    ).toBe('[[registry]] #1 mirror #1 sets pull-from-mirror where [[registry]] #1 sets mirror-by-digest-only');
  });

  it('reads version 1 lists as entries of their own', () => {
    const v1 = parse(
      "[registries.search]\nregistries = ['r1.example']\n[registries.insecure]\nregistries = ['r3.example']\n[registries.block]\nregistries = ['bad.example', 'r3.example']",
    );
    expect(v1.entries.map((e) => [e.entry, e.prefix, e.insecure, e.blocked])).toEqual([
      ['[registries.insecure]', 'r3.example', true, true],
      ['[registries.block]', 'bad.example', false, true],
    ]);
  });

  it.each([
    ['[[registry]]\ninsecure = true', '[[registry]] #1 has neither prefix nor location'],
    [
      '[[registry]]\nprefix = "a.*.example"',
      '[[registry]] #1 prefix "a.*.example" is neither host[:port][/path] nor *.domain',
    ],
    ['[[registry]]\nlocation = "r.example"\nblocked = "yes"', '[[registry]] #1 blocked must be true or false'],
    [
      '[[registry]]\nlocation = "r.example"\n[[registry.mirror]]\nlocation = "m.example"\npull-from-mirror = "some"',
      '[[registry]] #1 mirror #1 pull-from-mirror must be all, digest-only or tag-only',
    ],
    [
      '[registries.block]\nregistries = ["a"]\n[[registry]]\nlocation = "b"',
      'mixes version 1 ([registries.*]) and version 2 ([[registry]]) entries',
    ],
    ['registry = 1', 'registry must be [[registry]] entries'],
  ])('refuses %j', (text, reason) => {
    expect(refusal(text)).toMatchObject({ reason, file: '/etc/containers/registries.conf' });
  });

  it('refuses a document that is not TOML, with the line and column', () => {
    expect(refusal('[[registry]]\nprefix = "a\n')).toMatchObject({
      file: '/etc/containers/registries.conf',
      line: 2,
      column: 12,
      reason: 'unterminated string',
    });
  });
});
