// What an image operation needs: the Engine API and the credentials to present to registries.
// `Docker` is one; so is anything else with these two members.
import type { Credentials } from '../credentials/credentials.js';
import type { EngineApi } from '../engine-api.js';
import type { BuildSession, SessionOptions } from '../session/session.js';

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
  /** @internal How `Docker` attaches a BuildKit build's session without `POST /session`, where it can. */
  attachBuildSession?: AttachBuildSession;
}
