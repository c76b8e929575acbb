// images.load(path) sends the file with its size as Content-Length; a file that changes size while
// it is read must fail the load (ImageLoadError) rather than send a body of the wrong length.
import { describe, expect, it } from 'vitest';
import { ImageLoadError } from '../../../src/errors.js';
import { ofSize } from '../../../src/images/load.js';

async function* chunks(...sizes: number[]): AsyncIterable<Uint8Array> {
  for (const n of sizes) yield new Uint8Array(n);
}

async function drain(source: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const chunk of source) n += chunk.length;
  return n;
}

describe('a file sent with its size', () => {
  it('passes every chunk when the file holds exactly its size', async () => {
    expect(await drain(ofSize(chunks(3, 4, 5), 12, '/a.tar'))).toBe(12);
  });

  it('fails when the file grew, before the extra bytes are passed on', async () => {
    const seen: number[] = [];
    const run = async (): Promise<void> => {
      for await (const chunk of ofSize(chunks(6, 6, 6), 10, '/a.tar')) seen.push(chunk.length);
    };
    await expect(run()).rejects.toThrow(
      new ImageLoadError('/a.tar grew while it was being sent (expected 10 bytes)', []),
    );
    expect(seen).toEqual([6]);
  });

  it('fails when the file shrank', async () => {
    await expect(drain(ofSize(chunks(4), 10, '/a.tar'))).rejects.toThrow(
      /shrank while it was being sent \(4 of 10 bytes\)/,
    );
    await expect(drain(ofSize(chunks(4), 10, '/a.tar'))).rejects.toBeInstanceOf(ImageLoadError);
  });
});
