// Layers packed from folders, files and tars: entries placed under their target with parent
// directories, ignore patterns, owners and modes; the same bytes whatever the file times,
// creation order and umask when a time is fixed; digests and diff_ids computed while streaming
// and the blob kept (in a temporary folder past a bound, removed on close, failure and abort),
// checked when it is read again; a gzip header with no time and no OS.
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { filesEntries, folderEntries, targetParts, type EntryRules } from '../../../src/append/entries.js';
import { measureLayer, type LayerBlob } from '../../../src/append/layer.js';
import { layerSources } from '../../../src/append/plan.js';
import { ContextError, DigestMismatch, InvalidArgument, UnsupportedMediaType } from '../../../src/errors.js';
import { packed, readTar } from '../../support/tar.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function folder(
  files: Record<string, string>,
  options: { time?: number; umask?: number; order?: 'reverse' } = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), 'dockwire-append-unit-'));
  dirs.push(dir);
  const names = Object.keys(files);
  if (options.order === 'reverse') names.reverse();
  const previous = process.umask(options.umask ?? 0o022);
  try {
    for (const name of names) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), files[name]!, { mode: name.endsWith('.sh') ? 0o777 : 0o666 });
    }
  } finally {
    process.umask(previous);
  }
  if (options.time !== undefined) for (const name of names) utimesSync(join(dir, name), options.time, options.time);
  return dir;
}

const fixed: EntryRules = { epoch: 1_700_000_000, owner: undefined, now: 1 };

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of source) out.push(x);
  return out;
}

async function bytes(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  return Buffer.concat(await collect(source));
}

describe('targetParts', () => {
  it.each([
    ['/', []],
    ['/app', ['app']],
    ['/srv//app/./x/', ['srv', 'app', 'x']],
  ])('%s', (target, parts) => expect(targetParts(target, 'to')).toEqual(parts));
  it.each(['app', '', '/a/../b', '/..'])('%j is refused', (target) =>
    expect(() => targetParts(target, 'layers[0].to')).toThrow(/layers\[0\]\.to/),
  );
});

describe('folder layers', () => {
  it('places the folder at `to` with its parents, honours ignore, owner and mode rules', async () => {
    const dir = folder({ 'a.txt': 'a', 'b/c.map': '{}', 'b/run.sh': 'x' });
    symlinkSync('a.txt', join(dir, 'link'));
    const entries = await collect(
      folderEntries(dir, { path: dir, to: '/srv/app', ignore: ['**/*.map'] }, { ...fixed, owner: { uid: 7, gid: 8 } }),
    );
    expect(entries.map((e) => [e.name, e.type, e.mode.toString(8), e.uid, e.gid, e.mtime])).toEqual([
      ['srv', 'directory', '755', 0, 0, fixed.epoch],
      ['srv/app', 'directory', '755', 7, 8, fixed.epoch],
      ['srv/app/a.txt', 'file', '644', 7, 8, fixed.epoch],
      ['srv/app/b', 'directory', '755', 7, 8, fixed.epoch],
      ['srv/app/b/run.sh', 'file', '755', 7, 8, fixed.epoch],
      ['srv/app/link', 'symlink', '777', 7, 8, fixed.epoch],
    ]);
    expect(entries.find((e) => e.type === 'symlink')!.linkname).toBe('a.txt');
  });

  it("keeps disk modes and times when no time is fixed; `mode` sets every file's", async () => {
    const dir = folder({ 'x.sh': 'x', y: 'y' }, { time: 1234, umask: 0o002 });
    const kept = await collect(folderEntries(dir, { path: dir }, { epoch: undefined, owner: undefined, now: 5 }));
    expect(kept.map((e) => [e.name, e.mode.toString(8), e.mtime])).toEqual([
      ['x.sh', '775', 1234],
      ['y', '664', 1234],
    ]);
    const given = await collect(folderEntries(dir, { path: dir, mode: 0o600 }, fixed));
    expect(given.map((e) => e.mode.toString(8))).toEqual(['600', '600']);
  });

  it('packs the same bytes for two copies with other times, creation order and umask', async () => {
    const files = { 'a.txt': 'a', 'b/c.txt': 'c', 'b/run.sh': 'r', 'd/e/f': 'f' };
    const one = folder(files, { time: 1_000, umask: 0o022 });
    const two = folder(files, { time: 9_000_000, umask: 0o002, order: 'reverse' });
    const [x, y] = await Promise.all([one, two].map((d) => packed(folderEntries(d, { path: d, to: '/app' }, fixed))));
    expect(x!.equals(y!)).toBe(true);
    const unfixed = await Promise.all(
      [one, two].map((d) => packed(folderEntries(d, { path: d, to: '/app' }, { ...fixed, epoch: undefined }))),
    );
    expect(unfixed[0]!.equals(unfixed[1]!)).toBe(false);
  });
});

describe('files layers', () => {
  it('sorts files and their parents, with modes given or 0644', () => {
    const entries = filesEntries(
      {
        files: { '/z': 'z', '/etc/b.json': 'b', '/etc/a/x': { data: new Uint8Array([1]), mode: 0o700 }, '/etc-x': '' },
      },
      fixed,
      'layers[0]',
    );
    expect(entries.map((e) => [e.name, e.type, e.mode.toString(8)])).toEqual([
      ['etc', 'directory', '755'],
      ['etc/a', 'directory', '755'],
      ['etc/a/x', 'file', '700'],
      ['etc/b.json', 'file', '644'],
      ['etc-x', 'file', '644'],
      ['z', 'file', '644'],
    ]);
  });
  it.each([
    [{ 'etc/x': 'x' }, /layers\[0\]\.files\["etc\/x"\] must be an absolute path/],
    [{ '/a/../x': 'x' }, /must not contain "\.\."/],
    [{ '/': 'x' }, /cannot be placed at \//],
    [{ '/x': 5 }, /must be bytes, text or \{ data, mode \}/],
    [{ '/x': { data: 'x', mode: 0o17777 } }, /mode/],
    [{ '/a': 'x', '/a/b': 'y' }, /also a directory|a\/b/],
  ])('%j is refused', (files, message) => {
    expect(() => filesEntries({ files: files as never }, fixed, 'layers[0]')).toThrow(message);
  });
});

describe('layer blobs', () => {
  const tar = (): AsyncIterable<Uint8Array> =>
    (async function* () {
      yield await packed(filesEntries({ files: { '/a': 'hello', '/b/c': 'world' } }, fixed, 'l'));
    })();

  /** Runs `body` with the temporary folder set to a new one of its own, and gives what is left in it after. */
  async function inTemporary(body: () => Promise<void>): Promise<string[]> {
    const own = mkdtempSync(join(tmpdir(), 'dockwire-append-tmp-'));
    dirs.push(own);
    const previous = process.env['TMPDIR'];
    process.env['TMPDIR'] = own;
    try {
      await body();
    } finally {
      if (previous === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = previous;
    }
    return readdirSync(own);
  }

  /** A tar of `count` files of 64 KiB random bytes (so that its gzip passes a small memory limit), then `end` runs. */
  const big = (count: number, end: () => void = () => {}): AsyncIterable<Uint8Array> =>
    (async function* () {
      for (let i = 0; i < count; i++)
        yield await packed(filesEntries({ files: { [`/f${i}`]: randomBytes(64 * 1024) } }, fixed, 'l'));
      end();
    })();

  it('measures the digest, size and diff_id while streaming, and reads the same bytes again', async () => {
    const blob = await measureLayer(tar(), 'gzip');
    const again = await bytes(blob.open());
    expect(`sha256:${createHash('sha256').update(again).digest('hex')}`).toBe(blob.digest);
    expect(again.length).toBe(blob.size);
    expect((await bytes(blob.open())).equals(again)).toBe(true);
    const raw = gunzipSync(again);
    expect(`sha256:${createHash('sha256').update(raw).digest('hex')}`).toBe(blob.diffId);
    expect(readTar(raw).map((e) => e.name)).toEqual(['a', 'b/', 'b/c']);
    // gzip header: no time, no OS (255), so no machine's name is in the digest
    expect([...again.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 0xff]); // XFL 4: the fastest level
    await blob.close();
  });

  it('gives the digest it gave before blobs were kept (the same tar, the same gzip bytes)', async () => {
    const blob = await measureLayer(tar(), 'gzip');
    expect(blob.digest).toBe('sha256:422973dcc95072eb01377a69fd897c8210a4c7b2cfe25c895ac287d70dc402f3');
    await blob.close();
  });

  it('writes zstd where the runtime can, and refuses it by name where it cannot', async () => {
    const zlib = (await import('node:zlib')) as typeof import('node:zlib') & {
      zstdDecompressSync?: (b: Uint8Array) => Buffer;
      createZstdCompress?: unknown;
    };
    if (typeof zlib.createZstdCompress !== 'function') {
      await expect(measureLayer(tar(), 'zstd')).rejects.toBeInstanceOf(UnsupportedMediaType);
      return;
    }
    const blob = await measureLayer(tar(), 'zstd');
    const raw = zlib.zstdDecompressSync!(await bytes(blob.open()));
    expect(`sha256:${createHash('sha256').update(raw).digest('hex')}`).toBe(blob.diffId);
    await blob.close();
  });

  it('keeps a blob past the memory limit in a temporary folder that close() removes', async () => {
    let blob: LayerBlob | undefined;
    let during: string[] = [];
    const left = await inTemporary(async () => {
      blob = await measureLayer(big(4), 'gzip', { memoryLimit: 1024 });
      during = readdirSync(process.env['TMPDIR']!);
      const again = await bytes(blob.open());
      expect(`sha256:${createHash('sha256').update(again).digest('hex')}`).toBe(blob.digest);
      expect(gunzipSync(again).length).toBeGreaterThan(4 * 64 * 1024);
      await blob.close();
    });
    expect(during).toHaveLength(1);
    expect(during[0]).toMatch(/^dockwire-layer-/);
    expect(left).toEqual([]);
  });

  it('leaves no temporary folder when the tar fails or the measuring is aborted', async () => {
    const failed = await inTemporary(async () => {
      const failing = big(4, () => {
        throw new InvalidArgument('the folder went away');
      });
      await expect(measureLayer(failing, 'gzip', { memoryLimit: 1024 })).rejects.toThrow(/went away/);
    });
    expect(failed).toEqual([]);
    const controller = new AbortController();
    const aborted = await inTemporary(async () => {
      const stopping = big(4, () => controller.abort(new Error('stopped')));
      await expect(measureLayer(stopping, 'gzip', { memoryLimit: 1024, signal: controller.signal })).rejects.toThrow(
        /stopped/,
      );
    });
    expect(aborted).toEqual([]);
  });

  it('refuses kept bytes that changed since they were measured', async () => {
    let blob: LayerBlob | undefined;
    await inTemporary(async () => {
      blob = await measureLayer(big(2), 'gzip', { memoryLimit: 1024 });
      const [folderName] = readdirSync(process.env['TMPDIR']!);
      const file = join(
        process.env['TMPDIR']!,
        folderName!,
        readdirSync(join(process.env['TMPDIR']!, folderName!))[0]!,
      );
      const kept = readFileSync(file);
      kept[kept.length - 20] = kept[kept.length - 20]! ^ 0xff;
      writeFileSync(file, kept);
      await expect(bytes(blob.open())).rejects.toBeInstanceOf(DigestMismatch);
      await blob.close();
    });
  });
});

describe('layer sources', () => {
  it('refuses a missing path, a relative target and a misspelled field, naming it', () => {
    expect(() => layerSources([{ path: '/nonexistent/dockwire' }], undefined)).toThrow(/layers\[0\]\.path/);
    expect(() => layerSources([{ files: {} }, { path: '.', to: 'app' }], undefined)).toThrow(/layers\[1\]\.to/);
    expect(() => layerSources([{ tar: '/nonexistent.tar' }], undefined)).toThrow(/layers\[0\]\.tar/);
    expect(() => layerSources([{ path: '.', ignroe: [] } as never], undefined)).toThrow(
      /unknown option "ignroe"; did you mean "ignore"/,
    );
    expect(() => layerSources([{ files: {}, owner: { uid: -1, gid: 0 } }], undefined)).toThrow(InvalidArgument);
  });

  it('a folder layer that cannot be read is a ContextError naming the layer\u2019s field, not a build context', async () => {
    const gone = folder({ 'a.txt': 'a' });
    const sources = layerSources([{ files: {} }, { path: gone }], undefined);
    rmSync(gone, { recursive: true });
    const error = await bytes(sources[1]!.tar()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContextError);
    expect((error as Error).message).toBe('cannot read directory . of layers[1].path: ENOENT');

    const dir = folder({ 'b.txt': 'b', 'c.txt': 'c' });
    const [b, c] = (await collect(folderEntries(dir, { path: dir }, fixed, 'layers[3].path'))).filter(
      (e) => e.type === 'file',
    );
    rmSync(join(dir, 'b.txt'));
    writeFileSync(join(dir, 'c.txt'), 'longer');
    expect(() => b!.content!()).toThrow('cannot read b.txt in layers[3].path: ENOENT');
    expect(() => c!.content!()).toThrow('c.txt in layers[3].path grew while it was being archived (expected 1 bytes)');
  });

  it('reads a tar as it is, from a file or a stream, gzip-compressed or not', async () => {
    const tarBytes = await packed(filesEntries({ files: { '/t': 'tar' } }, fixed, 'l'));
    const dir = folder({});
    writeFileSync(join(dir, 'l.tar'), tarBytes);
    const { gzipSync } = await import('node:zlib');
    writeFileSync(join(dir, 'l.tar.gz'), gzipSync(tarBytes));
    const sources = layerSources(
      [
        { tar: join(dir, 'l.tar') },
        { tar: join(dir, 'l.tar.gz') },
        {
          tar: (async function* () {
            yield tarBytes;
          })(),
        },
      ],
      undefined,
    );
    for (const source of sources) expect((await bytes(source.tar())).equals(tarBytes)).toBe(true);
    // a file is read again when asked again; a stream is read once (the layer's blob is kept)
    expect((await bytes(sources[1]!.tar())).equals(tarBytes)).toBe(true);
    expect(() => sources[2]!.tar()).toThrow(/layers\[2\]\.tar: a stream can be read once/);
    chmodSync(dir, 0o755);
  });
});
