import { INDEX_SERVER, registryHostname, type AuthConfig } from '../credentials/auth-config.js';
import { InvalidArgument } from '../errors.js';
import type { ApiClient } from './api-client.js';
import { authAnswer } from './shapes.js';

export interface LoginOptions {
  username: string;
  password?: string;
  email?: string;
  /** Server address; Docker Hub when left out. */
  registry?: string;
  /** Log in again even when credentials for this registry and user are already remembered. */
  reauth?: boolean;
  signal?: AbortSignal;
}

export interface LoginResult {
  Status: string;
  IdentityToken?: string;
  [key: string]: unknown;
}

/**
 * POST /auth: checks credentials with the registry (through the engine) and, when they are good,
 * remembers them for later pulls and pushes to that registry, as docker-py does.
 */
export async function login(ctx: ApiClient, options: LoginOptions): Promise<LoginResult> {
  if (!options || typeof options.username !== 'string' || options.username === '') {
    throw new InvalidArgument('username must be a non-empty string');
  }
  const registry = options.registry ?? INDEX_SERVER;
  const known = ctx.credentials.remembered(registryHostname(registry));
  if (known && known.username === options.username && !options.reauth) {
    return { Status: 'Login Succeeded' };
  }
  const auth: AuthConfig = { username: options.username, serveraddress: registry };
  if (options.password !== undefined) auth.password = options.password;
  if (options.email !== undefined) auth.email = options.email;
  const result: LoginResult = await ctx.api.json('POST', '/auth', {
    shape: authAnswer,
    body: JSON.stringify(auth),
    headers: { 'Content-Type': 'application/json' },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (result.IdentityToken) auth.identitytoken = result.IdentityToken;
  ctx.credentials.remember(registryHostname(registry), auth);
  return result;
}
