// in-toto statements (https://github.com/in-toto/attestation, spec/v1/statement.md; v0.1 is read
// the same way) and the rule that binds one to an image: its subject names the image's digest, or,
// where it names nothing (BuildKit's oci exporter), the manifest that holds it does.
import { ProtocolError } from '../errors.js';
import { parseDocument } from './envelope.js';

/** InTotoStatement: an in-toto v1 statement, with its own field names. */
export interface InTotoStatement {
  _type: string;
  subject?: Array<{ name?: string; digest?: Record<string, string>; [key: string]: unknown }>;
  predicateType?: string;
  predicate?: unknown;
  [key: string]: unknown;
}

/** The statement in `bytes`, its shape checked (`_type` and `predicateType` strings, `subject` a list); ProtocolError otherwise. */
export function parseStatement(bytes: Uint8Array, what: string): InTotoStatement & { predicateType: string } {
  const statement = parseDocument(bytes, what) as InTotoStatement;
  if (statement === null || typeof statement !== 'object' || Array.isArray(statement))
    throw new ProtocolError(`${what} is not an in-toto statement`);
  if (typeof statement._type !== 'string' || !/^https:\/\/in-toto\.io\/Statement\/v/.test(statement._type))
    throw new ProtocolError(`${what} is not an in-toto statement (_type ${JSON.stringify(statement._type)})`);
  if (typeof statement.predicateType !== 'string' || statement.predicateType === '')
    throw new ProtocolError(`${what} has no predicateType`);
  if (statement.subject !== undefined && statement.subject !== null && !Array.isArray(statement.subject))
    throw new ProtocolError(`${what}'s subject is not a list`);
  return statement as InTotoStatement & { predicateType: string };
}

/** The digests (`alg:hex`) a statement's subject names. */
export function subjectDigests(statement: InTotoStatement): string[] {
  const digests: string[] = [];
  for (const entry of statement.subject ?? []) {
    const named = entry !== null && typeof entry === 'object' ? entry.digest : undefined;
    if (named === null || typeof named !== 'object') continue;
    for (const [algorithm, hex] of Object.entries(named))
      if (typeof hex === 'string') digests.push(`${algorithm.toLowerCase()}:${hex.toLowerCase()}`);
  }
  return digests;
}

/**
 * bindStatement: why `statement` may not be given as one about `target` (a manifest digest), or
 * undefined when it may: its subject names `target`; or its subject names nothing and one of
 * `holders` (what the manifest holding it names: its `subject`, `vnd.docker.reference.digest`) is
 * `target`.
 */
export function bindStatement(
  statement: InTotoStatement,
  target: string,
  holders: readonly (string | undefined)[],
): string | undefined {
  const named = subjectDigests(statement);
  if (named.length > 0)
    return named.includes(target.toLowerCase()) ? undefined : `its subject names ${named.join(', ')}, not ${target}`;
  return holders.includes(target)
    ? undefined
    : `its subject is empty and the manifest holding it names ${holders.filter(Boolean).join(', ') || 'nothing'}, not ${target}`;
}
