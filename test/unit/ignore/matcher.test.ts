// One table of {patterns, path, excluded} rows, run through both ways of matching: with no walk
// state (every ancestor tried) and as the walk does it (parent results carried down).
import { describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../../src/errors.js';
import { cleanPath } from '../../../src/ignore/clean.js';
import { parseIgnoreFile } from '../../../src/ignore/ignore-file.js';
import { PatternMatcher, type MatchInfo } from '../../../src/ignore/matcher.js';

type Row = [patterns: string[], path: string, excluded: boolean];

const rows: Row[] = [
  // plain names, directories and their contents
  [['*'], 'fileutils.go', true],
  [['*.go'], 'fileutils.go', true],
  [['!fileutils.go', '*.go'], 'fileutils.go', true],
  [['*.go', '!fileutils.go'], 'fileutils.go', false],
  [['docs', '!docs/README.md'], 'docs/README.md', false],
  [['docs/', '!docs/README.md'], 'docs/README.md', false],
  [['docs/*', '!docs/README.md'], 'docs/README.md', false],
  [['docs'], 'docs/sub/deep.txt', true],
  [['docs'], 'docsx', false],
  [['/docs'], 'docs/a', false], // the file reader drops a leading '/', the matcher does not
  [parseIgnoreFile('/docs'), 'docs/a', true],
  [['./docs/../docs//a'], 'docs/a', true],
  [['a/*.txt'], 'a/dir/file.txt', false],
  [['a/*.txt'], 'a/file.txt', true],
  [['a/*.txt**'], 'a/file.txt', true],
  // **
  [['**'], 'file', true],
  [['**'], 'dir/file', true],
  [['**/'], 'dir/file', true],
  [['**/**'], 'dir/file', true],
  [['dir/**'], 'dir/file', true],
  [['dir/**'], 'dir/dir2/file', true],
  [['abc/**'], 'abc', false],
  [['abc/**'], 'abc/def/ghi', true],
  [['**/dir'], 'dir', true],
  [['**/dir'], 'dir/file', true],
  [['**/dir2/*'], 'dir/dir2/file', true],
  [['**/dir2/**'], 'dir/dir2/dir3/file', true],
  [['**file'], 'file', true],
  [['**file'], 'dir/dir/file', true],
  [['**file'], 'dir/barfile', true], // suffix shortcut: not the expression (.*/)?file
  [['**/file'], 'dir/barfile', false],
  [['**/file*'], 'dir/dir/file.txt', true],
  [['**/file*.txt'], 'dir/dir/file.txt', true],
  [['**/**/*.txt'], 'dir/dir/file.txt', true],
  [['**/**/*.txt2'], 'dir/dir/file.txt', false],
  [['**/*.txt'], 'file.txt', true],
  [['a**/*.txt'], 'a/dir/dir/file.txt', true],
  [['**/foo/bar'], 'dir/dir2/foo/bar', true],
  [['**/.foo'], '.foo', true],
  [['**/.foo'], 'bar.foo', false],
  // classes, ?, escapes and regexp characters taken literally
  [['a[b-d]e'], 'ace', true],
  [['a[b-d]e'], 'aae', false],
  [['a[^b-d]e'], 'aze', true],
  [['ab[^e-g]'], 'abc', true],
  [['[\\]a]'], ']', true],
  [['[x\\-]'], '-', true],
  [['[x\\-]'], 'z', false],
  [['.*'], '.foo', true],
  [['.*'], 'foo', false],
  [['abc.def'], 'abcZdef', false],
  [['abc?def'], 'abcZdef', true],
  [['abc?def'], 'abcdef', false],
  [['a?b'], 'a☺b', true],
  [['a???b'], 'a☺b', false],
  [['a?b'], 'a🐳b', true],
  [['a?b'], 'a/b', false],
  [['a*b'], 'a/b', false],
  [['a*/b'], 'abc/b', true],
  [['a*/b'], 'a/c/b', false],
  [['a(b)c/def'], 'a(b)c/def', true],
  [['a.|)$(}+{bc'], 'a.|)$(}+{bc', true],
  [['dist/*.whl'], 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', true],
  [['a\\*b'], 'a*b', true],
  [['a\\*b'], 'axb', false],
  [['a\\\\'], 'a\\', true],
  // exceptions, last match wins
  [['**', '!util/docker/web'], 'util/docker/web/foo', false],
  [['**', '!util/docker/web', 'util/docker/web/foo'], 'util/docker/web/foo', true],
  [['**', '!dist/*.whl'], 'dist/a.whl', false],
  [['node_modules', '!node_modules/p1/lib/f1.js'], 'node_modules/p1/lib/f1.js', false],
  [['node_modules', '!node_modules/p1/lib/f1.js'], 'node_modules/p1/lib/f2.js', true],
  [['*.md', '!README*.md', 'README-secret.md'], 'README-secret.md', true],
  [['*.md', '!README*.md', 'README-secret.md'], 'README.md', false],
];

function walkMatch(matcher: PatternMatcher, path: string): boolean {
  const parts = path.split('/');
  let info: MatchInfo | undefined;
  for (let i = 1; i < parts.length; i++) info = matcher.match(parts.slice(0, i).join('/'), info).info;
  return matcher.match(path, info).excluded;
}

describe('PatternMatcher', () => {
  it.each(rows)('%j excludes %j: %s', (patterns, path, excluded) => {
    const matcher = new PatternMatcher(patterns);
    expect(matcher.excludes(path)).toBe(excluded);
    expect(walkMatch(matcher, path)).toBe(excluded);
  });

  it.each(['[', '[^', '[^bc', 'a[', '[]a]', '[-]', '[x-]', '[-x]', '\\', '[a-b-c]', '!'])(
    'refuses the bad pattern %j',
    (pattern) => {
      expect(() => new PatternMatcher([pattern])).toThrow(InvalidArgument);
    },
  );

  it('never excludes the context root', () => {
    expect(new PatternMatcher(['*', '**']).excludes('.')).toBe(false);
  });

  it('knows which excluded directories an exception may reach into', () => {
    const m = new PatternMatcher(['node_modules', '!node_modules/p1/lib/f1.js']);
    expect(m.mayReinclude('node_modules')).toBe(true);
    expect(m.mayReinclude('node_modules/p1')).toBe(true);
    expect(m.mayReinclude('node_modules/p2')).toBe(false);
    expect(new PatternMatcher(['node_modules']).mayReinclude('node_modules')).toBe(false);
    // the CLI's prefix test: a wildcard exception does not reach into an excluded directory
    expect(new PatternMatcher(['node_modules', '!**/*.js']).mayReinclude('node_modules')).toBe(false);
  });
});

describe('parseIgnoreFile', () => {
  it('follows ignorefile.ReadAll: BOM, comments before trim, blanks, !, clean, leading /', () => {
    const text = '\uFEFF# comment\n  # not a comment\r\n\n  *.log  \n!/keep.log\n/abs/./path/\n! spaced \n../up\n//\n';
    expect(parseIgnoreFile(text)).toEqual([
      '# not a comment',
      '*.log',
      '!keep.log',
      'abs/path',
      '!spaced',
      '../up',
      '/',
    ]);
  });
});

describe('cleanPath', () => {
  it.each([
    ['', '.'],
    ['a/b/../c', 'a/c'],
    ['/../a', '/a'],
    ['../../a', '../../a'],
    ['a//b/./', 'a/b'],
    ['/', '/'],
    ['a/..', '.'],
  ])('%j → %j', (input, output) => {
    expect(cleanPath(input)).toBe(output);
  });
});
