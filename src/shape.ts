// Checks that a JSON answer has the shape the code reading it needs, so that an engine (or a
// proxy in front of one) answering something else is a ProtocolError naming the endpoint and what
// was wrong, never a TypeError or a wrong value further on. Objects are open: fields nobody reads
// pass unchecked, as the Engine API lets engines add them.
import { ProtocolError } from './errors.js';

/** Shape: a check that `value` (found at `at`, a path such as `[0].RepoTags`) has a shape, returning it typed. */
export type Shape<T> = (value: unknown, at: string) => T;

class Mismatch extends Error {
  constructor(
    readonly at: string,
    readonly want: string,
    readonly got: unknown,
  ) {
    super(want);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

const primitive =
  <T>(want: string, test: (value: unknown) => boolean): Shape<T> =>
  (value, at) => {
    if (!test(value)) throw new Mismatch(at, want, value);
    return value as T;
  };

export const string: Shape<string> = primitive('a string', (v) => typeof v === 'string');
export const number: Shape<number> = primitive('a number', (v) => typeof v === 'number' && Number.isFinite(v));
export const boolean: Shape<boolean> = primitive('true or false', (v) => typeof v === 'boolean');

/** Absent (undefined) or `shape`. */
export function optional<T>(shape: Shape<T>): Shape<T | undefined> {
  return (value, at) => (value === undefined ? undefined : shape(value, at));
}

/** null or `shape` (a field Go's encoding/json writes as null when empty). */
export function nullable<T>(shape: Shape<T>): Shape<T | null> {
  return (value, at) => (value === null ? null : shape(value, at));
}

export function listOf<T>(shape: Shape<T>): Shape<T[]> {
  return (value, at) => {
    if (!Array.isArray(value)) throw new Mismatch(at, 'a list', value);
    value.forEach((item, i) => shape(item, `${at}[${i}]`));
    return value as T[];
  };
}

export function recordOf<T>(shape: Shape<T>): Shape<Record<string, T>> {
  return (value, at) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Mismatch(at, 'an object', value);
    for (const [key, item] of Object.entries(value)) shape(item, `${at}.${key}`);
    return value as Record<string, T>;
  };
}

/**
 * An object whose named fields have their shapes (a field whose shape is optional may be absent),
 * typed as `T`: the interface the engine's documentation gives, of which these are the fields read.
 */
export function object<T extends object = Record<string, unknown>>(fields: Record<string, Shape<unknown>>): Shape<T> {
  return (value, at) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Mismatch(at, 'an object', value);
    for (const [key, shape] of Object.entries(fields)) {
      shape((value as Record<string, unknown>)[key], at === '' ? key : `${at}.${key}`);
    }
    return value as T;
  };
}

/** `value` if it has `shape`; else a ProtocolError naming `what` (the endpoint) and the first thing wrong. */
export function checkShape<T>(value: unknown, shape: Shape<T>, what: string): T {
  try {
    return shape(value, '');
  } catch (error) {
    if (!(error instanceof Mismatch)) throw error;
    const where = error.at === '' ? 'the answer' : error.at.startsWith('[') ? `the answer${error.at}` : error.at;
    throw new ProtocolError(`${what}: ${where} should be ${error.want}, got ${describe(error.got)}`);
  }
}
