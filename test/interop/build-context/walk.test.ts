import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contextFromPath } from '../../../src/build-context/archive.js';
import { walkContext } from '../../../src/build-context/walk.js';
import { ContextError } from '../../../src/errors.js';
import { PatternMatcher } from '../../../src/ignore/matcher.js';
import { pack, type PackEntry } from '../../../src/tar/packer.js';
import { makeTree, removeTrees } from '../../support/contexts.js';

afterAll(removeTrees);

async function entries(root: string, patterns: string[] = [], visited?: string[]): Promise<PackEntry[]> {
  const out: PackEntry[] = [];
  for await (const e of walkContext(
    root,
    new PatternMatcher(patterns),
    visited ? { onDirectory: (d) => visited.push(d) } : {},
  ))
    out.push(e);
  return out;
}

async function archiveNames(root: string, options: { dockerfile?: string } = {}): Promise<string[]> {
  const { body } = await contextFromPath(root, options);
  const parts: Uint8Array[] = [];
  for await (const p of body as AsyncIterable<Uint8Array>) parts.push(p);
  return execFileSync('tar', ['-tf', '-'], { input: Buffer.concat(parts) })
    .toString()
    .trim()
    .split('\n');
}

describe('walkContext', () => {
  it('walks in sorted order and archives symlinks as links, never following them', async () => {
    const root = makeTree({
      'b.txt': 'b',
      'a/z.txt': 'z',
      'a/y.txt': 'y',
      host: { symlink: '/etc/hostname' },
      loop1: { symlink: 'loop2' },
      loop2: { symlink: 'loop1' },
      dirlink: { symlink: 'a' },
    });
    const list = await entries(root);
    expect(list.map((e) => `${e.type}:${e.name}`)).toEqual([
      'directory:a',
      'file:a/y.txt',
      'file:a/z.txt',
      'file:b.txt',
      'symlink:dirlink',
      'symlink:host',
      'symlink:loop1',
      'symlink:loop2',
    ]);
    expect(list.find((e) => e.name === 'host')!.linkname).toBe('/etc/hostname');
    expect(list.find((e) => e.name === 'host')!.content).toBeUndefined();
  }, 60000);

  it('stores a hardlinked file once, then as a link', async () => {
    const root = makeTree({ 'a.txt': 'same', 'b.txt': { hardlink: 'a.txt' } });
    const list = await entries(root);
    expect(list.map((e) => [e.name, e.type, e.linkname])).toEqual([
      ['a.txt', 'file', undefined],
      ['b.txt', 'hardlink', 'a.txt'],
    ]);
  }, 60000);

  it('skips a FIFO without opening it (the walk does not hang)', async () => {
    const root = makeTree({ 'a.txt': 'a' });
    execFileSync('mkfifo', [join(root, 'pipe')]);
    const archive: Uint8Array[] = [];
    for await (const p of pack(walkContext(root, new PatternMatcher([])))) archive.push(p);
    expect(
      execFileSync('tar', ['-tf', '-'], { input: Buffer.concat(archive) })
        .toString()
        .trim(),
    ).toBe('a.txt');
  });

  it('a file that vanishes before it is read is a ContextError naming it', async () => {
    // larger than one chunk: streamed, so its header goes out before its content is read
    const root = makeTree({ 'gone.txt': 'g'.repeat(100_000) });
    const iterator = pack(walkContext(root, new PatternMatcher([])))[Symbol.asyncIterator]();
    await iterator.next(); // the header: stat is done
    rmSync(join(root, 'gone.txt'));
    const error = await iterator.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContextError);
    expect((error as Error).message).toContain('gone.txt');
  });

  it('a file that grows while packing is a ContextError', async () => {
    const root = makeTree({ 'grow.txt': 'x'.repeat(100_000) });
    const iterator = pack(walkContext(root, new PatternMatcher([])))[Symbol.asyncIterator]();
    await iterator.next();
    writeFileSync(join(root, 'grow.txt'), 'x'.repeat(300_000));
    await expect(
      (async () => {
        for (;;) if ((await iterator.next()).done) break;
      })(),
    ).rejects.toBeInstanceOf(ContextError);
  }, 60000);

  it('does not enter an ignored node_modules of 100,000 files, unless an exception reaches into it', async () => {
    const root = makeTree({ Dockerfile: 'FROM scratch\n', 'src/api.js': '1' });
    for (let p = 0; p < 100; p++) {
      const dir = join(root, 'node_modules', `p${p}`, 'lib');
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < 1000; f++) writeFileSync(join(dir, `f${f}.js`), '');
    }
    const visited: string[] = [];
    const plain = await entries(root, ['node_modules'], visited);
    expect(plain.map((e) => e.name)).toEqual(['Dockerfile', 'src', 'src/api.js']);
    expect(visited).toEqual(['', 'src']);

    const visitedWithException: string[] = [];
    const excepted = await entries(root, ['node_modules', '!node_modules/p1/lib/f1.js'], visitedWithException);
    expect(excepted.map((e) => e.name)).toEqual(['Dockerfile', 'node_modules/p1/lib/f1.js', 'src', 'src/api.js']);
    expect(visitedWithException).toEqual(['', 'node_modules', 'node_modules/p1', 'node_modules/p1/lib', 'src']);
  }, 120_000);
});

describe('contextFromPath', () => {
  it('always sends the Dockerfile and .dockerignore, even when the patterns exclude them', async () => {
    const root = makeTree({ Dockerfile: 'FROM x\n', '.dockerignore': '*\n!keep\n', keep: 'k', other: 'o' });
    expect(await archiveNames(root)).toEqual(['.dockerignore', 'Dockerfile', 'keep']);
  });

  it('injects a Dockerfile from outside under a random name and lists it in .dockerignore', async () => {
    const outside = makeTree({ 'My.dockerfile': 'FROM y\n' });
    const root = makeTree({ 'a.txt': 'a' });
    const { dockerfile } = await contextFromPath(root, { dockerfile: join(outside, 'My.dockerfile') });
    expect(dockerfile).toMatch(/^\.dockerfile\.[0-9a-f]{20}$/);
    const names = await archiveNames(root, { dockerfile: join(outside, 'My.dockerfile') });
    expect(names[0]).toBe('a.txt');
    expect(names[1]).toBe('.dockerignore');
    expect(names[2]).toMatch(/^\.dockerfile\.[0-9a-f]{20}$/);
  });

  it('a missing Dockerfile or folder is a ContextError naming it', async () => {
    const root = makeTree({ 'a.txt': 'a' });
    await expect(contextFromPath(root)).rejects.toThrow(/Dockerfile/);
    await expect(contextFromPath(join(root, 'nope'))).rejects.toBeInstanceOf(ContextError);
  });

  it('an invalid .dockerignore pattern is InvalidArgument', async () => {
    const root = makeTree({ Dockerfile: 'FROM x\n', '.dockerignore': '[\n' });
    await expect(contextFromPath(root)).rejects.toThrow(/invalid .dockerignore pattern/);
  });
});

describe('walkContext reuseBuffer', () => {
  async function chunksOf(
    root: string,
    reuseBuffer: boolean,
  ): Promise<{ buffers: Set<ArrayBufferLike>; digest: string }> {
    // consumed as the transport does: each chunk is done with before the next is asked for
    const hash = createHash('sha256');
    const buffers = new Set<ArrayBufferLike>();
    for await (const chunk of pack(walkContext(root, new PatternMatcher([]), { reuseBuffer }))) {
      hash.update(chunk);
      if (chunk.length >= 256 * 1024) buffers.add(chunk.buffer);
    }
    return { buffers, digest: hash.digest('hex') };
  }

  it('reads every large file through one buffer when asked, and the archive is the same', async () => {
    const root = makeTree({
      'a.bin': randomBytes(700_000).toString('latin1'),
      'b.bin': randomBytes(600_000).toString('latin1'),
    });
    const fresh = await chunksOf(root, false);
    const reused = await chunksOf(root, true);
    expect(fresh.buffers.size).toBeGreaterThan(2);
    expect(reused.buffers.size).toBe(1);
    expect(reused.digest).toBe(fresh.digest);
  }, 60000);

  it('contextFromPath gives the same archive with reuseBuffer set, gzip-compressed or not', async () => {
    const root = makeTree({ Dockerfile: 'FROM scratch\n', 'a.bin': randomBytes(700_000).toString('latin1') });
    const seen = async (options: { gzip?: boolean; reuseBuffer?: boolean }) => {
      const { body } = await contextFromPath(root, options);
      const parts: Uint8Array[] = [];
      for await (const p of body as AsyncIterable<Uint8Array>) parts.push(Buffer.from(p)); // copies: kept past the next
      return createHash('sha256')
        .update(options.gzip ? gunzipSync(Buffer.concat(parts)) : Buffer.concat(parts))
        .digest('hex');
    };
    const plain = await seen({});
    expect(await seen({ reuseBuffer: true })).toBe(plain);
    expect(await seen({ reuseBuffer: true, gzip: true })).toBe(plain);
  }, 60000);
});
