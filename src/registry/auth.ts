// Getting an Authorization for a registry's challenge: Basic with the credentials, or a Bearer
// token from the challenge's realm (Docker's token spec): GET with Basic credentials (or none,
// anonymous), or, for an identity token, the OAuth2 refresh_token grant (a POST of a form).
import type { AuthConfig } from '../credentials/auth-config.js';
import { ProtocolError, RegistryError } from '../errors.js';
import type { Origin } from '../transport/origin.js';
import { splitUrl } from '../transport/origin.js';
import type { TransportRequest, TransportResponse } from '../transport/types.js';
import type { Challenge } from './challenge.js';
import { readBounded, registryErrors } from './answer.js';

/** How the auth code reaches a token realm (through the registry client's transport). */
export type Send = (origin: Origin, request: TransportRequest) => Promise<TransportResponse>;

/** A token answer is small; anything bigger is not one. */
const TOKEN_ANSWER_LIMIT = 1024 * 1024;

export function basicAuthorization(auth: AuthConfig | undefined): string | undefined {
  if (auth?.username === undefined && auth?.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`, 'utf8').toString('base64')}`;
}

/** A stable, secret-free name for a set of credentials (a token cache key part). */
export function whoIs(auth: AuthConfig | undefined): string {
  if (!auth) return 'anonymous';
  if (auth.registrytoken) return `registrytoken:${auth.registrytoken.length}:${fingerprint(auth.registrytoken)}`;
  if (auth.identitytoken) return `identity:${fingerprint(auth.identitytoken)}`;
  return `user:${auth.username ?? ''}:${fingerprint(auth.password ?? '')}`;
}

function fingerprint(secret: string): string {
  // a short FNV-1a of the secret: tells two apart in a Map key, and says nothing useful of either
  let h = 0x811c9dc5;
  for (let i = 0; i < secret.length; i++) h = Math.imul(h ^ secret.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

export interface TokenRequest {
  challenge: Challenge;
  /** `repository:name:pull` and the like; several for a cross-repository mount. */
  scopes: string[];
  auth: AuthConfig | undefined;
  signal?: AbortSignal;
  timeout: number;
  headersTimeout: number;
  /** Asked before any request to the realm; false refuses it (RegistryOptions.allowRealm). */
  allowRealm?: (realm: URL) => boolean | Promise<boolean>;
}

/** Asks the challenge's realm for a token; a refusal is RegistryError (UNAUTHORIZED, DENIED, ...). */
export async function fetchToken(send: Send, request: TokenRequest): Promise<{ token: string; expiresIn?: number }> {
  const { challenge, scopes, auth } = request;
  const realm = challenge.params['realm'];
  if (!realm)
    throw new ProtocolError('the registry asked for a Bearer token without saying where to get it (no realm)');
  const { origin, path } = splitUrl(realm);
  if (request.allowRealm && !(await request.allowRealm(new URL(realm)))) {
    throw new RegistryError(`the token realm ${new URL(realm).origin} was refused by allowRealm`, 401, [
      { code: 'DENIED' },
    ]);
  }
  const service = challenge.params['service'];
  const common = { signal: request.signal, timeout: request.timeout, headersTimeout: request.headersTimeout } as const;
  let response: TransportResponse;
  if (auth?.identitytoken) {
    // OAuth2 refresh_token grant (RFC 6749 §6), as the docker CLI exchanges an identity token
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: auth.identitytoken,
      client_id: 'dockwire',
    });
    if (service) form.set('service', service);
    if (scopes.length) form.set('scope', scopes.join(' '));
    response = await send(origin, {
      method: 'POST',
      path,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: form.toString(),
      ...withSignal(common),
    });
  } else {
    const query = new URLSearchParams();
    if (service) query.set('service', service);
    for (const scope of scopes) query.append('scope', scope);
    const basic = basicAuthorization(auth);
    const target = `${path}${query.size ? `${path.includes('?') ? '&' : '?'}${query.toString()}` : ''}`;
    const headers = { Accept: 'application/json', ...(basic ? { Authorization: basic } : {}) };
    response = await send(origin, { method: 'GET', path: target, headers, ...withSignal(common) });
  }
  const body = await readBounded(response.body, TOKEN_ANSWER_LIMIT, 'the token answer');
  if (response.statusCode !== 200) {
    const errors = registryErrors(body, response.statusCode === 401 ? 'UNAUTHORIZED' : 'DENIED');
    throw new RegistryError(
      `the token server refused a token for ${scopes.join(' ') || 'the registry'}`,
      response.statusCode,
      errors,
    );
  }
  let answer: { token?: unknown; access_token?: unknown; expires_in?: unknown };
  try {
    answer = JSON.parse(new TextDecoder().decode(body)) as typeof answer;
  } catch {
    throw new ProtocolError('the token server answered something else than JSON');
  }
  const token = typeof answer?.token === 'string' && answer.token ? answer.token : answer?.access_token;
  if (typeof token !== 'string' || token === '') throw new ProtocolError('the token server answered without a token');
  // a token is sent as it is in a header field: nothing in it may split the field
  if (/[\0-\x1f\x7f]/.test(token)) throw new ProtocolError('the token server answered a token with control characters');
  return { token, ...(typeof answer.expires_in === 'number' ? { expiresIn: answer.expires_in } : {}) };
}

function withSignal(common: { signal: AbortSignal | undefined; timeout: number; headersTimeout: number }): {
  signal?: AbortSignal;
  timeout: number;
  headersTimeout: number;
} {
  const { signal, ...limits } = common;
  return signal ? { signal, ...limits } : limits;
}
