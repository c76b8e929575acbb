// What the test engine says of itself, asked once per test file: the API version dockwire
// negotiates with it, its image store (GET /info), and whether it serves BuildKit sessions
// (POST /session). Tests branch on these, not on which engine scripts/engine.sh started.
import { compareVersions } from '../../src/engine-api.js';
import { NotFound } from '../../src/index.js';
import { client } from './engine.js';

export interface EngineFacts {
  /** The API version dockwire and the engine agreed on. */
  api: string;
  /** True when images live in containerd's content store (GET /info's `driver-type`): OCI indexes, attestations. */
  containerdStore: boolean;
  /** True when POST /session switches to HTTP/2 (Docker's BuildKit); false when the engine has no such endpoint (404). */
  sessions: boolean;
}

async function probe(): Promise<EngineFacts> {
  const docker = client();
  try {
    const api = await docker.api.apiVersion();
    const info = await docker.api.json<{ DriverStatus?: unknown }>('GET', '/info');
    const status = Array.isArray(info.DriverStatus) ? (info.DriverStatus as unknown[]) : [];
    const containerdStore = status.some((pair) => Array.isArray(pair) && pair[0] === 'driver-type' && pair[1] === 'io.containerd.snapshotter.v1');
    let sessions = true;
    try {
      const socket = await docker.api.upgrade('/session', {
        headers: { Upgrade: 'h2c', 'X-Docker-Expose-Session-Uuid': `probe-${process.pid}`, 'X-Docker-Expose-Session-Name': 'probe', 'X-Docker-Expose-Session-Sharedkey': 'probe' },
      });
      socket.destroy();
    } catch (error) {
      if (!(error instanceof NotFound)) throw error;
      sessions = false;
    }
    return { api, containerdStore, sessions };
  } finally {
    await docker.close();
  }
}

export const facts: EngineFacts = await probe();

/** True when the negotiated API version is `version` or newer. */
export function speaks(version: string): boolean {
  return compareVersions(facts.api, version) >= 0;
}
