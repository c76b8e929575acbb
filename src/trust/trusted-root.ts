// The trusted root (protobuf-specs `TrustedRoot`, JSON form, as trusted_root.json holds it):
// Fulcio CAs, Rekor and CT log keys, and timestamp authorities, each with its validity window.
import type { KeyObject, X509Certificate } from 'node:crypto';
import { readFile } from '../files.js';
import { parseJson } from './json.js';
import { keyId, publicKeyOf } from './keys.js';
import { decodeBase64, equalBytes, field, guarded, isObject, refuse } from './refuse.js';
import { parseCertificate, type Certificate } from './x509.js';

/** ValidFor: a trusted key's or authority's window; `end` absent means still valid. */
export interface ValidFor {
  /** The first instant it is trusted. */
  readonly start: Date;
  /** The last instant it is trusted (inclusive), if it ends. */
  readonly end?: Date;
}

/** TrustedLog: a transparency log (Rekor) or certificate transparency log key. */
export interface TrustedLog {
  /** Where the log is (checkpoint signatures name its host). */
  readonly baseUrl: string;
  /** The log's ID: the SHA-256 of its key's SPKI, or as the root gives it. */
  readonly logId: Uint8Array;
  /** The log's public key. */
  readonly publicKey: KeyObject;
  /** When the key is trusted. */
  readonly validFor: ValidFor;
}

/** TrustedAuthority: a certificate authority (Fulcio) or timestamp authority: its chain, leaf first. */
export interface TrustedAuthority {
  /** Where the authority is. */
  readonly uri: string;
  /** Its certificates, the issuing one first, the root last. */
  readonly certificates: readonly X509Certificate[];
  /** When the authority is trusted. */
  readonly validFor: ValidFor;
}

/** TrustedRoot: a parsed trusted_root.json (parseTrustedRoot's result; what verification uses is held with it). */
export interface TrustedRoot {
  /** Rekor logs. */
  readonly tlogs: readonly TrustedLog[];
  /** Certificate transparency logs. */
  readonly ctlogs: readonly TrustedLog[];
  /** Fulcio certificate authorities. */
  readonly certificateAuthorities: readonly TrustedAuthority[];
  /** RFC 3161 timestamp authorities. */
  readonly timestampAuthorities: readonly TrustedAuthority[];
}

/** Authority: a trusted authority with its certificates parsed. */
export interface Authority {
  uri: string;
  certificates: Certificate[];
  validFor: ValidFor;
}

/** TrustMaterial: a trusted root as verification reads it. */
export interface TrustMaterial {
  tlogs: readonly TrustedLog[];
  ctlogs: readonly TrustedLog[];
  certificateAuthorities: readonly Authority[];
  timestampAuthorities: readonly Authority[];
}

const materials = new WeakMap<TrustedRoot, TrustMaterial>();

/** isTrustedRoot: true for a root parseTrustedRoot made. */
export function isTrustedRoot(value: unknown): value is TrustedRoot {
  return value !== null && typeof value === 'object' && materials.has(value as TrustedRoot);
}

/** trustMaterial: what verification reads of a root parseTrustedRoot made; any other object refused. */
export function trustMaterial(root: TrustedRoot): TrustMaterial {
  const material = materials.get(root);
  if (material === undefined) refuse('the trusted root was not made by parseTrustedRoot');
  return material;
}

/** parseTrustedRoot: a trusted root from its JSON (text, bytes or value); VerificationError when malformed. */
export function parseTrustedRoot(json: unknown): TrustedRoot {
  return guarded('trusted root', () => readTrustedRoot(json));
}

function readTrustedRoot(json: unknown): TrustedRoot {
  const root = parseJson(json, 'trusted root');
  if (!isObject(root)) refuse('trusted root is not a JSON object');
  const mediaType = root.mediaType;
  if (
    typeof mediaType !== 'string' ||
    !/^application\/vnd\.dev\.sigstore\.trustedroot(\.v0\.\d)?\+json(;version=0\.\d)?$/.test(mediaType)
  ) {
    refuse(`trusted root media type ${JSON.stringify(mediaType)} is not supported`);
  }
  const material: TrustMaterial = {
    tlogs: list(root.tlogs, 'tlogs').map((l, i) => parseLog(l, `tlogs[${i}]`)),
    ctlogs: list(root.ctlogs, 'ctlogs').map((l, i) => parseLog(l, `ctlogs[${i}]`)),
    certificateAuthorities: list(root.certificateAuthorities, 'certificateAuthorities').map((a, i) =>
      parseAuthority(a, `certificateAuthorities[${i}]`),
    ),
    timestampAuthorities: list(root.timestampAuthorities, 'timestampAuthorities').map((a, i) =>
      parseAuthority(a, `timestampAuthorities[${i}]`),
    ),
  };
  const shown = (a: Authority): TrustedAuthority =>
    Object.freeze({ uri: a.uri, validFor: a.validFor, certificates: Object.freeze(a.certificates.map((c) => c.x509)) });
  const trusted: TrustedRoot = Object.freeze({
    tlogs: material.tlogs,
    ctlogs: material.ctlogs,
    certificateAuthorities: Object.freeze(material.certificateAuthorities.map(shown)),
    timestampAuthorities: Object.freeze(material.timestampAuthorities.map(shown)),
  });
  materials.set(trusted, material);
  return trusted;
}

/** loadTrustedRoot: a parsed root as given, or the one at a path. */
export async function loadTrustedRoot(root: TrustedRoot | string): Promise<TrustedRoot> {
  if (typeof root !== 'string') return root;
  let text: string;
  try {
    text = await readFile(root, 'utf8');
  } catch {
    return refuse(`trusted root ${JSON.stringify(root)} cannot be read`);
  }
  return parseTrustedRoot(text);
}

/** within: true when `at` is inside the window (both ends inclusive). */
export function within(window: ValidFor, at: Date): boolean {
  return at.getTime() >= window.start.getTime() && (window.end === undefined || at.getTime() <= window.end.getTime());
}

/** findLog: the log among `logs` whose ID is `logId`. */
export function findLog(logs: readonly TrustedLog[], logId: Uint8Array): TrustedLog | undefined {
  return logs.find((l) => equalBytes(l.logId, logId));
}

function list(value: unknown, what: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) refuse(`trusted root ${what} is not a list`);
  return value;
}

function parseValidFor(value: unknown, what: string): ValidFor {
  const start = date(field(value, 'start'), `${what}.validFor.start`);
  if (start === undefined) refuse(`trusted root ${what}.validFor.start is missing`);
  const end = date(field(value, 'end'), `${what}.validFor.end`);
  return end === undefined ? { start } : { start, end };
}

function date(value: unknown, what: string): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const d =
    typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value)
      ? new Date(value)
      : undefined;
  if (d === undefined || Number.isNaN(d.getTime())) refuse(`trusted root ${what} is not an RFC 3339 time`);
  return d;
}

function parseLog(value: unknown, what: string): TrustedLog {
  const key = field(value, 'publicKey');
  const publicKey = publicKeyOf(
    decodeBase64(field(key, 'rawBytes'), `trusted root ${what}.publicKey.rawBytes`),
    `trusted root ${what}.publicKey`,
  );
  const logId = decodeBase64(field(field(value, 'logId'), 'keyId'), `trusted root ${what}.logId.keyId`);
  const baseUrl = field(value, 'baseUrl');
  return {
    baseUrl: typeof baseUrl === 'string' ? baseUrl : '',
    logId: logId.length > 0 ? logId : keyId(publicKey),
    publicKey,
    validFor: parseValidFor(field(key, 'validFor'), what),
  };
}

function parseAuthority(value: unknown, what: string): Authority {
  const certs = field(field(value, 'certChain'), 'certificates');
  if (!Array.isArray(certs) || certs.length === 0) refuse(`trusted root ${what} has no certificates`);
  const uri = field(value, 'uri');
  return {
    uri: typeof uri === 'string' ? uri : '',
    certificates: certs.map((c, i) =>
      parseCertificate(decodeBase64(field(c, 'rawBytes'), `trusted root ${what}.certificates[${i}]`)),
    ),
    validFor: parseValidFor(field(value, 'validFor'), what),
  };
}
