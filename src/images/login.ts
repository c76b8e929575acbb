import { INDEX_SERVER, registryHostname, type AuthConfig } from '../credentials/auth-config.js';
import { InvalidArgument } from '../errors.js';
import type { Client } from './api-client.js';
import { checkOptions, optionNames, type Cancellable } from '../options.js';
import { authAnswer } from './shapes.js';

/** LoginOptions: the options of `docker.login` and `login`. */
export interface LoginOptions extends Cancellable {
  /** The registry user. */
  username: string;
  /** Its password or access token. */
  password?: string;
  /** An email address, for registries that still ask for one. */
  email?: string;
  /** Server address; Docker Hub when left out. */
  registry?: string;
  /** Log in again even when credentials for this registry and user are already remembered. */
  reauth?: boolean;
}

/** The option names of LoginOptions. */
export const LOGIN_OPTIONS = optionNames<LoginOptions>({
  username: true,
  password: true,
  email: true,
  registry: true,
  reauth: true,
  signal: true,
});

/** LoginResult: the engine's answer to POST /auth, with its field names. */
export interface LoginResult {
  /** `Login Succeeded`. */
  Status: string;
  /** A token the registry handed out, used in place of the password afterwards. */
  IdentityToken?: string;
  [key: string]: unknown;
}

/**
 * login: POST /auth, checks credentials with the registry (through the engine) and, when they are good,
 * remembers them for later pulls and pushes to that registry, as docker-py does.
 */
export async function login(client: Client, options: LoginOptions): Promise<LoginResult> {
  checkOptions('login', options, LOGIN_OPTIONS);
  if (!options || typeof options.username !== 'string' || options.username === '') {
    throw new InvalidArgument('username must be a non-empty string');
  }
  const registry = options.registry ?? INDEX_SERVER;
  const known = client.credentials.remembered(registryHostname(registry));
  if (known && known.username === options.username && !options.reauth) {
    return { Status: 'Login Succeeded' };
  }
  const auth: AuthConfig = { username: options.username, serveraddress: registry };
  if (options.password !== undefined) auth.password = options.password;
  if (options.email !== undefined) auth.email = options.email;
  const result: LoginResult = await client.api.json('POST', '/auth', {
    shape: authAnswer,
    body: JSON.stringify(auth),
    headers: { 'Content-Type': 'application/json' },
    signal: options.signal,
  });
  if (result.IdentityToken) auth.identitytoken = result.IdentityToken;
  client.credentials.remember(registryHostname(registry), auth);
  return result;
}
