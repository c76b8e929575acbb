// The engine's own BuildKit (Docker.buildkit). Docker serves the Control API over h2c with prior
// knowledge on its own socket (seen on 28.5 and 29.x); older engines only through `POST /grpc`
// upgraded to h2c, with sessions through `POST /session`. Which one is asked once, by what the
// engine answers to a first call over h2c, never by its version.
import type { Credentials } from '../credentials/credentials.js';
import type { EngineApi } from '../engine-api.js';
import { ConnectionError, ProtocolError, TimeoutError } from '../errors.js';
import type { GrpcClient } from '../grpc/client.js';
import type { BuildSession, SessionOptions } from '../session/session.js';
import { describeAddress, type Address } from '../transport/address.js';
import { DEFAULT_CONNECT_TIMEOUT } from '../transport/connect.js';
import { connectTo, type TlsOptions } from '../transport/socket-transport.js';
import { buildKitOver, control, lazyClient, type BuildKit, type BuildKitBackend } from './buildkit.js';

/** How long the first h2c call may take before the engine is taken not to serve gRPC on its socket. */
const PROBE_TIMEOUT = 10_000;

export interface EngineBuildKitOptions {
  api: EngineApi;
  /** The engine's address, when it is a socket of ours to connect to (not a transport of the caller's). */
  address: Address | undefined;
  tls: TlsOptions | undefined;
  credentials: Credentials;
  timeout: number;
}

/** How the engine serves the Control API, once known. */
type EngineGrpcPath = 'h2c' | 'upgrade';

/** The engine's BuildKit, and a session for `POST /build` attached over the same h2c connection. */
export interface EngineBuildKit {
  buildkit: BuildKit;
  /**
   * A session attached through Control.Session where the engine serves gRPC on its socket (h2c);
   * undefined where it does not (the caller then opens one with `POST /session`).
   */
  attachSession(options: SessionOptions): Promise<BuildSession | undefined>;
}

export function engineBuildKit(options: EngineBuildKitOptions): EngineBuildKit {
  const { api, address } = options;
  // the gRPC clients (node:http2) and the session are loaded by the first call that needs them
  const clients = lazyClient(async () => {
    const { GrpcClient } = await import('../grpc/client.js');
    const upgrade = new GrpcClient({
      connect: () => api.upgrade('/grpc', { headers: { Upgrade: 'h2c' } }),
      where: 'the engine (POST /grpc)',
    });
    let direct: GrpcClient | undefined;
    if (address && address.kind !== 'ssh') {
      const secure = address.kind === 'tcp' && address.tls;
      const connect = connectTo(
        address,
        DEFAULT_CONNECT_TIMEOUT,
        options.tls ?? {},
        {},
        { ...(secure ? { alpn: ['h2'] } : {}), peer: 'the Docker engine' },
      );
      direct = new GrpcClient({ connect: () => connect(), where: describeAddress(address), secure });
    }
    return {
      upgrade,
      direct,
      close: () => {
        direct?.close();
        upgrade.close();
      },
    };
  });
  const session = async (): Promise<typeof BuildSession> => (await import('../session/session.js')).BuildSession;
  let path: Promise<EngineGrpcPath> | undefined;
  const choose = (): Promise<EngineGrpcPath> => {
    path ??= (async (): Promise<EngineGrpcPath> => {
      const { direct } = await clients.get();
      if (!direct) return 'upgrade';
      try {
        const { ControlMethod } = await control();
        await direct.unary(ControlMethod.Info, new Uint8Array(0), { timeout: PROBE_TIMEOUT });
        return 'h2c';
      } catch (error) {
        // an answer in gRPC (even a refusal) means gRPC is served here; anything else means it is not
        if (error instanceof ConnectionError || error instanceof ProtocolError || error instanceof TimeoutError) {
          direct.close();
          return 'upgrade';
        }
        return 'h2c';
      }
    })();
    path.catch(() => (path = undefined));
    return path;
  };
  const backend: BuildKitBackend = {
    grpc: async () => {
      const { upgrade, direct } = await clients.get();
      return (await choose()) === 'h2c' ? direct! : upgrade;
    },
    attachSession: async (grpc, attached) =>
      grpc === (await clients.get()).direct
        ? (await session()).attach(grpc, attached)
        : (await session()).open(api, attached),
    close: clients.close,
  };
  return {
    buildkit: buildKitOver(backend, options.credentials, options.timeout),
    attachSession: async (attached) =>
      (await choose()) === 'h2c' ? (await session()).attach((await clients.get()).direct!, attached) : undefined,
  };
}
