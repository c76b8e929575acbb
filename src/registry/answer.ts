// Reading a registry's answers: bodies read whole only up to a bound, and the `errors[]` of an
// error answer (OCI distribution spec, "Error Codes").
import { concatBytes } from '../bytes.js';
import { ProtocolError, type RegistryErrorEntry } from '../errors.js';
import type { ResponseBody, TransportResponse } from '../transport/types.js';

/**
 * The whole body, or ProtocolError (the rest unread, the connection dropped) once it passes
 * `limit` bytes, saying it is `why` (default: larger than the limit).
 */
export async function readBounded(body: ResponseBody, limit: number, what: string, why?: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of body) {
    length += chunk.length;
    if (length > limit) {
      body.cancel();
      throw new ProtocolError(`${what} is ${why ?? 'larger than'} ${limit} bytes: refused`);
    }
    parts.push(chunk);
  }
  return concatBytes(parts, length);
}

/** A body of at most `limit` bytes: a longer Content-Length is refused before the body, a longer body at `limit + 1`. */
export async function readCapped(response: TransportResponse, limit: number, what: string): Promise<Uint8Array> {
  const length = Number(response.headers['content-length']);
  if (Number.isFinite(length) && length > limit) {
    response.body.cancel();
    throw new ProtocolError(`${what} is ${length} bytes, more than ${limit}: refused`);
  }
  return readBounded(response.body, limit, what);
}

/**
 * A body its descriptor says is `size` bytes: a Content-Length that says otherwise is refused
 * before the body, a body longer than `size` one byte past it (ProtocolError, "longer than its
 * descriptor"); a shorter one is left to the digest check.
 */
export async function readSized(response: TransportResponse, size: number, what: string): Promise<Uint8Array> {
  checkContentLength(response, size, what);
  return readBounded(response.body, size, what, "longer than its descriptor's");
}

/** Refuses (before its body) a response whose Content-Length is not the `expected` bytes of its descriptor. */
export function checkContentLength(response: TransportResponse, expected: number, what: string): void {
  const header = response.headers['content-length'];
  if (header === undefined) return;
  if (Number(header) !== expected) {
    response.body.cancel();
    throw new ProtocolError(
      `${what}: the registry says ${header.slice(0, 24)} bytes, its descriptor ${expected}: refused`,
    );
  }
}

/** The entries of an `{"errors": [...]}` body; when there are none, one with `fallback` as its code. */
export function registryErrors(body: Uint8Array, fallback: string): RegistryErrorEntry[] {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(body)) as {
      errors?: unknown;
      error?: unknown;
      details?: unknown;
    };
    if (Array.isArray(parsed?.errors)) {
      const entries: RegistryErrorEntry[] = [];
      for (const e of parsed.errors.slice(0, 16) as Array<Record<string, unknown>>) {
        if (typeof e?.['code'] !== 'string') continue;
        const message = typeof e['message'] === 'string' ? { message: e['message'].slice(0, 512) } : {};
        entries.push({
          code: e['code'].slice(0, 64),
          ...message,
          ...(e['detail'] !== undefined ? { detail: e['detail'] } : {}),
        });
      }
      if (entries.length) return entries;
    }
    // a token server's OAuth2-style answer
    if (typeof parsed?.error === 'string') return [{ code: fallback, message: parsed.error.slice(0, 512) }];
  } catch {
    // not JSON: the status says it all
  }
  return [{ code: fallback }];
}

/** The error code the spec gives a status when the body names none. */
export function codeForStatus(status: number): string {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'DENIED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 405) return 'UNSUPPORTED';
  if (status === 429) return 'TOOMANYREQUESTS';
  return `HTTP_${status}`;
}
