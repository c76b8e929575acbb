// The FileSync walk over real folders: fsutil's order, exclusions without reading ignored trees,
// include patterns with the directories above what they match, Go's modes and nanosecond times.
import { lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { walkForSync } from '../../../src/build-context/sync-walk.js';
import { PatternMatcher } from '../../../src/ignore/matcher.js';
import { headerValues } from '../../../src/session/file-sync.js';
import { makeTree, removeTrees } from '../../support/contexts.js';

afterAll(removeTrees);

function walk(root: string, exclude: string[] = [], include?: string[], visited?: string[]): string[] {
  return [
    ...walkForSync(root, {
      exclude: [new PatternMatcher(exclude)],
      ...(include ? { include: new PatternMatcher(include), includePatterns: include } : {}),
      ...(visited ? { onDirectory: (d: string) => visited.push(d) } : {}),
    }),
  ].map((e) => e.stat.path);
}

describe('walkForSync', () => {
  it('lists each directory before what it holds, names sorted, a/b before a.b', () => {
    const root = makeTree({ 'a/b': '1', 'a.b': '2', 'c/d/e': '3', Dockerfile: 'x' });
    expect(walk(root)).toEqual(['Dockerfile', 'a', 'a/b', 'a.b', 'c', 'c/d', 'c/d/e']);
  });

  it('never reads an excluded directory, unless an exception starts inside it (listed then only as a parent of what it re-includes)', () => {
    const root = makeTree({ 'node_modules/x/y.js': '', 'keep/a': '', 'keep/b': '', 'src/i.js': '' });
    const visited: string[] = [];
    expect(walk(root, ['node_modules'], undefined, visited)).toEqual(['keep', 'keep/a', 'keep/b', 'src', 'src/i.js']);
    expect(visited).not.toContain('node_modules');
    expect(walk(root, ['keep', '!keep/b'])).toEqual([
      'keep',
      'keep/b',
      'node_modules',
      'node_modules/x',
      'node_modules/x/y.js',
      'src',
      'src/i.js',
    ]);
  });

  it('with include patterns, only what they match and the directories above it; directories they cannot reach are not read', () => {
    const root = makeTree({ 'docs/Dockerfile': 'x', 'docs/other': '', 'big/a': '', 'big/b/c': '', Dockerfile: 'y' });
    const visited: string[] = [];
    expect(walk(root, [], ['docs/Dockerfile'], visited)).toEqual(['docs', 'docs/Dockerfile']);
    expect(visited).not.toContain('big');
    expect(walk(root, [], ['Dockerfile', 'Dockerfile.dockerignore'])).toEqual(['Dockerfile']);
    expect(walk(root, [], ['**/c'])).toEqual(['big', 'big/b', 'big/b/c']);
  });

  it("gives Go's modes, the owner, nanosecond times, sizes, and a symlink's target", () => {
    const root = makeTree({ 'd/f': 'hello', l: { symlink: 'd/f' } });
    mkdirSync(join(root, 'e'));
    writeFileSync(join(root, 'e/x'), '');
    const entries = Object.fromEntries([...walkForSync(root, { exclude: [] })].map((e) => [e.stat.path, e.stat]));
    const st = lstatSync(join(root, 'd/f'), { bigint: true });
    expect(entries['d/f']).toMatchObject({
      mode: Number(st.mode & 0o777n),
      uid: Number(st.uid),
      gid: Number(st.gid),
      size: 5,
      modTime: st.mtimeNs,
    });
    expect(entries['d']!.mode).toBe(2 ** 31 + Number(lstatSync(join(root, 'd')).mode & 0o777));
    expect(entries['d']!.size).toBe(0);
    expect(entries['l']).toMatchObject({ mode: 2 ** 27 + 0o777, linkname: 'd/f' });
  });
});

describe('headerValues', () => {
  it('gives each field of a name once, and percent-decodes them when BuildKit marks them encoded', () => {
    const raw = [
      'dir-name',
      'context',
      'exclude-patterns',
      'a,b',
      'exclude-patterns',
      'c%20d',
      'exclude-patterns-encoded',
      '1',
    ];
    expect(headerValues(raw, 'dir-name')).toEqual(['context']);
    expect(headerValues(raw, 'exclude-patterns')).toEqual(['a,b', 'c d']);
    expect(headerValues(['include-patterns', 'x%20y'], 'include-patterns')).toEqual(['x%20y']);
  });
});
