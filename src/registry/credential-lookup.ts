// Which credentials a registry's challenge is answered with: the client's own, else login memory,
// else config.json (and its credential helper), that last lookup reused for a while so that a
// helper is not run for every request.
import type { AuthConfig } from '../credentials/auth-config.js';
import type { Credentials } from '../credentials/credentials.js';

/** How long a credential lookup in config.json (and its helper) is reused. */
const CONFIG_CREDENTIALS_TTL = 30_000;

export class CredentialLookup {
  readonly #credentials: Credentials;
  readonly #authConfig: AuthConfig | undefined;
  readonly #fromConfig = new Map<string, { at: number; auth: Promise<AuthConfig | undefined> }>();

  constructor(credentials: Credentials, authConfig: AuthConfig | undefined) {
    this.#credentials = credentials;
    this.#authConfig = authConfig;
  }

  /** The credentials for `registry` (as credentials name it: `docker.io`, `host:port`). */
  lookup(registry: string): Promise<AuthConfig | undefined> {
    if (this.#authConfig) return Promise.resolve(this.#authConfig);
    const remembered = this.#credentials.remembered(registry);
    if (remembered) return Promise.resolve(remembered);
    const now = Date.now();
    let entry = this.#fromConfig.get(registry);
    if (!entry || now - entry.at > CONFIG_CREDENTIALS_TTL) {
      entry = { at: now, auth: this.#credentials.resolve(registry) };
      this.#fromConfig.set(registry, entry);
    }
    return entry.auth;
  }
}
