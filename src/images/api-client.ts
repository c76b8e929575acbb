// What an image operation needs: the Engine API and the credentials to present to registries.
// `Docker` is one; so is anything else with these two members.
import type { Credentials } from '../credentials/credentials.js';
import type { EngineApi } from '../engine-api.js';

/**
 * Client: what every operation of `dockwire/api` takes, the Engine API and the registry
 * credentials to present. `Docker` is one.
 */
export interface Client {
  /** The Engine API requests go through. */
  readonly api: EngineApi;
  /** The credentials presented to registries. */
  readonly credentials: Credentials;
}
