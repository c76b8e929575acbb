// The ustar/pax writer against GNU tar: byte-equal headers where GNU tar writes plain ustar, and
// pack → `tar -t` / `tar -x` round trips for long names, non-ASCII names, links and empty dirs.
import { execFileSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BLOCK, encodeHeader } from '../../../src/tar/header.js';
import { pack, type PackEntry } from '../../../src/tar/packer.js';
import { tarName } from '../../support/arbitraries.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';
import { packed } from '../../support/tar.js';

const temp = (): string => tempDir('dockwire-tar-');
afterAll(removeTempDirs);

const gnuTar = (cwd: string, ...args: string[]): Buffer =>
  execFileSync('tar', [
    '--format=ustar',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '-C',
    cwd,
    '-cf',
    '-',
    '--no-recursion',
    ...args,
  ]);

describe('ustar headers, byte for byte against GNU tar', () => {
  it('a file, a directory, a symlink and a hardlink', () => {
    const d = temp();
    mkdirSync(join(d, 'dir'));
    writeFileSync(join(d, 'dir', 'file.txt'), 'hello');
    execFileSync('chmod', ['0755', join(d, 'dir', 'file.txt')]);
    symlinkSync('file.txt', join(d, 'dir', 'link'));
    const t = 1_700_000_000;
    for (const p of ['dir/file.txt', 'dir']) utimesSync(join(d, p), t, t);
    execFileSync('touch', ['-h', '-d', `@${t}`, join(d, 'dir', 'link')]);
    const gnu = gnuTar(d, 'dir', 'dir/file.txt', 'dir/link');
    const dirMode = statSync(join(d, 'dir')).mode & 0o7777;
    expect(encodeHeader({ name: 'dir', type: 'directory', mode: dirMode, size: 0, mtime: t })).toEqual(
      new Uint8Array(gnu.subarray(0, BLOCK)),
    );
    expect(encodeHeader({ name: 'dir/file.txt', type: 'file', mode: 0o755, size: 5, mtime: t })).toEqual(
      new Uint8Array(gnu.subarray(BLOCK, 2 * BLOCK)),
    );
    const linkMode = lstatSync(join(d, 'dir', 'link')).mode & 0o7777;
    expect(
      encodeHeader({ name: 'dir/link', type: 'symlink', mode: linkMode, size: 0, mtime: t, linkname: 'file.txt' }),
    ).toEqual(new Uint8Array(gnu.subarray(3 * BLOCK, 4 * BLOCK)));
  }, 60000);

  it('a name split into prefix and name, as GNU tar splits it', () => {
    const d = temp();
    const long = `${'a'.repeat(60)}/${'b'.repeat(60)}/${'c'.repeat(50)}.txt`;
    mkdirSync(join(d, 'a'.repeat(60), 'b'.repeat(60)), { recursive: true });
    writeFileSync(join(d, long), 'x');
    execFileSync('chmod', ['0644', join(d, long)]);
    utimesSync(join(d, long), 1_600_000_000, 1_600_000_000);
    const gnu = gnuTar(d, long);
    expect(encodeHeader({ name: long, type: 'file', mode: 0o644, size: 1, mtime: 1_600_000_000 })).toEqual(
      new Uint8Array(gnu.subarray(0, BLOCK)),
    );
  }, 60000);
});

describe('pack → GNU tar round trips', () => {
  const longDir = `deep/${'segment-'.repeat(20)}`;
  const longName = `${longDir}/${'file-'.repeat(30)}.txt`;
  const longTarget = `../${'t'.repeat(120)}`;
  const content = (s: string) => () => [Buffer.from(s)];
  const entries: PackEntry[] = [
    { name: 'empty', type: 'directory', mode: 0o755, size: 0, mtime: 1_700_000_000 },
    { name: 'exec.sh', type: 'file', mode: 0o755, size: 10, mtime: 1_700_000_000, content: content('#!/bin/sh\n') },
    { name: 'zero', type: 'file', mode: 0o644, size: 0, mtime: 1_700_000_000 },
    {
      name: 'block',
      type: 'file',
      mode: 0o644,
      size: 1024,
      mtime: 1_700_000_000,
      content: () => [Buffer.alloc(700, 1), Buffer.alloc(324, 2)],
    },
    { name: 'ünïcödé-名前.txt', type: 'file', mode: 0o600, size: 3, mtime: 1_700_000_000, content: content('uni') },
    { name: longName, type: 'file', mode: 0o644, size: 4, mtime: 1_700_000_000, content: content('long') },
    { name: 'hard', type: 'hardlink', mode: 0o755, size: 0, mtime: 1_700_000_000, linkname: 'exec.sh' },
    { name: 'sym', type: 'symlink', mode: 0o777, size: 0, mtime: 1_700_000_000, linkname: '/etc/hostname' },
    { name: 'symlong', type: 'symlink', mode: 0o777, size: 0, mtime: 1_700_000_000, linkname: longTarget },
  ];

  it('tar -t lists every name exactly', async () => {
    const archive = await packed(entries);
    expect(archive.length % BLOCK).toBe(0);
    expect(archive.subarray(-1024).every((b) => b === 0)).toBe(true);
    const listed = execFileSync('tar', ['-tf', '-'], { input: archive }).toString('utf8').trim().split('\n');
    expect(listed).toEqual([
      'empty/',
      'exec.sh',
      'zero',
      'block',
      'ünïcödé-名前.txt',
      longName,
      'hard',
      'sym',
      'symlong',
    ]);
  }, 60000);

  it('tar -x gives back the same bytes, modes and link targets', async () => {
    const archive = await packed(entries);
    const out = temp();
    execFileSync('tar', ['-xf', '-', '-C', out], { input: archive });
    expect(readFileSync(join(out, 'exec.sh'), 'utf8')).toBe('#!/bin/sh\n');
    expect(statSync(join(out, 'exec.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(out, 'ünïcödé-名前.txt')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, 'block'))).toEqual(Buffer.concat([Buffer.alloc(700, 1), Buffer.alloc(324, 2)]));
    expect(readFileSync(join(out, longName), 'utf8')).toBe('long');
    expect(statSync(join(out, 'hard')).ino).toBe(statSync(join(out, 'exec.sh')).ino);
    expect(readlinkSync(join(out, 'sym'))).toBe('/etc/hostname');
    expect(readlinkSync(join(out, 'symlong'))).toBe(longTarget);
    expect(statSync(join(out, 'empty')).isDirectory()).toBe(true);
    expect(statSync(join(out, 'zero')).size).toBe(0);
  }, 60000);
});

describe('pack → GNU tar, any names', () => {
  it('GNU tar reads the same names back', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(tarName, { minLength: 1, maxLength: 6 }), async (names) => {
        const entries: PackEntry[] = names.map((n) => ({
          name: n,
          type: 'file',
          mode: 0o644,
          size: 1,
          mtime: 0,
          content: () => [new Uint8Array([120])],
        }));
        const listed = execFileSync('tar', ['--quoting-style=literal', '-tf', '-'], { input: await packed(entries) })
          .toString('utf8')
          .split('\n')
          .slice(0, -1);
        expect(listed).toEqual(names);
      }),
      { numRuns: 25 },
    );
  }, 60000);
});
