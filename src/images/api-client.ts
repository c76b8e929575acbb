// What an image operation needs: the Engine API and the credentials to present to registries.
// `Docker` is one; so is anything else with these two members.
import type { Credentials } from '../credentials/credentials.js';
import type { EngineApi } from '../engine-api.js';

export interface ApiClient {
  readonly api: EngineApi;
  readonly credentials: Credentials;
}
