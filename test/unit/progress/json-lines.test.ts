import { describe, expect, it } from 'vitest';
import { StreamError } from '../../../src/errors.js';
import { JsonLinesDecoder } from '../../../src/progress/json-lines.js';
import { streamErrorOf } from '../../../src/progress/events.js';

const enc = new TextEncoder();

function decode(chunks: Uint8Array[], options = {}): unknown[] {
  const d = new JsonLinesDecoder(options);
  const out: unknown[] = [];
  for (const c of chunks) out.push(...d.push(c));
  d.end();
  return out;
}

function bytewise(text: string): Uint8Array[] {
  const b = enc.encode(text);
  return Array.from(b, (_, i) => b.subarray(i, i + 1));
}

function everySplit(text: string): Uint8Array[][] {
  const b = enc.encode(text);
  const ways: Uint8Array[][] = [[b], bytewise(text)];
  for (let i = 1; i < b.length; i++) ways.push([b.subarray(0, i), b.subarray(i)]);
  return ways;
}

const events = [
  { status: 'Pulling from library/busybox', id: 'latest' },
  { status: 'Downloading', progressDetail: { current: 1024, total: 4096 }, progress: '[==>  ]', id: 'abc' },
  { stream: 'Step 1/2 : FROM busybox\n' },
  { aux: { ID: 'sha256:0123' } },
  { status: 'ünïcödé ✓ 🐳 "quoted" \\ {braces} [brackets]' },
  [1, { nested: [{}] }],
];

describe('JsonLinesDecoder', () => {
  it('decodes newline-separated values at every split point and byte by byte', () => {
    const text = events.map((e) => JSON.stringify(e)).join('\r\n') + '\r\n';
    for (const chunks of everySplit(text)) expect(decode(chunks)).toEqual(events);
  }, 60000);

  it('decodes values concatenated without newlines (older engines)', () => {
    const text = events.map((e) => JSON.stringify(e)).join('');
    for (const chunks of everySplit(text)) expect(decode(chunks)).toEqual(events);
  });

  it('decodes a mix of both, with blank lines between', () => {
    const text = `${JSON.stringify(events[0])}${JSON.stringify(events[1])}\n\n  \r\n${JSON.stringify(events[2])}\n${JSON.stringify(events[3])}`;
    for (const chunks of everySplit(text)) expect(decode(chunks)).toEqual(events.slice(0, 4));
  });

  it('decodes a multi-byte character split across reads', () => {
    const text = JSON.stringify({ s: '🐳é' }) + '\n';
    const b = enc.encode(text);
    const at = b.indexOf(0xf0) + 2; // inside the 4-byte whale
    expect(decode([b.subarray(0, at), b.subarray(at)])).toEqual([{ s: '🐳é' }]);
  });

  it('emits values as soon as they are complete', () => {
    const d = new JsonLinesDecoder();
    expect(d.push(enc.encode('{"a":1}\n{"b":'))).toEqual([{ a: 1 }]);
    expect(d.push(enc.encode('2}{"c"'))).toEqual([{ b: 2 }]);
    expect(d.push(enc.encode(':3}'))).toEqual([{ c: 3 }]);
  });

  it('handles a long line fed one byte at a time in linear time', () => {
    const big = { status: 'x'.repeat(2 * 1024 * 1024) };
    const text = JSON.stringify(big) + '\n';
    const b = enc.encode(text);
    const d = new JsonLinesDecoder();
    const out: unknown[] = [];
    for (let i = 0; i < b.length; i++) out.push(...d.push(b.subarray(i, i + 1)));
    expect(out).toEqual([big]);
  }, 60000);

  it('refuses malformed input with StreamError', () => {
    expect(() => decode([enc.encode('{"a":1}\nnot json\n')])).toThrow(StreamError);
    expect(() => decode([enc.encode('{"a":}\n')])).toThrow(StreamError);
    expect(() => decode([enc.encode('{"a":')])).toThrow(StreamError); // truncated at end
    expect(() => decode([new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d, 0x0a])])).toThrow(StreamError); // bad UTF-8
  });

  it('bounds a single value', () => {
    expect(() => decode(bytewise(JSON.stringify({ s: 'x'.repeat(100) })), { maxLineSize: 64 })).toThrow(
      /exceeds 64 bytes/,
    );
  });
});

describe('streamErrorOf', () => {
  it('turns errorDetail and the older error field into StreamError', () => {
    const e = streamErrorOf({ errorDetail: { code: 1, message: 'manifest unknown' }, error: 'manifest unknown' });
    expect(e).toBeInstanceOf(StreamError);
    expect(e!.message).toBe('manifest unknown');
    expect(e!.daemonCode).toBe(1);
    expect(streamErrorOf({ error: 'only the old field' })!.message).toBe('only the old field');
    expect(streamErrorOf({ status: 'Downloading' })).toBeUndefined();
    expect(streamErrorOf('text')).toBeUndefined();
  });
});
