// TUF 1.0 metadata (the specification's §4): the four top-level roles' files parsed and their
// shapes checked, as python-tuf's `tuf.api.metadata` checks them, before anything is trusted.
// Every refusal is a VerificationError naming the role.
import { VerificationError } from '../errors.js';
import { encodeOlpcCanonicalJson } from './canonical-json.js';
import type { TufKey } from './keys.js';

export type RoleName = 'root' | 'timestamp' | 'snapshot' | 'targets';
export const TOP_LEVEL_ROLES: readonly RoleName[] = ['root', 'timestamp', 'snapshot', 'targets'];

export interface Signature {
  keyid: string;
  sig: string;
}

/** A role's keys and how many of them must sign. */
export interface RoleKeys {
  keyids: string[];
  threshold: number;
}

interface Common {
  _type: RoleName;
  spec_version: string;
  version: number;
  expires: string;
  /** `expires` in ms since the epoch. */
  expiresAt: number;
}

export interface Root extends Common {
  consistent_snapshot: boolean;
  keys: Record<string, TufKey>;
  roles: Record<RoleName, RoleKeys>;
}

/** MetaFile: what timestamp says of snapshot.json, and snapshot of targets.json. */
export interface MetaFile {
  version: number;
  length?: number;
  hashes?: Record<string, string>;
}

export interface Timestamp extends Common {
  meta: { 'snapshot.json': MetaFile };
}

export interface Snapshot extends Common {
  meta: Record<string, MetaFile>;
}

export interface TargetFile {
  length: number;
  hashes: Record<string, string>;
}

export interface DelegatedRole {
  name: string;
  paths?: string[];
  path_hash_prefixes?: string[];
}

export interface Targets extends Common {
  targets: Record<string, TargetFile>;
  delegations?: { roles?: DelegatedRole[]; succinct_roles?: unknown };
}

export interface Signed {
  root: Root;
  timestamp: Timestamp;
  snapshot: Snapshot;
  targets: Targets;
}

/** Metadata: one role's file, parsed; `signedBytes` is what its signatures sign. */
export interface Metadata<R extends RoleName> {
  signed: Signed[R];
  signatures: Signature[];
  signedBytes: Uint8Array;
}

/** refused: the VerificationError for `role`, with `reason` as its one reason. */
export function refused(role: string, reason: string): VerificationError {
  return new VerificationError(`TUF ${role}${role.startsWith('target ') ? '' : ' metadata'} refused`, [
    `${role}: ${reason}`,
  ]);
}

/** parseMetadata: `bytes` as `role`'s metadata, its shape checked; VerificationError naming `role` otherwise. */
export function parseMetadata<R extends RoleName>(role: R, bytes: Uint8Array): Metadata<R> {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw refused(role, 'not JSON');
  }
  const bad = (why: string): VerificationError => refused(role, why);
  if (!isObject(doc) || !isObject(doc['signed']) || !Array.isArray(doc['signatures']))
    throw bad('not TUF metadata (no signed and signatures)');
  const signatures: Signature[] = [];
  const seen = new Set<string>();
  for (const s of doc['signatures']) {
    if (!isObject(s) || typeof s['keyid'] !== 'string' || typeof s['sig'] !== 'string')
      throw bad('a signature is not { keyid, sig }');
    if (seen.has(s['keyid'])) throw bad(`two signatures by the key ${s['keyid']}`);
    seen.add(s['keyid']);
    signatures.push({ keyid: s['keyid'], sig: s['sig'] });
  }
  const signed = doc['signed'];
  if (signed['_type'] !== role) throw bad(`expected _type ${role}, got ${JSON.stringify(signed['_type'])}`);
  // what the signatures sign, taken before the checks below add their fields
  let signedBytes: Uint8Array;
  try {
    signedBytes = encodeOlpcCanonicalJson(signed);
  } catch (error) {
    throw bad((error as Error).message);
  }
  checkCommon(signed, bad);
  if (role === 'root') checkRoot(signed, bad);
  else if (role === 'timestamp') {
    const meta = signed['meta'];
    if (!isObject(meta) || Object.keys(meta).length !== 1 || !isObject(meta['snapshot.json']))
      throw bad('meta must name snapshot.json alone');
    checkMetaFile(meta['snapshot.json'], 'snapshot.json', bad);
  } else if (role === 'snapshot') {
    if (!isObject(signed['meta'])) throw bad('meta is not an object');
    for (const [name, file] of Object.entries(signed['meta'])) checkMetaFile(file, name, bad);
  } else checkTargets(signed, bad);
  return { signed: signed as unknown as Signed[R], signatures, signedBytes };
}

type Bad = (why: string) => VerificationError;

function checkCommon(signed: Record<string, unknown>, bad: Bad): void {
  const spec = signed['spec_version'];
  if (typeof spec !== 'string' || !/^1\.\d+(\.\d+)?$/.test(spec))
    throw bad(`unsupported spec_version ${JSON.stringify(spec)}`);
  if (!isVersion(signed['version'])) throw bad('version must be a whole number above 0');
  const at = typeof signed['expires'] === 'string' ? parseExpiry(signed['expires']) : undefined;
  if (at === undefined) throw bad(`expires is not a UTC date and time: ${JSON.stringify(signed['expires'])}`);
  signed['expiresAt'] = at;
}

// §4.2 (YYYY-MM-DDTHH:MM:SSZ); Sigstore's first roots were written with fractions and offsets
const EXPIRES = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

function parseExpiry(value: string): number | undefined {
  if (!EXPIRES.test(value)) return undefined;
  const at = Date.parse(value.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(at) ? at : undefined;
}

function checkRoot(signed: Record<string, unknown>, bad: Bad): void {
  if (signed['consistent_snapshot'] !== undefined && typeof signed['consistent_snapshot'] !== 'boolean')
    throw bad('consistent_snapshot is not a boolean');
  signed['consistent_snapshot'] ??= false;
  const keys = signed['keys'];
  if (!isObject(keys)) throw bad('keys is not an object');
  for (const [id, key] of Object.entries(keys)) checkKey(key, id, bad);
  const roles = signed['roles'];
  if (!isObject(roles) || Object.keys(roles).length !== 4 || !TOP_LEVEL_ROLES.every((r) => r in roles))
    throw bad('roles must be root, timestamp, snapshot and targets');
  for (const name of TOP_LEVEL_ROLES) checkRoleKeys(roles[name], name, bad);
}

function checkKey(key: unknown, id: string, bad: Bad): void {
  if (
    !isObject(key) ||
    typeof key['keytype'] !== 'string' ||
    typeof key['scheme'] !== 'string' ||
    !isObject(key['keyval']) ||
    typeof key['keyval']['public'] !== 'string'
  ) {
    throw bad(`the key ${id} is not { keytype, scheme, keyval: { public } }`);
  }
}

function checkRoleKeys(role: unknown, name: string, bad: Bad): void {
  if (!isObject(role) || !Array.isArray(role['keyids']) || role['keyids'].some((k) => typeof k !== 'string'))
    throw bad(`role ${name} has no keyids`);
  if (new Set(role['keyids']).size !== role['keyids'].length) throw bad(`role ${name} lists a key twice`);
  if (!isVersion(role['threshold'])) throw bad(`role ${name}'s threshold must be at least 1`);
}

function checkMetaFile(file: unknown, name: string, bad: Bad): void {
  if (!isObject(file) || !isVersion(file['version'])) throw bad(`${name}'s version must be a whole number above 0`);
  if (file['length'] !== undefined && !isLength(file['length'])) throw bad(`${name}'s length is not a number of bytes`);
  if (file['hashes'] !== undefined) checkHashes(file['hashes'], name, bad);
}

function checkHashes(hashes: unknown, name: string, bad: Bad): void {
  if (!isObject(hashes) || Object.keys(hashes).length === 0 || Object.values(hashes).some((h) => typeof h !== 'string'))
    throw bad(`${name}'s hashes are not a non-empty object of strings`);
}

function checkTargets(signed: Record<string, unknown>, bad: Bad): void {
  if (!isObject(signed['targets'])) throw bad('targets is not an object');
  for (const [name, file] of Object.entries(signed['targets'])) {
    if (!isObject(file) || !isLength(file['length'])) throw bad(`the target ${name} has no length`);
    checkHashes(file['hashes'], `the target ${name}`, bad);
  }
  const delegations = signed['delegations'];
  if (delegations === undefined) return;
  if (!isObject(delegations) || !isObject(delegations['keys'])) throw bad('delegations has no keys');
  for (const [id, key] of Object.entries(delegations['keys'])) checkKey(key, id, bad);
  if (delegations['roles'] !== undefined) {
    if (!Array.isArray(delegations['roles'])) throw bad('delegations.roles is not a list');
    for (const role of delegations['roles']) {
      if (!isObject(role) || typeof role['name'] !== 'string') throw bad('a delegated role has no name');
      checkRoleKeys(role, role['name'], bad);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isVersion(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

function isLength(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
