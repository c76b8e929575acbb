// A local output's paths, as BuildKit sends them, checked before anything is written: never
// outside the folder, never through a symlink an earlier entry made.
import { mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inside } from '../../../src/session/file-receive.js';
import { makeTree, removeTrees } from '../../support/contexts.js';

afterAll(removeTrees);

describe('the paths of a local output', () => {
  it('stay inside the folder: no absolute path, no `..`, nothing through a symlink', () => {
    const root = realpathSync(makeTree({ 'a/b': 'x' }));
    symlinkSync('/tmp', join(root, 'evil'));
    mkdirSync(join(root, 'dir'));
    symlinkSync('..', join(root, 'dir', 'up'));
    expect(inside(root, 'a/b')).toBe(join(root, 'a/b'));
    expect(inside(root, './a//c')).toBe(join(root, 'a/c'));
    expect(inside(root, 'evil')).toBe(join(root, 'evil')); // (the link itself may be replaced)
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', '', '.', 'evil/x', 'dir/up/x'])
      expect(() => inside(root, bad), bad).toThrow(/refused/);
  });
});
