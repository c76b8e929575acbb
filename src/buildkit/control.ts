// The messages of BuildKit's Control service (moby/buildkit api/services/control/control.proto,
// api/types/worker.proto): what a client sends (SolveRequest, StatusRequest, DiskUsageRequest,
// PruneRequest, ListWorkersRequest, InfoRequest) and what it reads back. Pure.
import {
  asBytes,
  asNumber,
  asString,
  asTimestamp,
  encodeFields,
  mapEntries,
  readFields,
  readMapEntry,
  type FieldValue,
} from './protobuf.js';

/** The Control service's full method names. */
export const ControlMethod = {
  DiskUsage: '/moby.buildkit.v1.Control/DiskUsage',
  Prune: '/moby.buildkit.v1.Control/Prune',
  Solve: '/moby.buildkit.v1.Control/Solve',
  Status: '/moby.buildkit.v1.Control/Status',
  Session: '/moby.buildkit.v1.Control/Session',
  ListWorkers: '/moby.buildkit.v1.Control/ListWorkers',
  Info: '/moby.buildkit.v1.Control/Info',
} as const;

/** An exporter or a cache import/export: a type and its attributes. */
export interface TypedAttrs {
  type: string;
  attrs: Record<string, string>;
}

export interface SolveRequest {
  ref: string;
  session: string;
  frontend: string;
  frontendAttrs: Record<string, string>;
  exporters: TypedAttrs[];
  cacheImports: TypedAttrs[];
  cacheExports: TypedAttrs[];
  entitlements: string[];
}

function typedAttrs(entry: TypedAttrs): Uint8Array {
  return encodeFields([[1, entry.type], ...mapEntries(2, entry.attrs)]);
}

/** SolveRequest, as buildctl sends it: the first exporter also in the deprecated fields older daemons read. */
export function encodeSolveRequest(request: SolveRequest): Uint8Array {
  const first = request.exporters[0];
  const cache = encodeFields([
    ...request.cacheExports.map((e): [number, Uint8Array] => [4, typedAttrs(e)]),
    ...request.cacheImports.map((e): [number, Uint8Array] => [5, typedAttrs(e)]),
  ]);
  const fields: Array<[number, FieldValue]> = [
    [1, request.ref],
    [3, first?.type],
    ...mapEntries(4, first?.attrs),
    [5, request.session],
    [6, request.frontend],
    ...mapEntries(7, request.frontendAttrs),
    [8, cache],
    ...request.entitlements.map((e): [number, string] => [9, e]),
    ...request.exporters.map((e): [number, Uint8Array] => [13, typedAttrs(e)]),
  ];
  return encodeFields(fields);
}

/** SolveResponse: the exporters' answers (`containerimage.digest`, `image.name`, …). */
export function decodeSolveResponse(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readFields(bytes)) {
    if (f.field === 1) {
      const [key, value] = readMapEntry(asBytes(f));
      out[key] = value;
    }
  }
  return out;
}

/** StatusRequest { Ref = 1 }. */
export function encodeStatusRequest(ref: string): Uint8Array {
  return encodeFields([[1, ref]]);
}

/** BytesMessage { data = 1 }: the unit of Control.Session and FileSend streams. */
export function encodeBytesMessage(data: Uint8Array): Uint8Array {
  return encodeFields([[1, data]]);
}

export function decodeBytesMessage(bytes: Uint8Array): Uint8Array {
  let data: Uint8Array = new Uint8Array(0);
  for (const f of readFields(bytes)) if (f.field === 1) data = asBytes(f);
  return data;
}

/** UsageRecord: one cache record, as DiskUsage and Prune report it (BuildKit's own field names). */
export interface UsageRecord {
  ID: string;
  Mutable: boolean;
  InUse: boolean;
  Size: number;
  CreatedAt?: number;
  LastUsedAt?: number;
  UsageCount: number;
  Description: string;
  RecordType: string;
  Shared: boolean;
  Parents: string[];
}

export function decodeUsageRecord(bytes: Uint8Array): UsageRecord {
  const r: UsageRecord = {
    ID: '',
    Mutable: false,
    InUse: false,
    Size: 0,
    UsageCount: 0,
    Description: '',
    RecordType: '',
    Shared: false,
    Parents: [],
  };
  for (const f of readFields(bytes)) {
    if (f.field === 1) r.ID = asString(f);
    else if (f.field === 2) r.Mutable = asNumber(f) !== 0;
    else if (f.field === 3) r.InUse = asNumber(f) !== 0;
    else if (f.field === 4) r.Size = asNumber(f);
    else if (f.field === 5)
      r.Parents.push(asString(f)); // (Parent, deprecated for Parents)
    else if (f.field === 6) r.CreatedAt = asTimestamp(f);
    else if (f.field === 7) r.LastUsedAt = asTimestamp(f);
    else if (f.field === 8) r.UsageCount = asNumber(f);
    else if (f.field === 9) r.Description = asString(f);
    else if (f.field === 10) r.RecordType = asString(f);
    else if (f.field === 11) r.Shared = asNumber(f) !== 0;
    else if (f.field === 12 && !r.Parents.includes(asString(f))) r.Parents.push(asString(f));
  }
  return r;
}

export function decodeDiskUsageResponse(bytes: Uint8Array): UsageRecord[] {
  return readFields(bytes)
    .filter((f) => f.field === 1)
    .map((f) => decodeUsageRecord(asBytes(f)));
}

export interface DiskUsageRequest {
  filters?: string[];
}

export function encodeDiskUsageRequest(request: DiskUsageRequest): Uint8Array {
  return encodeFields((request.filters ?? []).map((f): [number, string] => [1, f]));
}

export interface PruneRequest {
  filters?: string[];
  all?: boolean;
  /** Nanoseconds: records used more recently are kept. */
  keepDuration?: bigint;
  /** Bytes of cache to keep (BuildKit's reservedSpace). */
  reservedSpace?: number;
  maxUsedSpace?: number;
  minFreeSpace?: number;
}

export function encodePruneRequest(request: PruneRequest): Uint8Array {
  return encodeFields([
    ...(request.filters ?? []).map((f): [number, string] => [1, f]),
    [2, request.all],
    [3, request.keepDuration],
    [4, request.reservedSpace],
    [5, request.maxUsedSpace],
    [6, request.minFreeSpace],
  ]);
}

/** WorkerPlatform: a worker's platform (pb.Platform), in BuildKit's own field names. */
export interface WorkerPlatform {
  Architecture: string;
  OS: string;
  Variant?: string;
}

/** WorkerRecord: a worker, as ListWorkers reports it (BuildKit's own field names). */
export interface WorkerRecord {
  ID: string;
  Labels: Record<string, string>;
  Platforms: WorkerPlatform[];
  BuildkitVersion?: BuildkitVersion;
}

/** BuildkitVersion: what InfoResponse and a worker say of the daemon. */
export interface BuildkitVersion {
  Package: string;
  Version: string;
  Revision: string;
}

function decodePlatform(bytes: Uint8Array): WorkerPlatform {
  const p: WorkerPlatform = { Architecture: '', OS: '' };
  for (const f of readFields(bytes)) {
    if (f.field === 1) p.Architecture = asString(f);
    else if (f.field === 2) p.OS = asString(f);
    else if (f.field === 3 && asString(f) !== '') p.Variant = asString(f);
  }
  return p;
}

function decodeVersion(bytes: Uint8Array): BuildkitVersion {
  const v: BuildkitVersion = { Package: '', Version: '', Revision: '' };
  for (const f of readFields(bytes)) {
    if (f.field === 1) v.Package = asString(f);
    else if (f.field === 2) v.Version = asString(f);
    else if (f.field === 3) v.Revision = asString(f);
  }
  return v;
}

export function decodeListWorkersResponse(bytes: Uint8Array): WorkerRecord[] {
  return readFields(bytes)
    .filter((f) => f.field === 1)
    .map((f) => {
      const w: WorkerRecord = { ID: '', Labels: {}, Platforms: [] };
      for (const g of readFields(asBytes(f))) {
        if (g.field === 1) w.ID = asString(g);
        else if (g.field === 2) {
          const [key, value] = readMapEntry(asBytes(g));
          w.Labels[key] = value;
        } else if (g.field === 3) w.Platforms.push(decodePlatform(asBytes(g)));
        else if (g.field === 5) w.BuildkitVersion = decodeVersion(asBytes(g));
      }
      return w;
    });
}

export function decodeInfoResponse(bytes: Uint8Array): { BuildkitVersion: BuildkitVersion } {
  let version: BuildkitVersion = { Package: '', Version: '', Revision: '' };
  for (const f of readFields(bytes)) if (f.field === 1) version = decodeVersion(asBytes(f));
  return { BuildkitVersion: version };
}
