// extract never writes outside its folder: the hostile-archive table, one row per escape (those
// tar-fs and node-tar had advisories for among them), each refused or kept inside the folder,
// and the folder's surroundings checked byte for byte after every row.
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArchiveError } from '../../../src/errors.js';
import { openImageArchive } from '../../../src/image-archive/archive.js';
import type { PackEntry } from '../../../src/tar/packer.js';
import { dir, dockerArchive, file, hardlink, symlink } from '../../support/image-archives.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

afterAll(removeTempDirs);

/** Every path under `root` with what it is (type, mode, content or target), to compare before and after. */
function snapshot(root: string, skip: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (p === skip) continue;
      const s = lstatSync(p);
      const rel = relative(root, p);
      if (s.isSymbolicLink()) out[rel] = `-> ${readlinkSync(p)}`;
      else if (s.isDirectory()) {
        out[rel] = `dir ${(s.mode & 0o7777).toString(8)}`;
        walk(p);
      } else out[rel] = `file ${(s.mode & 0o7777).toString(8)} ${s.nlink} ${readFileSync(p, 'utf8')}`;
    }
  };
  walk(root);
  return out;
}

/**
 * A folder `out` to extract into, beside `outside/secret` and `out-evil/secret` (a sibling whose
 * name starts with the folder's: CVE-2025-59343's string-prefix check).
 */
function arena(): { base: string; out: string } {
  const base = tempDir('dockwire-extract-');
  mkdirSync(join(base, 'outside'));
  writeFileSync(join(base, 'outside', 'secret'), 'outside secret');
  mkdirSync(join(base, 'out-evil'));
  writeFileSync(join(base, 'out-evil', 'secret'), 'sibling secret');
  mkdirSync(join(base, 'out'));
  return { base, out: join(base, 'out') };
}

interface Row {
  what: string;
  layers: (base: string) => PackEntry[][];
  /** Set up inside `out` before extracting (an existing folder's content). */
  before?: (out: string) => void;
  /** undefined: extract succeeds (and `inside` checks what it wrote); a RegExp: ArchiveError matching it. */
  refused?: RegExp;
  inside?: (out: string) => void;
}

const rows: Row[] = [
  {
    what: 'a name with .. that leads out',
    layers: () => [[file('../outside/secret', 'overwritten'), file('a/../../escape', 'x')]],
    refused: /leads outside the image/,
  },
  {
    what: 'an absolute name: kept inside',
    layers: (base) => [[file(`${base}/outside/secret`, 'inside now'), file('/etc/abs', 'abs')]],
    inside: (out) => expect(readFileSync(join(out, 'etc', 'abs'), 'utf8')).toBe('abs'),
  },
  {
    what: 'CVE-2024-12905 (tar-fs): a symlink to a folder outside, then a file through it: lands inside',
    layers: (base) => [
      [
        symlink('rel', '../outside'),
        file('rel/secret', 'through relative'),
        symlink('abs', `${base}/outside`),
        file('abs/secret', 'through absolute'),
      ],
    ],
    inside: (out) => {
      // resolved inside the image, as the engine applies layers: '../outside' from the root is /outside
      expect(readFileSync(join(out, 'outside', 'secret'), 'utf8')).toBe('through relative');
      expect(readlinkSync(join(out, 'rel'))).toBe('../outside');
      expect(lstatSync(join(out, 'abs')).isSymbolicLink()).toBe(true);
    },
  },
  {
    what: 'CVE-2024-12905 (tar-fs): a hard link to a file outside',
    layers: () => [[hardlink('stolen', '../outside/secret')]],
    refused: /leads outside the image|not a file in the image/,
  },
  {
    what: "CVE-2025-59343 (tar-fs): a symlink to a sibling whose name starts with the folder's, then a hard link through it",
    layers: (base) => [
      [
        symlink('s', '../out-evil'),
        symlink('t', `${base}/out-evil`),
        hardlink('h', 's/secret'),
        hardlink('i', 't/secret'),
      ],
    ],
    refused: /not a file in the image/,
  },
  {
    what: 'CVE-2026-26960 (node-tar): a hard link through a chain of two symlinks',
    layers: (base) => [
      [
        dir('a/b/c'),
        symlink('a/b/c/up', '../..'),
        symlink('a/b/escape', 'c/up/../..'),
        hardlink('exfil', `a/b/escape/${'../'.repeat(base.split('/').length)}${base.slice(1)}/outside/secret`),
      ],
    ],
    refused: /not a file in the image/,
  },
  {
    what: 'CVE-2026-26960 (node-tar): the same chain to a file the image has: linked inside',
    layers: () => [
      [
        dir('a/b/c'),
        file('a/target', 'mine'),
        symlink('a/b/c/up', '../..'),
        symlink('a/b/escape', 'c/up/../..'),
        hardlink('exfil', 'a/b/escape/a/target'),
      ],
    ],
    inside: (out) => {
      expect(statSync(join(out, 'exfil')).ino).toBe(statSync(join(out, 'a', 'target')).ino);
      expect(readFileSync(join(out, 'exfil'), 'utf8')).toBe('mine');
    },
  },
  {
    what: 'a symlink pointing out, replaced by a file in a later layer: the file replaces the link',
    layers: (base) => [[symlink('victim', `${base}/outside/secret`)], [file('victim', 'replaced')]],
    inside: (out) => {
      expect(lstatSync(join(out, 'victim')).isFile()).toBe(true);
      expect(readFileSync(join(out, 'victim'), 'utf8')).toBe('replaced');
    },
  },
  {
    what: 'a symlink pointing out, kept as a link (never followed)',
    layers: (base) => [
      [symlink('passwd', '/etc/passwd'), symlink('up', '../../..'), symlink('out', `${base}/outside/secret`)],
    ],
    inside: (out) => expect(readlinkSync(join(out, 'up'))).toBe('../../..'),
  },
  {
    what: 'a symlink the folder already held, where the image has a directory: replaced, not written through',
    before: (out) => symlinkSync('../outside', join(out, 'planted')),
    layers: () => [[file('planted/secret', 'through a planted link')]],
    inside: (out) => expect(readFileSync(join(out, 'planted', 'secret'), 'utf8')).toBe('through a planted link'),
  },
  {
    what: 'a file the folder already held as a symlink out: removed, not written through',
    before: (out) => symlinkSync('../outside/secret', join(out, 'existing')),
    layers: () => [[file('existing', 'new')]],
    inside: (out) => expect(lstatSync(join(out, 'existing')).isFile()).toBe(true),
  },
  {
    what: 'a hard link to a symlink',
    layers: () => [[symlink('s', '/etc/passwd'), hardlink('h', 's')]],
    refused: /not a file in the image/,
  },
  {
    what: 'devices and fifos: skipped unless asked for',
    layers: () => [
      [
        { name: 'dev/sda', type: 'block', mode: 0o660, size: 0, mtime: 0, devmajor: 8, devminor: 0 },
        { name: 'pipe', type: 'fifo', mode: 0o644, size: 0, mtime: 0 },
        file('plain', 'p'),
      ],
    ],
    inside: (out) => {
      expect(readdirSync(out).sort()).toEqual(['dev', 'plain']);
      expect(readdirSync(join(out, 'dev'))).toEqual([]);
    },
  },
];

describe('extract: the hostile-archive table', () => {
  it.each(rows)('$what', async (row) => {
    const { base, out } = arena();
    row.before?.(out);
    const around = snapshot(base, out);
    const archive = await openImageArchive(await dockerArchive(row.layers(base)));
    const result = await archive.extract(out).then(
      (r) => r,
      (e: unknown) => e,
    );
    if (row.refused) {
      expect(result).toBeInstanceOf(ArchiveError);
      expect((result as Error).message).toMatch(row.refused);
    } else {
      expect(result).not.toBeInstanceOf(Error);
      row.inside?.(out);
    }
    expect(snapshot(base, out)).toEqual(around);
    await archive.close();
  });
});

describe('extract: what it writes', () => {
  it('modes (read-only directories last), hard links, symlinks, times; devices when asked', async () => {
    const { out } = arena();
    const archive = await openImageArchive(
      await dockerArchive([
        [
          dir('ro', 0o555),
          file('ro/f', 'f', { mode: 0o4755 }),
          hardlink('ro/g', 'ro/f'),
          symlink('ro/s', 'f'),
          { name: 'pipe', type: 'fifo', mode: 0o640, size: 0, mtime: 0 },
        ],
      ]),
    );
    const result = await archive.extract(out, { devices: true });
    expect(result.skipped).toEqual([]);
    expect(statSync(join(out, 'ro')).mode & 0o7777).toBe(0o555);
    expect(statSync(join(out, 'ro', 'f')).mode & 0o7777).toBe(0o4755);
    expect(statSync(join(out, 'ro', 'g')).ino).toBe(statSync(join(out, 'ro', 'f')).ino);
    expect(readlinkSync(join(out, 'ro', 's'))).toBe('f');
    expect(statSync(join(out, 'ro', 'f')).mtimeMs).toBe(1_700_000_000_000);
    expect(lstatSync(join(out, 'pipe')).isFIFO()).toBe(true);
    await expect(archive.extract(out, { device: true } as never)).rejects.toThrow(/did you mean "devices"/);
  });
});
