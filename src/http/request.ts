// Request-side HTTP/1.1 encoding: the request head, path and query encoding, chunked bodies.
// Pure: strings and bytes in, strings and bytes out.
import { InvalidArgument } from '../errors.js';
import { isToken } from './token.js';

export type HeaderList = ReadonlyArray<readonly [string, string]>;

export interface RequestHead {
  method: string;
  /** origin-form request target: an already encoded path plus optional `?query` */
  target: string;
  headers: HeaderList;
}

// RFC 9110 §5.5: field-value may hold VCHAR, obs-text, SP and HTAB, but never CR, LF or NUL.
const FORBIDDEN_IN_VALUE = /[\0\r\n]/;
// What may stand in an origin-form target once encoded (RFC 3986 pchar, '/', '?', '&', '=', '%').
const TARGET = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%?]*$/;

/** Throws InvalidArgument if `value` holds CR, LF or NUL; `what` names the argument. */
export function assertNoControl(value: string, what: string): void {
  if (FORBIDDEN_IN_VALUE.test(value)) {
    throw new InvalidArgument(`${what} must not contain CR, LF or NUL characters`);
  }
}

/**
 * The request line and header fields, checked, without the blank line that ends the head (so
 * that framing fields can follow). Refuses anything that could split or smuggle a request.
 */
export function encodeRequestStart(head: RequestHead): string {
  if (!isToken(head.method)) throw new InvalidArgument(`invalid HTTP method ${JSON.stringify(head.method)}`);
  assertNoControl(head.target, 'request path');
  if (!TARGET.test(head.target)) throw new InvalidArgument('request path is not a valid encoded origin-form target');
  let out = `${head.method} ${head.target} HTTP/1.1\r\n`;
  for (const [name, value] of head.headers) {
    if (!isToken(name)) throw new InvalidArgument(`invalid header name ${JSON.stringify(name)}`);
    assertNoControl(value, `header ${name}`);
    out += `${name}: ${value}\r\n`;
  }
  return out;
}

// encodeURIComponent leaves !'()* alone; pchar allows them too, and ':' '@' are allowed in
// path segments (RFC 3986 §3.3). Image references such as `localhost:5000/a/b:tag` and
// `x@sha256:...` keep their ':' and '@'; the engine's router matches `{name:.*}` across '/'.
/** What encodeURIComponent leaves alone, plus the `:`, `@` and `/` a path part keeps. */
const PATH_SAFE = /^[A-Za-z0-9\-_.!~*'():@/]*$/;

function encodePathPart(value: string): string {
  if (PATH_SAFE.test(value)) return value; // the common case: nothing to encode
  return encodeURIComponent(value).replace(/%3A/gi, ':').replace(/%40/gi, '@').replace(/%2F/gi, '/');
}

/** A `.` or `..` segment anywhere in a slash-separated value. */
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

/**
 * Fills `{}` placeholders in a path template with encoded values, refusing empty values,
 * control characters, and dot segments that would make the engine route elsewhere.
 */
export function formatPath(template: string, ...params: string[]): string {
  let out = '';
  let from = 0;
  let i = 0;
  for (let at = template.indexOf('{}'); at !== -1; at = template.indexOf('{}', from)) {
    const value = params[i++];
    if (value === undefined || value === '') throw new InvalidArgument('path parameter must be a non-empty string');
    assertNoControl(value, 'path parameter');
    if (DOT_SEGMENT.test(value)) {
      throw new InvalidArgument(`path parameter ${JSON.stringify(value)} must not contain '.' or '..' segments`);
    }
    out += template.slice(from, at) + encodePathPart(value);
    from = at + 2;
  }
  if (i !== params.length) throw new Error(`formatPath: ${params.length} params for ${i} placeholders`);
  return out + template.slice(from);
}

/** Repeated: a query parameter the engine reads as a list of form values (`t=a&t=b`), not as JSON. */
export class Repeated {
  constructor(readonly values: readonly string[]) {}
}

/** QueryValue: a query parameter's value; undefined and null are left out, objects sent as JSON. */
export type QueryValue = string | number | boolean | undefined | null | object | Repeated;

/**
 * Encodes a query string. `undefined`/`null` are left out; booleans become `1`/`0` (the engine's
 * BoolValue accepts both); objects and arrays are sent as JSON, as the engine expects for
 * `filters`, `buildargs`, `labels`, `cachefrom`.
 */
export function encodeQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (value instanceof Repeated) {
      for (const v of value.values) {
        assertNoControl(v, `query parameter ${key}`);
        parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(v)}`);
      }
      continue;
    }
    let text: string;
    if (typeof value === 'boolean') text = value ? '1' : '0';
    else if (typeof value === 'object') text = JSON.stringify(value);
    else text = String(value);
    assertNoControl(text, `query parameter ${key}`);
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(text)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

const CRLF = new Uint8Array([13, 10]);

/** The framing around one chunk of a chunked request body (RFC 9112 §7.1): size line, data, CRLF. */
export function encodeChunkHeader(size: number): Uint8Array {
  return new TextEncoder().encode(`${size.toString(16)}\r\n`);
}
export const CHUNK_TRAILER = CRLF;
/** The last-chunk and the empty trailer section that end a chunked body. */
export const LAST_CHUNK = new TextEncoder().encode('0\r\n\r\n');

/** Frames one body chunk; an empty chunk frames to nothing (it would end the body). */
export function encodeChunk(data: Uint8Array): Uint8Array[] {
  if (data.length === 0) return [];
  return [encodeChunkHeader(data.length), data, CHUNK_TRAILER];
}
