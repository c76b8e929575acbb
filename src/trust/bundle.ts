// A Sigstore bundle (protobuf-specs `Bundle`, JSON form), versions 0.1 to 0.3, read into what the
// verifier needs, with the rules each version adds: 0.1 log entries carry a promise (SET), 0.2 and
// later an inclusion proof, and 0.3 carries one certificate, not a chain.
import { decodeBase64, field, isObject, refuse } from './refuse.js';
import { parseEnvelope, type Envelope } from './dsse.js';
import { parseJson } from './json.js';

/** TlogEntry: a transparency log entry of a bundle. */
export interface TlogEntry {
  logIndex: bigint;
  logId: Uint8Array;
  kind: string;
  version: string;
  /** Seconds since the epoch; 0 when the log gave none (Rekor v2). */
  integratedTime: bigint;
  signedEntryTimestamp?: Uint8Array;
  inclusionProof?: InclusionProof;
  canonicalizedBody: Uint8Array;
}

/** InclusionProof: an entry's place in a log's Merkle tree, and the checkpoint that signs the root. */
export interface InclusionProof {
  logIndex: bigint;
  treeSize: bigint;
  rootHash: Uint8Array;
  hashes: Uint8Array[];
  checkpoint: string;
}

/** Bundle: a parsed Sigstore bundle. */
export interface Bundle {
  version: string;
  content:
    | { kind: 'message'; algorithm: string; digest: Uint8Array; signature: Uint8Array }
    | { kind: 'dsse'; envelope: Envelope };
  material: { kind: 'publicKey'; hint: string | undefined } | { kind: 'certificate'; certificates: Uint8Array[] };
  tlogEntries: TlogEntry[];
  rfc3161Timestamps: Uint8Array[];
}

/** uint: a protobuf-JSON int64 (string or number) that is a non-negative integer. */
export function uint(value: unknown, what: string, optional = false): bigint {
  if (value === undefined && optional) return 0n;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^\d{1,19}$/.test(value)) return BigInt(value);
  return refuse(`${what} is not a non-negative integer`);
}

/** isBundleMediaType: true for every media type of a Sigstore bundle (`application/vnd.dev.sigstore.bundle[.v0.N]+json[;version=0.N]`), whether or not parseBundle reads its version. */
export function isBundleMediaType(mediaType: string): boolean {
  return /^application\/vnd\.dev\.sigstore\.bundle(\.v0\.\d+)?\+json(\s*;.*)?$/.test(mediaType);
}

const MEDIA_TYPE = /^application\/vnd\.dev\.sigstore\.bundle(?:\+json;version=(0\.[123])|\.v(0\.3)\+json)$/;

/** parseBundle: a bundle from its JSON (text, bytes or value); anything malformed refused. */
export function parseBundle(input: unknown): Bundle {
  const json = parseJson(input, 'bundle');
  if (!isObject(json)) refuse('bundle is not a JSON object');
  const mediaType = json.mediaType;
  const m = typeof mediaType === 'string' ? MEDIA_TYPE.exec(mediaType) : null;
  if (m === null)
    refuse(`bundle media type ${JSON.stringify(mediaType)} is not a supported Sigstore bundle version (0.1 to 0.3)`);
  const version = (m[1] ?? m[2])!;
  const vm = json.verificationMaterial;
  if (!isObject(vm)) refuse('bundle has no verificationMaterial');
  const bundle: Bundle = {
    version,
    content: parseContent(json),
    material: parseMaterial(vm, version),
    tlogEntries: parseEntries(vm.tlogEntries, version),
    rfc3161Timestamps: parseTimestamps(vm.timestampVerificationData),
  };
  return bundle;
}

/** bundleEnvelope: the DSSE envelope of a bundle's JSON object; undefined when it holds a message signature instead. */
export function bundleEnvelope(json: Record<string, unknown>): Envelope | undefined {
  if ((json.messageSignature === undefined) === (json.dsseEnvelope === undefined))
    refuse('bundle must hold exactly one of messageSignature and dsseEnvelope');
  return json.dsseEnvelope === undefined ? undefined : parseEnvelope(json.dsseEnvelope);
}

function parseContent(json: Record<string, unknown>): Bundle['content'] {
  const envelope = bundleEnvelope(json);
  if (envelope !== undefined) return { kind: 'dsse', envelope };
  const ms = json.messageSignature;
  const md = field(ms, 'messageDigest');
  const algorithm = field(md, 'algorithm');
  if (algorithm !== 'SHA2_256' && algorithm !== 'SHA2_384' && algorithm !== 'SHA2_512')
    refuse(`messageDigest algorithm ${JSON.stringify(algorithm)} is not supported`);
  const digest = decodeBase64(field(md, 'digest'), 'messageDigest.digest');
  if (digest.length === 0) refuse('messageDigest.digest is empty');
  const signature = decodeBase64(field(ms, 'signature'), 'messageSignature.signature');
  if (signature.length === 0) refuse('messageSignature.signature is empty');
  return { kind: 'message', algorithm, digest, signature };
}

function parseMaterial(vm: Record<string, unknown>, version: string): Bundle['material'] {
  const present = ['publicKey', 'certificate', 'x509CertificateChain'].filter((k) => vm[k] !== undefined);
  if (present.length !== 1)
    refuse('verificationMaterial must hold exactly one of publicKey, certificate and x509CertificateChain');
  if (vm.publicKey !== undefined) {
    const hint = field(vm.publicKey, 'hint');
    if (hint !== undefined && typeof hint !== 'string') refuse('publicKey.hint is not a string');
    return { kind: 'publicKey', hint };
  }
  if (vm.certificate !== undefined) {
    const der = decodeBase64(field(vm.certificate, 'rawBytes'), 'certificate.rawBytes');
    if (der.length === 0) refuse('certificate.rawBytes is empty');
    return { kind: 'certificate', certificates: [der] };
  }
  if (version === '0.3') refuse('a v0.3 bundle carries a certificate, not an x509CertificateChain');
  const list = field(vm.x509CertificateChain, 'certificates');
  if (!Array.isArray(list) || list.length === 0) refuse('x509CertificateChain has no certificates');
  const certificates = list.map((c, i) =>
    decodeBase64(field(c, 'rawBytes'), `x509CertificateChain.certificates[${i}].rawBytes`),
  );
  if (certificates.some((c) => c.length === 0)) refuse('x509CertificateChain holds an empty certificate');
  return { kind: 'certificate', certificates };
}

function parseEntries(value: unknown, version: string): TlogEntry[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) refuse('tlogEntries is not a list');
  return value.map((e, i) => {
    const where = `tlogEntries[${i}]`;
    if (!isObject(e)) refuse(`${where} is not an object`);
    const kind = field(e.kindVersion, 'kind');
    const kv = field(e.kindVersion, 'version');
    if (typeof kind !== 'string' || typeof kv !== 'string') refuse(`${where} has no kindVersion`);
    const promise = field(e.inclusionPromise, 'signedEntryTimestamp');
    const entry: TlogEntry = {
      logIndex: uint(e.logIndex, `${where}.logIndex`),
      logId: decodeBase64(field(e.logId, 'keyId'), `${where}.logId.keyId`),
      kind,
      version: kv,
      integratedTime: uint(e.integratedTime, `${where}.integratedTime`, true),
      canonicalizedBody: decodeBase64(e.canonicalizedBody, `${where}.canonicalizedBody`),
    };
    if (promise !== undefined)
      entry.signedEntryTimestamp = decodeBase64(promise, `${where}.inclusionPromise.signedEntryTimestamp`);
    if (e.inclusionProof !== undefined) entry.inclusionProof = parseProof(e.inclusionProof, where);
    if (version === '0.1' && entry.signedEntryTimestamp === undefined)
      refuse(`${where}: a v0.1 bundle's log entry must carry an inclusion promise`);
    if (version !== '0.1' && entry.inclusionProof === undefined)
      refuse(`${where}: a v${version} bundle's log entry must carry an inclusion proof`);
    return entry;
  });
}

function parseProof(p: unknown, where: string): InclusionProof {
  const hashes = field(p, 'hashes');
  if (!Array.isArray(hashes) || hashes.length > 64)
    refuse(`${where}.inclusionProof.hashes is not a list of at most 64 hashes`);
  const checkpoint = field(field(p, 'checkpoint'), 'envelope');
  if (typeof checkpoint !== 'string') refuse(`${where}.inclusionProof has no checkpoint`);
  return {
    logIndex: uint(field(p, 'logIndex'), `${where}.inclusionProof.logIndex`),
    treeSize: uint(field(p, 'treeSize'), `${where}.inclusionProof.treeSize`),
    rootHash: decodeBase64(field(p, 'rootHash'), `${where}.inclusionProof.rootHash`),
    hashes: hashes.map((h, i) => decodeBase64(h, `${where}.inclusionProof.hashes[${i}]`)),
    checkpoint,
  };
}

function parseTimestamps(value: unknown): Uint8Array[] {
  if (value === undefined) return [];
  const list = field(value, 'rfc3161Timestamps');
  if (list === undefined) return [];
  if (!Array.isArray(list)) refuse('rfc3161Timestamps is not a list');
  return list.map((t, i) => decodeBase64(field(t, 'signedTimestamp'), `rfc3161Timestamps[${i}].signedTimestamp`));
}
