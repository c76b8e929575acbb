// What was signed: the artifact's bytes (given, or read from a path) or only its SHA-256
// ('sha256:<hex>'), and how a bundle's content must name it.
import { readFile } from '../files.js';
import type { Bundle } from './bundle.js';
import { digestOf } from './keys.js';
import { equalBytes, field, hex, isObject, refuse } from './refuse.js';

/** Artifact: the bytes when known, and the SHA-256 always. */
export interface Artifact {
  bytes?: Uint8Array;
  sha256: Uint8Array;
}

/** loadArtifact: bytes as given, 'sha256:<hex>' as a digest alone, any other string as a path. */
export async function loadArtifact(artifact: unknown): Promise<Artifact> {
  if (artifact instanceof Uint8Array) return { bytes: artifact, sha256: digestOf('SHA2_256', artifact) };
  if (typeof artifact !== 'string') return refuse('artifact must be bytes, a file path or "sha256:<hex>"');
  const m = /^sha256:([0-9a-f]{64})$/.exec(artifact);
  if (m !== null) return { sha256: new Uint8Array(Buffer.from(m[1]!, 'hex')) };
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(artifact));
  } catch {
    return refuse(`artifact ${JSON.stringify(artifact)} cannot be read`);
  }
  return { bytes, sha256: digestOf('SHA2_256', bytes) };
}

/** IN_TOTO: the DSSE payload type of an in-toto statement. */
export const IN_TOTO = 'application/vnd.in-toto+json';

/**
 * matchArtifact: checks that the bundle names this artifact (a message digest equal to the
 * artifact's, or an in-toto statement with a subject of its SHA-256) and gives the statement.
 */
export function matchArtifact(content: Bundle['content'], artifact: Artifact): unknown {
  if (content.kind === 'message') {
    const ours =
      artifact.bytes !== undefined
        ? digestOf(content.algorithm, artifact.bytes)
        : content.algorithm === 'SHA2_256'
          ? artifact.sha256
          : undefined;
    if (ours === undefined)
      refuse(`the bundle's message digest is ${content.algorithm}; a sha256 digest cannot be compared with it`);
    if (!equalBytes(ours, content.digest)) refuse("the bundle's message digest is not the artifact's");
    return undefined;
  }
  const { envelope } = content;
  if (envelope.payloadType !== IN_TOTO)
    refuse(`DSSE payload type ${JSON.stringify(envelope.payloadType)} is not an in-toto statement`);
  let statement: unknown;
  try {
    statement = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(envelope.payload));
  } catch {
    return refuse('the DSSE payload is not JSON');
  }
  const subjects = field(statement, 'subject');
  if (!isObject(statement) || !Array.isArray(subjects)) refuse('the in-toto statement has no subject list');
  const want = hex(artifact.sha256);
  if (!subjects.some((s) => field(field(s, 'digest'), 'sha256') === want))
    refuse(`no subject of the in-toto statement has the artifact's digest sha256:${want}`);
  return statement;
}
