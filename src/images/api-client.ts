// What an image operation needs: the Engine API and the credentials to present to registries.
// `Docker` is one; so is anything else with these two members.
import type { AuthConfig } from '../credentials/auth-config.js';
import type { Credentials } from '../credentials/credentials.js';
import type { EngineApi } from '../engine-api.js';
import type { BuildSession, SessionOptions } from '../session/session.js';
import type { Platform } from './types.js';

/** AttachBuildSession attaches a build's session over the engine's gRPC on h2c; undefined where the engine serves none there. */
export type AttachBuildSession = (options: SessionOptions) => Promise<BuildSession | undefined>;

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

/** PlatformsOf: asks the registry itself for the platforms of `name` (a reference pinned to a digest). */
export type PlatformsOf = (
  name: string,
  authConfig: AuthConfig | undefined,
  signal: AbortSignal | undefined,
) => Promise<Platform[]>;

/** What `Docker` gives the operations beyond `api` and `credentials`; kept off the public surface. */
export interface EngineHelpers {
  /** Attaches a BuildKit build's session without `POST /session`, where the engine can. */
  attachBuildSession?: AttachBuildSession;
  /** Asks the registry for the platforms the engine did not send (`Platforms: null`). */
  platformsOf?: PlatformsOf;
}

const helpers = new WeakMap<Client, EngineHelpers>();

/** Gives `client` its helpers (`Docker` does, for itself). */
export function setEngineHelpers(client: Client, given: EngineHelpers): void {
  helpers.set(client, given);
}

/** The helpers `client` was given; none for a client of the caller's own. */
export function engineHelpers(client: Client): EngineHelpers {
  return helpers.get(client) ?? {};
}
