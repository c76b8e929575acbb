// Which credentials a request carries: the caller's explicit authConfig, then what login()
// remembered for that registry, then the docker CLI's configuration.
import { credentialsFromConfig, type ConfigSource } from './config-file.js';
import { registryHostname, type AuthConfig } from './auth-config.js';

/** Credentials: which credentials a request to a registry carries, the call's `authConfig`, then what login() confirmed, then the docker CLI's configuration. */
export class Credentials {
  readonly #source: ConfigSource;
  readonly #loggedIn = new Map<string, AuthConfig>();

  constructor(source: ConfigSource = {}) {
    this.#source = source;
  }

  /** Remembers credentials that login() confirmed, for later calls to the same registry. */
  remember(registry: string, auth: AuthConfig): void {
    this.#loggedIn.set(registryHostname(registry), auth);
  }

  remembered(registry: string): AuthConfig | undefined {
    return this.#loggedIn.get(registryHostname(registry));
  }

  async resolve(registry: string, explicit?: AuthConfig): Promise<AuthConfig | undefined> {
    if (explicit) return explicit;
    return this.remembered(registry) ?? (await credentialsFromConfig(registryHostname(registry), this.#source));
  }
}
