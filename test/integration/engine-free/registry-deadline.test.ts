// A registry call's `deadline` covers the stream it hands back and ends with it, against the open
// loopback registry: blob, files and export read to their end, left by `break`, or made a Readable
// and destroyed half-way leave no deadline running; readFile and extract end theirs when they
// settle; and a deadline that expires while a stream is held fails its next read (TimeoutError,
// kind `deadline`), however much of it has already arrived. The image is made by crane.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry, TimeoutError, type ImageManifest, type RegistryCallOptions } from '../../../src/index.js';
import { runningCallDeadlines } from '../../../src/transport/deadline.js';
import { engine, uniqueName } from '../../support/engine.js';
import { crane } from '../../support/registry-peers.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

const run = promisify(execFile);
const registry = new Registry();
/** An image of one layer: a 3 MiB file of random bytes (many reads) and a small one. */
const made = { image: '', layer: { digest: '', size: 0 }, big: Buffer.alloc(0) };

beforeAll(async () => {
  const dir = tempDir('dockwire-deadline-');
  mkdirSync(join(dir, 'root'));
  made.big = randomBytes(3 * 1024 * 1024);
  writeFileSync(join(dir, 'root', 'big.bin'), made.big);
  writeFileSync(join(dir, 'root', 'hello.txt'), 'hello\n');
  await run('tar', ['-C', join(dir, 'root'), '-cf', join(dir, 'layer.tar'), 'big.bin', 'hello.txt']);
  made.image = `${engine.registry}/dockwire-test/deadline:${uniqueName('t')}`;
  await crane('append', '-f', join(dir, 'layer.tar'), '-t', made.image);
  const layer = ((await registry.manifest(made.image)).manifest as ImageManifest).layers[0]!;
  made.layer = { digest: layer.digest, size: layer.size };
}, 120_000);

afterAll(async () => {
  await registry.close();
  removeTempDirs();
});

/** The call deadlines running beyond those running before `use`, once it is done. */
async function leftRunning(use: () => Promise<unknown>): Promise<number> {
  const before = runningCallDeadlines();
  await use();
  return runningCallDeadlines() - before;
}

const streams: [string, (options: RegistryCallOptions) => AsyncIterable<unknown>][] = [
  ['blob', (options) => registry.blob(made.image, made.layer, options)],
  ['files', (options) => registry.files(made.image, options)],
  ['export', (options) => registry.export(made.image, options)],
];

describe.each(streams)('registry.%s with a deadline', (_name, open) => {
  const deadline = { deadline: 60_000 };

  it('read to its end: none left running', async () => {
    let items = 0;
    expect(
      await leftRunning(async () => {
        for await (const _ of open(deadline)) items++;
      }),
    ).toBe(0);
    expect(items).toBeGreaterThan(1);
  });

  it('left by break after its first item: none left running', async () => {
    expect(
      await leftRunning(async () => {
        for await (const _ of open(deadline)) break;
      }),
    ).toBe(0);
  });

  it('a Readable made from it, destroyed half-way: none left running', async () => {
    expect(
      await leftRunning(async () => {
        const readable = Readable.from(open(deadline), { objectMode: true, highWaterMark: 1 });
        await new Promise((r) => readable.once('data', r));
        readable.destroy();
        await new Promise((r) => readable.once('close', r));
      }),
    ).toBe(0);
  });

  it('held past its deadline: the next read fails, TimeoutError kind deadline, and none is left running', async () => {
    const before = runningCallDeadlines();
    const error = await (async () => {
      let first = true;
      for await (const _ of open({ deadline: 200 })) {
        if (!first) continue;
        first = false;
        // the deadline's timer has fired once it no longer runs
        while (runningCallDeadlines() > before) await new Promise((r) => setTimeout(r, 10));
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).kind).toBe('deadline');
    expect(runningCallDeadlines() - before).toBe(0);
  });
});

describe('registry.readFile and registry.extract with a deadline', () => {
  it('end theirs when they settle', async () => {
    let bytes: Uint8Array | undefined;
    expect(
      await leftRunning(async () => (bytes = await registry.readFile(made.image, '/big.bin', { deadline: 60_000 }))),
    ).toBe(0);
    expect(Buffer.from(bytes!).equals(made.big)).toBe(true);
    const dir = tempDir('dockwire-deadline-extract-');
    expect(await leftRunning(() => registry.extract(made.image, dir, { deadline: 60_000 }))).toBe(0);
    expect(readFileSync(join(dir, 'hello.txt'), 'utf8')).toBe('hello\n');
  });
});
