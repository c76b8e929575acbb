// The tar writer's own rules, without another program: name splitting, pax records, entries whose
// content disagrees with their size, and content read only as the consumer asks.
import { describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../../src/errors.js';
import { encodePaxData, splitName } from '../../../src/tar/header.js';
import { pack } from '../../../src/tar/packer.js';
import { packed } from '../../support/tar.js';

const content = (s: string) => () => [Buffer.from(s)];

describe('ustar headers', () => {
  it('splitName and pax records follow the rules', () => {
    const enc = new TextEncoder();
    expect(splitName(enc.encode('a'.repeat(100)))?.prefix.length).toBe(0);
    expect(splitName(enc.encode('a'.repeat(101)))).toBeUndefined(); // no '/' to split at
    expect(splitName(enc.encode(`${'p'.repeat(155)}/${'n'.repeat(100)}`))?.name.length).toBe(100);
    expect(splitName(enc.encode(`${'p'.repeat(156)}/n`))).toBeUndefined();
    // a record's length counts its own digits
    expect(new TextDecoder().decode(encodePaxData({ a: 'bcd' }))).toBe('8 a=bcd\n');
    expect(new TextDecoder().decode(encodePaxData({ path: 'x'.repeat(95) }))).toBe(`105 path=${'x'.repeat(95)}\n`);
  });
});

describe('pack', () => {
  it('content longer or shorter than declared is an InvalidArgument, not a corrupt archive', async () => {
    await expect(
      packed([{ name: 'f', type: 'file', mode: 0o644, size: 2, mtime: 0, content: content('abc') }]),
    ).rejects.toBeInstanceOf(InvalidArgument);
    await expect(
      packed([{ name: 'f', type: 'file', mode: 0o644, size: 5, mtime: 0, content: content('abc') }]),
    ).rejects.toThrow(/tar entry f: its content is 3 bytes, not its size \(5 bytes\)/);
  });

  it('pulls content only as the consumer reads', async () => {
    let produced = 0;
    async function* slow() {
      for (let i = 0; i < 100; i++) {
        produced++;
        yield new Uint8Array(1024);
      }
    }
    const iterator = pack([{ name: 'big', type: 'file', mode: 0o644, size: 100 * 1024, mtime: 0, content: slow }])[
      Symbol.asyncIterator
    ]();
    await iterator.next(); // header
    await iterator.next(); // first chunk
    expect(produced).toBe(1);
    await iterator.return?.();
  });

  it('content from an async source that is too long or too short is an InvalidArgument too', async () => {
    async function* three() {
      yield Buffer.from('abc');
    }
    await expect(packed([{ name: 'g', type: 'file', mode: 0o644, size: 2, mtime: 0, content: three }])).rejects.toThrow(
      /tar entry g: its content is longer than its size \(2 bytes\)/,
    );
    await expect(packed([{ name: 'g', type: 'file', mode: 0o644, size: 4, mtime: 0, content: three }])).rejects.toThrow(
      /tar entry g: its content is 3 bytes, not its size \(4 bytes\)/,
    );
  });
});
