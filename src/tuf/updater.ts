// The specification's detailed client workflow (§5), as python-tuf's ngclient runs it: the trusted
// root from the cache (or the one given), each newer root in turn, then timestamp, snapshot and
// targets (each from the cache while it is still the current one), then one target, its length and
// hashes checked. Nothing is written to the cache until all of it has passed.
import { AbortError, ProtocolError, TimeoutError, VerificationError } from '../errors.js';
import { readCached, targetPath, writeCached } from './cache.js';
import type { Mirror } from './download.js';
import { refused } from './metadata.js';
import { checkFile, own, TrustedSet } from './trusted-set.js';

/** Limits: how far the client goes before it refuses (python-tuf's UpdaterConfig defaults). */
export interface Limits {
  maxRootRotations: number;
  rootMaxLength: number;
  timestampMaxLength: number;
  snapshotMaxLength: number;
  targetsMaxLength: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxRootRotations: 256,
  rootMaxLength: 512_000,
  timestampMaxLength: 16_384,
  snapshotMaxLength: 2_000_000,
  targetsMaxLength: 5_000_000,
};

export interface UpdateRequest {
  /** The mirror's base URL, without a trailing slash: metadata at its root, targets under targets/. */
  url: string;
  mirror: Mirror;
  /** The mirror's cache folder. */
  folder: string;
  /** The root.json to trust when the cache has none (or an older one), if any. */
  root: Uint8Array | undefined;
  offline: boolean;
  /** The clock for expiry, in ms since the epoch; undefined offline means expiry is not checked. */
  now: number | undefined;
  /** Milliseconds for the whole update (0 for none). */
  timeout: number;
  signal: AbortSignal | undefined;
  limits: Limits;
}

/** fetchTarget: the target `name`'s bytes, after the whole workflow has passed, and the cache brought up to date. */
export async function fetchTarget(name: string, request: UpdateRequest): Promise<Uint8Array> {
  if (request.signal?.aborted) throw new AbortError();
  const deadline = new AbortController();
  const timer =
    request.timeout > 0
      ? setTimeout(
          () =>
            deadline.abort(
              new TimeoutError(`the TUF update from ${request.url} took longer than ${request.timeout} ms`),
            ),
          request.timeout,
        )
      : undefined;
  const onAbort = (): void => deadline.abort(new AbortError());
  request.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const writes = new Map<string, Uint8Array>();
    const target = request.offline
      ? await fromCache(name, request)
      : await update(name, request, deadline.signal, writes);
    if (writes.size) await writeCached(request.folder, writes);
    return target;
  } catch (error) {
    if (deadline.signal.aborted) throw deadline.signal.reason as Error;
    throw error;
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', onAbort);
  }
}

async function update(
  name: string,
  request: UpdateRequest,
  signal: AbortSignal,
  writes: Map<string, Uint8Array>,
): Promise<Uint8Array> {
  const { url, limits, folder } = request;
  const get = (file: string, what: string, maxLength: number): Promise<Uint8Array | undefined> =>
    request.mirror.get(`${url}/${file}`, { what, maxLength, signal, timeout: request.timeout });
  const need = async (file: string, what: string, maxLength: number): Promise<Uint8Array> => {
    const bytes = await get(file, what, maxLength);
    if (bytes === undefined) throw refused(what, `the mirror has no ${file}`);
    return bytes;
  };
  const { set, given } = await startingSet(request);
  // a root given (not read from the cache) is kept, so that the next call, or an offline one, starts from it
  if (given) writes.set('root.json', given);
  // §5.3: each newer root in turn, until the mirror has none
  const from = set.root.signed.version;
  for (let rotations = 0; ; rotations++) {
    const version = set.root.signed.version + 1;
    const bytes = await get(`${version}.root.json`, 'root', limits.rootMaxLength);
    if (bytes === undefined) break;
    if (rotations === limits.maxRootRotations)
      throw refused('root', `too many rotations: more than ${limits.maxRootRotations} versions after version ${from}`);
    set.updateRoot(bytes);
    writes.set('root.json', bytes);
  }
  // §5.4: the cached timestamp only as the reference for rollback checks
  await tryCached(folder, 'timestamp.json', (bytes) => set.updateTimestamp(bytes));
  const timestamp = await need('timestamp.json', 'timestamp', limits.timestampMaxLength);
  if (set.updateTimestamp(timestamp)) writes.set('timestamp.json', timestamp);
  // §5.5: the cached snapshot while it is still the one the timestamp names
  const consistent = set.root.signed.consistent_snapshot;
  if (!(await tryCached(folder, 'snapshot.json', (bytes) => set.updateSnapshot(bytes, true)))) {
    const meta = set.timestamp!.signed.meta['snapshot.json'];
    const bytes = await need(
      `${consistent ? `${meta.version}.` : ''}snapshot.json`,
      'snapshot',
      meta.length ?? limits.snapshotMaxLength,
    );
    set.updateSnapshot(bytes, false);
    writes.set('snapshot.json', bytes);
  }
  // §5.6: the same for targets
  if (!(await tryCached(folder, 'targets.json', (bytes) => set.updateTargets(bytes)))) {
    const meta = own(set.snapshot!.signed.meta, 'targets.json');
    if (meta === undefined) throw refused('snapshot', 'targets.json is not listed');
    const bytes = await need(
      `${consistent ? `${meta.version}.` : ''}targets.json`,
      'targets',
      meta.length ?? limits.targetsMaxLength,
    );
    set.updateTargets(bytes);
    writes.set('targets.json', bytes);
  }
  // §5.7: the target, unless the cache holds it as the targets metadata describes it
  const info = targetInfo(set, name);
  const what = `target ${name}`;
  const cached = await readCached(folder, targetPath(name));
  if (cached !== undefined && passes(() => checkFile(what, cached, info))) return cached;
  const hash = info.hashes['sha256'] ?? Object.values(info.hashes)[0]!;
  const slash = name.lastIndexOf('/');
  const file = consistent ? `${name.slice(0, slash + 1)}${hash}.${name.slice(slash + 1)}` : name;
  const bytes = await need(`targets/${file.split('/').map(encodeURIComponent).join('/')}`, what, info.length);
  checkFile(what, bytes, info);
  writes.set(targetPath(name), bytes);
  return bytes;
}

/** The trusted root to start from: the cached one, or the one given (`given`) when it is newer or nothing is cached. */
async function startingSet(request: UpdateRequest): Promise<{ set: TrustedSet; given?: Uint8Array }> {
  const now = request.now ?? Date.now();
  const cached = await readCached(request.folder, 'root.json');
  let fromCache: TrustedSet | undefined;
  if (cached !== undefined) {
    try {
      fromCache = new TrustedSet(cached, now);
    } catch (error) {
      if (!(error instanceof VerificationError) || request.root === undefined) throw error;
    }
  }
  const given = request.root === undefined ? undefined : new TrustedSet(request.root, now);
  if (fromCache && (!given || given.root.signed.version <= fromCache.root.signed.version)) return { set: fromCache };
  if (given) return { set: given, given: request.root! };
  throw new VerificationError(`TUF: no trusted root for ${request.url}`, ['root: none cached, and none given']);
}

/** offline: the cached files, checked as an update checks them (expiry only when a clock is given). */
async function fromCache(name: string, request: UpdateRequest): Promise<Uint8Array> {
  const read = async (file: string, role: string): Promise<Uint8Array> => {
    const bytes = await readCached(request.folder, file);
    if (bytes === undefined)
      throw new VerificationError(`TUF: offline, and the cache of ${request.url} is incomplete`, [
        `${role}: ${file} is not cached in ${request.folder}`,
      ]);
    return bytes;
  };
  const now = request.now ?? -Infinity;
  const root = await read('root.json', 'root');
  const set = new TrustedSet(root, now);
  set.updateTimestamp(await read('timestamp.json', 'timestamp'));
  set.updateSnapshot(await read('snapshot.json', 'snapshot'), false);
  set.updateTargets(await read('targets.json', 'targets'));
  const info = targetInfo(set, name);
  const bytes = await read(targetPath(name), `target ${name}`);
  checkFile(`target ${name}`, bytes, info);
  return bytes;
}

function targetInfo(set: TrustedSet, name: string): { length: number; hashes: Record<string, string> } {
  const targets = set.targets!.signed;
  const info = own(targets.targets, name);
  if (info !== undefined) return info;
  const delegated = targets.delegations?.roles?.map((r) => r.name) ?? [];
  if (delegated.length || targets.delegations?.succinct_roles !== undefined) {
    throw refused(
      'targets',
      `${name} is not a top-level target, and delegated targets (${delegated.join(', ') || 'succinct roles'}) are not supported`,
    );
  }
  throw refused('targets', `no target named ${name}`);
}

/** Loads a cached file into the set; false (and the file ignored) when it is missing or refused. */
async function tryCached(folder: string, file: string, load: (bytes: Uint8Array) => unknown): Promise<boolean> {
  const bytes = await readCached(folder, file);
  return bytes !== undefined && passes(() => load(bytes));
}

function passes(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch (error) {
    if (error instanceof VerificationError) return false;
    throw error;
  }
}

/** parseTargetJson: a target's bytes as the JSON object it must be. */
export function parseTargetJson(name: string, bytes: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ProtocolError(`the target ${name} is not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ProtocolError(`the target ${name} is not a JSON object`);
  return value as Record<string, unknown>;
}
