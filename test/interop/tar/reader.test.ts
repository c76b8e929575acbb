// The tar reader against GNU tar: archives GNU tar writes in its gnu (L/K, base-256), pax and
// ustar formats read identically: the names `tar -t` lists, and the bytes, link targets, modes,
// owners and times GNU tar stored.
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../../support/temp.js';
import { chunked, inMemory, readBack } from '../../support/tar.js';

afterAll(removeTempDirs);

const longDir = `deep/${'segment-'.repeat(20)}`;
const longFile = `${longDir}/${'file-'.repeat(30)}.txt`;
const longTarget = `../${'t'.repeat(150)}`;

function tree(): { dir: string; names: string[] } {
  const dir = tempDir('dockwire-tar-read-');
  mkdirSync(join(dir, longDir), { recursive: true });
  mkdirSync(join(dir, 'empty'));
  writeFileSync(join(dir, 'exec.sh'), '#!/bin/sh\necho hi\n', { mode: 0o4755 });
  execFileSync('chmod', ['4755', join(dir, 'exec.sh')]);
  writeFileSync(join(dir, 'ünïcödé-名前.txt'), 'uni');
  writeFileSync(join(dir, 'block'), Buffer.alloc(70_000, 9));
  writeFileSync(join(dir, longFile), 'long');
  linkSync(join(dir, 'exec.sh'), join(dir, 'hard'));
  symlinkSync('/etc/hostname', join(dir, 'sym'));
  symlinkSync(longTarget, join(dir, 'symlong'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  return { dir, names: ['empty', 'exec.sh', 'ünïcödé-名前.txt', 'block', 'deep', 'hard', 'sym', 'symlong', 'fifo'] };
}

const formats = [
  {
    format: 'gnu',
    owner: ['--owner=:3000000', '--group=:3000001', '--mtime=@99999999999'],
    uid: 3_000_000,
    mtime: 99_999_999_999,
  },
  {
    format: 'pax',
    owner: ['--owner=:3000000', '--group=:3000001', '--mtime=@99999999999'],
    uid: 3_000_000,
    mtime: 99_999_999_999,
  },
  {
    format: 'ustar',
    owner: ['--owner=:1000', '--group=:1001', '--mtime=@1700000000'],
    uid: 1000,
    mtime: 1_700_000_000,
  },
];

describe('readTar reads what GNU tar writes', () => {
  it.each(formats)('$format', async ({ format, owner, uid, mtime }) => {
    const { dir, names } = tree();
    // ustar cannot hold the long names: that format gets the short ones
    const members = format === 'ustar' ? names.filter((n) => n !== 'deep' && n !== 'symlong') : names;
    const archive = execFileSync(
      'tar',
      [`--format=${format}`, ...owner, '--numeric-owner', '-C', dir, '-cf', '-', ...members],
      { maxBuffer: 1 << 26 },
    );
    const listed = execFileSync('tar', ['--quoting-style=literal', '-tf', '-'], { input: archive })
      .toString('utf8')
      .split('\n')
      .slice(0, -1);
    for (const source of [chunked(archive, [700, 1500, 4096]), inMemory(archive)]) {
      const read = await readBack(source);
      expect(read.map((r) => (r.type === 'directory' ? `${r.name}/` : r.name))).toEqual(listed);
      const byName = new Map(read.map((r) => [r.name, r]));
      expect(byName.get('exec.sh')).toMatchObject({ type: 'file', mode: 0o4755, uid, gid: uid + 1, mtime });
      expect(byName.get('exec.sh')!.content.toString()).toBe(readFileSync(join(dir, 'exec.sh'), 'utf8'));
      expect(byName.get('block')!.content).toEqual(readFileSync(join(dir, 'block')));
      expect(byName.get('ünïcödé-名前.txt')!.content.toString()).toBe('uni');
      expect(byName.get('hard')).toMatchObject({ type: 'hardlink', linkname: 'exec.sh', size: 0 });
      expect(byName.get('sym')).toMatchObject({ type: 'symlink', linkname: readlinkSync(join(dir, 'sym')) });
      expect(byName.get('fifo')).toMatchObject({ type: 'fifo' });
      expect(byName.get('empty')).toMatchObject({ type: 'directory' });
      if (format !== 'ustar') {
        expect(byName.get(longFile)!.content.toString()).toBe('long');
        expect(byName.get('symlong')).toMatchObject({ type: 'symlink', linkname: longTarget });
      }
    }
  });
});
