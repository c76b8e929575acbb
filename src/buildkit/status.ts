// BuildKit's progress, as the engine relays it inside a version-2 build stream: JSON lines whose
// `{"id":"moby.buildkit.trace","aux":"<base64>"}` entries are protobuf-encoded
// moby.buildkit.v1.StatusResponse messages (buildkit api/services/control/control.proto).
// Decoded here into plain objects, then into one event per change a user cares about. Pure.
import { StreamError } from '../errors.js';
import { asBytes, asNumber, asString, asTimestamp, readFields } from './protobuf.js';

/** Vertex: one step of a BuildKit build, as its status stream describes it. */
export interface Vertex {
  digest: string;
  inputs: string[];
  name: string;
  cached: boolean;
  started?: number;
  completed?: number;
  error?: string;
}

export interface VertexStatus {
  id: string;
  vertex: string;
  name: string;
  current: number;
  total: number;
  timestamp?: number;
  started?: number;
  completed?: number;
}

export interface VertexLog {
  vertex: string;
  timestamp?: number;
  /** 1 stdout, 2 stderr */
  stream: number;
  msg: Uint8Array;
}

export interface VertexWarning {
  vertex: string;
  level: number;
  short: string;
  detail: string[];
  url: string;
}

export interface StatusResponse {
  vertexes: Vertex[];
  statuses: VertexStatus[];
  logs: VertexLog[];
  warnings: VertexWarning[];
}

const text = new TextDecoder();

function decodeVertex(bytes: Uint8Array): Vertex {
  const v: Vertex = { digest: '', inputs: [], name: '', cached: false };
  for (const f of readFields(bytes)) {
    if (f.field === 1) v.digest = asString(f);
    else if (f.field === 2) v.inputs.push(asString(f));
    else if (f.field === 3) v.name = asString(f);
    else if (f.field === 4) v.cached = asNumber(f) !== 0;
    else if (f.field === 5) v.started = asTimestamp(f);
    else if (f.field === 6) v.completed = asTimestamp(f);
    else if (f.field === 7) v.error = asString(f);
  }
  return v;
}

function decodeStatus(bytes: Uint8Array): VertexStatus {
  const s: VertexStatus = { id: '', vertex: '', name: '', current: 0, total: 0 };
  for (const f of readFields(bytes)) {
    if (f.field === 1) s.id = asString(f);
    else if (f.field === 2) s.vertex = asString(f);
    else if (f.field === 3) s.name = asString(f);
    else if (f.field === 4) s.current = asNumber(f);
    else if (f.field === 5) s.total = asNumber(f);
    else if (f.field === 6) s.timestamp = asTimestamp(f);
    else if (f.field === 7) s.started = asTimestamp(f);
    else if (f.field === 8) s.completed = asTimestamp(f);
  }
  return s;
}

function decodeLog(bytes: Uint8Array): VertexLog {
  const l: VertexLog = { vertex: '', stream: 0, msg: new Uint8Array(0) };
  for (const f of readFields(bytes)) {
    if (f.field === 1) l.vertex = asString(f);
    else if (f.field === 2) l.timestamp = asTimestamp(f);
    else if (f.field === 3) l.stream = asNumber(f);
    else if (f.field === 4) l.msg = asBytes(f);
  }
  return l;
}

function decodeWarning(bytes: Uint8Array): VertexWarning {
  const w: VertexWarning = { vertex: '', level: 0, short: '', detail: [], url: '' };
  for (const f of readFields(bytes)) {
    if (f.field === 1) w.vertex = asString(f);
    else if (f.field === 2) w.level = asNumber(f);
    else if (f.field === 3) w.short = text.decode(asBytes(f));
    else if (f.field === 4) w.detail.push(text.decode(asBytes(f)));
    else if (f.field === 5) w.url = asString(f);
  }
  return w;
}

export function decodeStatusResponse(bytes: Uint8Array): StatusResponse {
  const out: StatusResponse = { vertexes: [], statuses: [], logs: [], warnings: [] };
  for (const f of readFields(bytes)) {
    if (f.field === 1) out.vertexes.push(decodeVertex(asBytes(f)));
    else if (f.field === 2) out.statuses.push(decodeStatus(asBytes(f)));
    else if (f.field === 3) out.logs.push(decodeLog(asBytes(f)));
    else if (f.field === 4) out.warnings.push(decodeWarning(asBytes(f)));
  }
  return out;
}

/** Decodes the base64 `aux` of a moby.buildkit.trace line. */
export function decodeTrace(aux: unknown): StatusResponse {
  if (typeof aux !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(aux)) {
    throw new StreamError('malformed BuildKit trace: aux is not base64');
  }
  return decodeStatusResponse(Buffer.from(aux, 'base64'));
}

/** VertexState: where a BuildKit step is. */
export type VertexState = 'started' | 'completed' | 'cached' | 'failed';

/**
 * BuildKitEvent: one event of a BuildKit build, decoded from its status stream: a step's state,
 * progress, output or warning, or a line of the engine's own.
 */
export type BuildKitEvent =
  | { type: 'vertex'; digest: string; name: string; state: VertexState; error?: string }
  | { type: 'progress'; digest: string; vertex: string; id: string; current: number; total: number; completed: boolean }
  | { type: 'log'; digest: string; vertex: string; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'warning'; digest: string; vertex: string; level: number; short: string; detail: string[]; url: string }
  | { type: 'stream'; text: string };

/**
 * Turns the stream of StatusResponses (which repeat a vertex each time anything about it changes)
 * into one event per change: a vertex started, completed, was cached, failed; progress; log lines.
 */
export class BuildKitProgress {
  readonly vertices = new Map<string, { name: string; state?: VertexState }>();

  events(status: StatusResponse): BuildKitEvent[] {
    const out: BuildKitEvent[] = [];
    for (const v of status.vertexes) {
      const known = this.vertices.get(v.digest) ?? { name: v.name };
      known.name = v.name || known.name;
      const state: VertexState | undefined = v.error
        ? 'failed'
        : v.cached
          ? 'cached'
          : v.completed !== undefined
            ? 'completed'
            : v.started !== undefined
              ? 'started'
              : undefined;
      if (state !== undefined && state !== known.state) {
        // a vertex seen first as completed has also started
        if (state === 'completed' && known.state === undefined)
          out.push({ type: 'vertex', digest: v.digest, name: known.name, state: 'started' });
        out.push({ type: 'vertex', digest: v.digest, name: known.name, state, ...(v.error ? { error: v.error } : {}) });
        known.state = state;
      }
      this.vertices.set(v.digest, known);
    }
    for (const s of status.statuses) {
      out.push({
        type: 'progress',
        digest: s.vertex,
        vertex: this.#name(s.vertex),
        id: s.id,
        current: s.current,
        total: s.total,
        completed: s.completed !== undefined,
      });
    }
    for (const l of status.logs) {
      out.push({
        type: 'log',
        digest: l.vertex,
        vertex: this.#name(l.vertex),
        stream: l.stream === 2 ? 'stderr' : 'stdout',
        text: text.decode(l.msg),
      });
    }
    for (const w of status.warnings) {
      out.push({
        type: 'warning',
        digest: w.vertex,
        vertex: this.#name(w.vertex),
        level: w.level,
        short: w.short,
        detail: w.detail,
        url: w.url,
      });
    }
    return out;
  }

  #name(digest: string): string {
    return this.vertices.get(digest)?.name ?? digest;
  }
}
