// What the test engine says of itself, asked once per test file: the API version dockwire
// negotiates with it, its image store (GET /info), and whether it serves BuildKit sessions
// (POST /session). Tests branch on these, not on which engine scripts/engine.sh started.
import { compareVersions } from '../../src/engine-api.js';
import { NotFound } from '../../src/index.js';
import { client, engine } from './engine.js';

export interface EngineFacts {
  /** The API version dockwire and the engine agreed on. */
  api: string;
  /** True when images live in containerd's content store (GET /info's `driver-type`): OCI indexes, attestations. */
  containerdStore: boolean;
  /** True when POST /session switches to HTTP/2 (Docker's BuildKit); false when the engine has no such endpoint (404). */
  sessions: boolean;
  /** True when the engine answers gRPC on h2c on its own socket (BuildKit's Control API, Info): a session can be attached there. */
  grpcOnSocket: boolean;
}

/** Asks Control.Info over h2c with prior knowledge on the engine's socket: an answer in gRPC, even a refusal, means it is served there. */
async function answersGrpc(host: string): Promise<boolean> {
  const { connect } = await import('node:http2');
  const net = await import('node:net');
  const url = new URL(host);
  if (url.protocol !== 'unix:' && url.protocol !== 'tcp:') return false;
  const socket = (): import('node:net').Socket =>
    url.protocol === 'unix:' ? net.connect(url.pathname) : net.connect(Number(url.port), url.hostname);
  return new Promise<boolean>((resolve) => {
    const session = connect('http://localhost', { createConnection: socket });
    const done = (answer: boolean): void => {
      session.destroy();
      resolve(answer);
    };
    session.on('error', () => done(false));
    session.setTimeout(10_000, () => done(false));
    const stream = session.request({
      ':method': 'POST',
      ':path': '/moby.buildkit.v1.Control/Info',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    stream.on('response', (headers) => done(String(headers['content-type'] ?? '').startsWith('application/grpc')));
    stream.on('error', () => done(false));
    stream.end(Buffer.alloc(5));
  });
}

async function probe(): Promise<EngineFacts> {
  const docker = client();
  try {
    const api = await docker.api.apiVersion();
    const info = await docker.api.json<{ DriverStatus?: unknown }>('GET', '/info');
    const status = Array.isArray(info.DriverStatus) ? (info.DriverStatus as unknown[]) : [];
    const containerdStore = status.some(
      (pair) => Array.isArray(pair) && pair[0] === 'driver-type' && pair[1] === 'io.containerd.snapshotter.v1',
    );
    let sessions = true;
    try {
      const socket = await docker.api.upgrade('/session', {
        headers: {
          Upgrade: 'h2c',
          'X-Docker-Expose-Session-Uuid': `probe-${process.pid}`,
          'X-Docker-Expose-Session-Name': 'probe',
          'X-Docker-Expose-Session-Sharedkey': 'probe',
        },
      });
      socket.destroy();
    } catch (error) {
      if (!(error instanceof NotFound)) throw error;
      sessions = false;
    }
    return { api, containerdStore, sessions, grpcOnSocket: await answersGrpc(engine.host) };
  } finally {
    await docker.close();
  }
}

export const facts: EngineFacts = await probe();

/** True when the negotiated API version is `version` or newer. */
export function speaks(version: string): boolean {
  return compareVersions(facts.api, version) >= 0;
}
