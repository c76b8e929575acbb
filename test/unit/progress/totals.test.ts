import { describe, expect, it } from 'vitest';
import { ProgressTotals } from '../../../src/progress/totals.js';
import { rechunk } from '../../../src/stream/rechunk.js';

describe('ProgressTotals', () => {
  it('sums transfer bytes across layers and counts finished ones', () => {
    const t = new ProgressTotals();
    const a = 'aaaaaaaaaaaa';
    const b = 'bbbbbbbbbbbb';
    t.update({ status: 'Pulling from x', id: 'latest' });
    t.update({ status: 'Pulling fs layer', id: a });
    t.update({ status: 'Pulling fs layer', id: b });
    t.update({ status: 'Downloading', id: a, progressDetail: { current: 50, total: 100 } });
    t.update({ status: 'Downloading', id: b, progressDetail: { current: 10, total: 300 } });
    expect([t.bytesDone, t.bytesTotal, t.layersDone, t.layersTotal]).toEqual([60, 400, 0, 2]);
    t.update({ status: 'Download complete', id: a });
    t.update({ status: 'Extracting', id: a, progressDetail: { current: 5, total: 100 } });
    expect(t.bytesDone).toBe(110);
    t.update({ status: 'Pull complete', id: a });
    t.update({ status: 'Already exists', id: 'cccccccccccc' });
    expect([t.layersDone, t.layersTotal]).toEqual([2, 3]);
    t.update({ status: 'Pushed', id: b });
    expect([t.bytesDone, t.bytesTotal, t.layersDone]).toEqual([400, 400, 3]);
  });
});

describe('rechunk', () => {
  it('regroups into exact sizes with a short last chunk', async () => {
    async function* source() {
      for (const n of [3, 10, 1, 1, 7]) yield new Uint8Array(n).fill(n);
    }
    const out: number[] = [];
    const bytes: number[] = [];
    for await (const c of rechunk(source(), 4)) {
      out.push(c.length);
      bytes.push(...c);
    }
    expect(out).toEqual([4, 4, 4, 4, 4, 2]);
    expect(bytes).toEqual([3, 3, 3, ...Array(10).fill(10), 1, 1, ...Array(7).fill(7)]);
  });

  // A source that reuses one buffer for every chunk, as a borrowed save body does.
  async function* reused(sizes: number[]): AsyncIterable<Uint8Array> {
    const buffer = new Uint8Array(16);
    let value = 0;
    for (const n of sizes) {
      for (let i = 0; i < n; i++) buffer[i] = value++ & 0xff;
      yield buffer.subarray(0, n);
    }
  }
  const expected = (total: number) => Array.from({ length: total }, (_, i) => i & 0xff);

  it('keeps no borrowed source chunk: every chunk handed out is its own memory', async () => {
    const kept: Uint8Array[] = [];
    // 16-byte source chunks and 8-byte output: the whole-chunk shortcut would hand out views
    for await (const c of rechunk(reused([16, 16, 5, 16]), 8)) kept.push(c);
    expect(kept.map((c) => c.length)).toEqual([8, 8, 8, 8, 8, 8, 5]);
    expect(kept.flatMap((c) => [...c])).toEqual(expected(53));
  });

  it('borrowed: hands out views and refills one buffer, each valid until the next is asked for', async () => {
    const seen: number[] = [];
    const buffers = new Set<ArrayBufferLike>();
    for await (const c of rechunk(reused([16, 3, 3, 3, 16]), 8, true)) {
      seen.push(...c);
      buffers.add(c.buffer);
    }
    expect(seen).toEqual(expected(41));
    expect(buffers.size).toBe(2); // the source's buffer and rechunk's own one
  });
});
