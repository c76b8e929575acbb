// Control API messages: what we write reads back field by field as control.proto numbers them,
// and what BuildKit sends decodes into its own field names.
import { describe, expect, it } from 'vitest';
import {
  decodeInfoResponse,
  decodeListWorkersResponse,
  decodeSolveResponse,
  decodeUsageRecord,
  encodePruneRequest,
  encodeSolveRequest,
} from '../../../src/buildkit/control.js';
import {
  asBytes,
  asNumber,
  asString,
  encodeFields,
  mapEntries,
  readFields,
  readMapEntry,
} from '../../../src/buildkit/protobuf.js';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('encodeSolveRequest', () => {
  it('numbers each field as control.proto does, the first exporter also in the deprecated fields', () => {
    const bytes = encodeSolveRequest({
      ref: 'r1',
      session: 's1',
      frontend: 'dockerfile.v0',
      frontendAttrs: { filename: 'Dockerfile', 'build-arg:A': '1' },
      exporters: [
        { type: 'image', attrs: { name: 'x/y:1', push: 'true' } },
        { type: 'oci', attrs: {} },
      ],
      cacheImports: [{ type: 'registry', attrs: { ref: 'c:1' } }],
      cacheExports: [{ type: 'registry', attrs: { ref: 'c:2', mode: 'max' } }],
      entitlements: ['network.host'],
    });
    const fields = readFields(bytes);
    const strings = (n: number): string[] => fields.filter((f) => f.field === n).map(asString);
    expect(strings(1)).toEqual(['r1']);
    expect(strings(3)).toEqual(['image']);
    expect(fields.filter((f) => f.field === 4).map((f) => readMapEntry(asBytes(f)))).toEqual([
      ['name', 'x/y:1'],
      ['push', 'true'],
    ]);
    expect(strings(5)).toEqual(['s1']);
    expect(strings(6)).toEqual(['dockerfile.v0']);
    expect(Object.fromEntries(fields.filter((f) => f.field === 7).map((f) => readMapEntry(asBytes(f))))).toEqual({
      filename: 'Dockerfile',
      'build-arg:A': '1',
    });
    expect(strings(9)).toEqual(['network.host']);
    const exporters = fields.filter((f) => f.field === 13).map((f) => readFields(asBytes(f)));
    expect(exporters.map((e) => asString(e.find((g) => g.field === 1)!))).toEqual(['image', 'oci']);
    const cache = readFields(asBytes(fields.find((f) => f.field === 8)!));
    const entry = (n: number): [string, Record<string, string>] => {
      const e = readFields(asBytes(cache.find((f) => f.field === n)!));
      return [
        asString(e.find((g) => g.field === 1)!),
        Object.fromEntries(e.filter((g) => g.field === 2).map((g) => readMapEntry(asBytes(g)))),
      ];
    };
    expect(entry(4)).toEqual(['registry', { ref: 'c:2', mode: 'max' }]);
    expect(entry(5)).toEqual(['registry', { ref: 'c:1' }]);
  });
});

describe('decoding what BuildKit sends', () => {
  it('SolveResponse: the exporter response map', () => {
    const bytes = encodeFields(mapEntries(1, { 'containerimage.digest': 'sha256:ab', 'image.name': 'x' }));
    expect(decodeSolveResponse(bytes)).toEqual({ 'containerimage.digest': 'sha256:ab', 'image.name': 'x' });
  });

  it('ListWorkersResponse: ids, labels, platforms (variant only when set), version', () => {
    const platform = (os: string, arch: string, variant?: string): Uint8Array =>
      encodeFields([
        [1, arch],
        [2, os],
        [3, variant],
      ]);
    const worker = encodeFields([
      [1, 'w1'],
      ...mapEntries(2, { 'org.mobyproject.buildkit.worker.executor': 'oci' }),
      [3, platform('linux', 'amd64')],
      [3, platform('linux', 'arm', 'v7')],
      [
        5,
        encodeFields([
          [1, 'github.com/moby/buildkit'],
          [2, 'v0.32.2'],
          [3, 'abc'],
        ]),
      ],
    ]);
    const [w] = decodeListWorkersResponse(encodeFields([[1, worker]]));
    expect(w).toEqual({
      ID: 'w1',
      Labels: { 'org.mobyproject.buildkit.worker.executor': 'oci' },
      Platforms: [
        { OS: 'linux', Architecture: 'amd64' },
        { OS: 'linux', Architecture: 'arm', Variant: 'v7' },
      ],
      BuildkitVersion: { Package: 'github.com/moby/buildkit', Version: 'v0.32.2', Revision: 'abc' },
    });
    expect(decodeInfoResponse(encodeFields([[1, encodeFields([[2, 'v0.32.2']])]])).BuildkitVersion.Version).toBe(
      'v0.32.2',
    );
  });

  it('UsageRecord: sizes, flags, timestamps, parents', () => {
    const ts = encodeFields([
      [1, 1_700_000_000],
      [2, 5_000_000],
    ]);
    const r = decodeUsageRecord(
      encodeFields([
        [1, 'id1'],
        [2, true],
        [4, 12345],
        [6, ts],
        [8, 3],
        [9, 'desc'],
        [10, 'regular'],
        [12, 'p1'],
        [12, 'p2'],
      ]),
    );
    expect(r).toMatchObject({
      ID: 'id1',
      Mutable: true,
      InUse: false,
      Size: 12345,
      CreatedAt: 1_700_000_000_005,
      UsageCount: 3,
      Description: 'desc',
      RecordType: 'regular',
      Parents: ['p1', 'p2'],
    });
  });

  it('PruneRequest: keepDuration as int64 nanoseconds beyond 2^53', () => {
    const fields = readFields(
      encodePruneRequest({ all: true, keepDuration: 86_400_000n * 1_000_000n * 400n, reservedSpace: 1024 }),
    );
    expect(fields.map((f) => f.field)).toEqual([2, 3, 4]);
    expect(asNumber(fields[1]!)).toBe(Number(86_400_000n * 1_000_000n * 400n));
  });

  it("the writer: bigint varints (negative as two's complement), booleans, and text round trips", () => {
    const bytes = encodeFields([
      [1, -1n],
      [2, 2n ** 63n - 1n],
      [3, true],
      [4, false],
      [5, 'héllo'],
    ]);
    const fields = readFields(bytes);
    expect(fields.map((f) => f.field)).toEqual([1, 2, 3, 5]);
    expect(bytes.subarray(1, 11)).toEqual(
      Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
    );
    expect(asNumber(fields[2]!)).toBe(1);
    expect(text(asBytes(fields[3]!))).toBe('héllo');
  });
});
