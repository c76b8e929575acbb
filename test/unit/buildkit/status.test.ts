// The BuildKit trace decoder on traces recorded from the real engine (scripts/capture-buildkit-
// fixtures.mjs) and on hand-made edge cases.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamError } from '../../../src/errors.js';
import {
  BuildKitProgress,
  decodeStatusResponse,
  decodeTrace,
  type BuildKitEvent,
} from '../../../src/buildkit/status.js';
import { JsonLinesDecoder } from '../../../src/progress/json-lines.js';
import { readFields, readVarint } from '../../../src/buildkit/protobuf.js';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'buildkit');

function replay(name: string): { events: BuildKitEvent[]; raw: Array<Record<string, unknown>> } {
  const raw = new JsonLinesDecoder().push(readFileSync(join(fixtures, name))) as Array<Record<string, unknown>>;
  const progress = new BuildKitProgress();
  const events: BuildKitEvent[] = [];
  for (const line of raw)
    if (line['id'] === 'moby.buildkit.trace') events.push(...progress.events(decodeTrace(line['aux'])));
  return { events, raw };
}

// protobuf encoding helpers for hand-made messages
const varint = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
};
const field = (num: number, bytes: number[] | string): number[] => {
  const data = typeof bytes === 'string' ? [...Buffer.from(bytes)] : bytes;
  return [...varint(num * 8 + 2), ...varint(data.length), ...data];
};
const vfield = (num: number, n: number): number[] => [...varint(num * 8), ...varint(n)];

describe('recorded traces', () => {
  it('a successful multi-stage build: vertices start and complete, logs carry both streams', () => {
    const { events, raw } = replay('success.jsonl');
    const vertices = events.filter((e): e is Extract<BuildKitEvent, { type: 'vertex' }> => e.type === 'vertex');
    const run = vertices.filter((v) => /RUN echo "hello fixtures/.test(v.name)); // build args are substituted in names
    expect(run.map((v) => v.state)).toEqual(['started', 'completed']);
    const logs = events.filter((e): e is Extract<BuildKitEvent, { type: 'log' }> => e.type === 'log');
    expect(logs.some((l) => l.stream === 'stdout' && l.text.includes('hello fixtures'))).toBe(true);
    expect(logs.some((l) => l.stream === 'stderr' && l.text.includes('to-stderr'))).toBe(true);
    expect(logs.find((l) => l.text.includes('hello fixtures'))!.vertex).toMatch(/RUN echo/);
    expect(raw.some((l) => l['id'] === 'moby.image.id')).toBe(true);
    expect(vertices.every((v) => v.digest.startsWith('sha256:'))).toBe(true);
  });

  it('the same build again: its steps are reported cached', () => {
    const { events } = replay('cached.jsonl');
    const cached = events
      .filter((e) => e.type === 'vertex' && e.state === 'cached')
      .map((e) => (e as { name: string }).name);
    expect(cached.some((n) => /RUN echo "hello/.test(n))).toBe(true);
    expect(cached.some((n) => /RUN cat \/data.txt/.test(n))).toBe(true);
  });

  it('a failing RUN: the vertex fails with its error and its output is there', () => {
    const { events, raw } = replay('failure.jsonl');
    const failed = events.find((e) => e.type === 'vertex' && e.state === 'failed') as Extract<
      BuildKitEvent,
      { type: 'vertex' }
    >;
    expect(failed.name).toMatch(/RUN echo about to fail/);
    expect(failed.error).toMatch(/exit code: 3/);
    expect(events.some((e) => e.type === 'log' && e.text.includes('about to fail'))).toBe(true);
    expect(raw.some((l) => l['errorDetail'] !== undefined)).toBe(true);
  });
});

describe('hand-made messages', () => {
  it('decodes every field and skips unknown ones of every wire type', () => {
    const timestamp = [...vfield(1, 1_700_000_000), ...vfield(2, 5_000_000)];
    const vertex = [
      ...field(1, 'sha256:v'),
      ...field(2, 'sha256:in'),
      ...field(3, '[1/1] RUN x'),
      ...vfield(4, 0),
      ...field(5, timestamp),
      ...field(99, 'unknown bytes'),
      ...vfield(98, 12345),
      ...[((97 * 8 + 1) & 0x7f) | 0x80, (97 * 8 + 1) >> 7, 1, 2, 3, 4, 5, 6, 7, 8], // fixed64
      ...[((96 * 8 + 5) & 0x7f) | 0x80, (96 * 8 + 5) >> 7, 1, 2, 3, 4], // fixed32
    ];
    const status = [...field(1, 'layer'), ...field(2, 'sha256:v'), ...vfield(4, 50), ...vfield(5, 100)];
    const log = [...field(1, 'sha256:v'), ...vfield(3, 2), ...field(4, 'oops\n')];
    const warning = [
      ...field(1, 'sha256:v'),
      ...vfield(2, 1),
      ...field(3, 'short'),
      ...field(4, 'd1'),
      ...field(4, 'd2'),
      ...field(5, 'https://x'),
    ];
    const message = new Uint8Array([...field(1, vertex), ...field(2, status), ...field(3, log), ...field(4, warning)]);
    const decoded = decodeStatusResponse(message);
    expect(decoded.vertexes[0]).toEqual({
      digest: 'sha256:v',
      inputs: ['sha256:in'],
      name: '[1/1] RUN x',
      cached: false,
      started: 1_700_000_000_005,
    });
    expect(decoded.statuses[0]).toMatchObject({ id: 'layer', vertex: 'sha256:v', current: 50, total: 100 });
    expect(new TextDecoder().decode(decoded.logs[0]!.msg)).toBe('oops\n');
    expect(decoded.warnings[0]).toEqual({
      vertex: 'sha256:v',
      level: 1,
      short: 'short',
      detail: ['d1', 'd2'],
      url: 'https://x',
    });
    const events = new BuildKitProgress().events(decoded);
    expect(events.map((e) => e.type)).toEqual(['vertex', 'progress', 'log', 'warning']);
    expect(events[2]).toMatchObject({ stream: 'stderr', vertex: '[1/1] RUN x', text: 'oops\n' });
  });

  it('refuses truncated varints, oversized lengths, groups and bad base64 with StreamError', () => {
    expect(() => readVarint(new Uint8Array([0x80, 0x80]), 0)).toThrow(StreamError);
    expect(() => readVarint(new Uint8Array(11).fill(0x80), 0)).toThrow(/10 bytes/);
    expect(() => readFields(new Uint8Array([0x0a, 0x05, 1, 2]))).toThrow(/runs past the end/);
    expect(() => readFields(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow(StreamError);
    expect(() => readFields(new Uint8Array([0x0b]))).toThrow(/wire type 3/);
    expect(() => readFields(new Uint8Array([0x09, 1, 2]))).toThrow(/truncated fixed/);
    expect(() => readFields(new Uint8Array([0x00, 0x01]))).toThrow(/field number 0/);
    expect(() => decodeTrace('not base64!')).toThrow(StreamError);
    expect(() => decodeTrace(42)).toThrow(StreamError);
    // a vertex whose string field holds a varint
    expect(() => decodeStatusResponse(new Uint8Array(field(1, vfield(1, 5))))).toThrow(/should be a string/);
  });

  it('reports each state change once, though BuildKit repeats vertices', () => {
    const started = field(1, [...field(1, 'sha256:a'), ...field(3, 'step'), ...field(5, vfield(1, 1))]);
    const done = field(1, [
      ...field(1, 'sha256:a'),
      ...field(3, 'step'),
      ...field(5, vfield(1, 1)),
      ...field(6, vfield(1, 2)),
    ]);
    const p = new BuildKitProgress();
    const states = [started, started, done, done]
      .flatMap((m) => p.events(decodeStatusResponse(new Uint8Array(m))))
      .map((e) => (e as { state: string }).state);
    expect(states).toEqual(['started', 'completed']);
  });
});
