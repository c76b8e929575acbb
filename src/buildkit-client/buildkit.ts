// BuildKit: a client of BuildKit's Control API, on a standalone buildkitd (unix://, tcp://, tcp://
// with TLS and client certificates) or on an engine's own BuildKit (Docker.buildkit). Builds with
// the dockerfile.v0 frontend and a session attached through the Control API; disk usage, prune,
// workers and the daemon's version.
import type { BuildkitVersion, UsageRecord, WorkerRecord } from '../buildkit/control.js';
import type { BuildKitEvent } from '../buildkit/status.js';
import { Credentials } from '../credentials/credentials.js';
import { registryHostname, serverAddressOf, type AuthConfig } from '../credentials/auth-config.js';
import { InvalidArgument } from '../errors.js';
import type { GrpcClient } from '../grpc/client.js';
import { Job } from '../job.js';
import { checkOptions, optionNames, SIGNAL_ONLY } from '../options.js';
import type { BuildSession, SessionOptions } from '../session/session.js';
import { describeAddress, parseAddress } from '../transport/address.js';
import { DEFAULT_CONNECT_TIMEOUT } from '../transport/connect.js';
import { connectTo, type TlsOptions } from '../transport/socket-transport.js';
import type { BuildKitBuildOptions, BuildKitResult, SolveTarget } from './solve.js';

/** BuildKitClientOptions: the options of `new BuildKit(options)`. */
export interface BuildKitClientOptions {
  /** `unix:///run/buildkit/buildkitd.sock`, `tcp://host:port` (h2c, or TLS with `tls`). */
  host: string;
  /** TLS for tcp:// hosts: `{ ca, cert, key, verify }` (PEM strings or bytes); given, the connection is TLS with ALPN h2. */
  tls?: TlsOptions;
  /** Milliseconds allowed for connecting (default 10 s). */
  connectTimeout?: number;
  /** Deadline of each short call (diskUsage, prune, workers, info), in ms (default 60 s; 0 = none). */
  timeout?: number;
  /** Folder of the docker CLI's config.json, for registry credentials (default $DOCKER_CONFIG, then ~/.docker). */
  configDir?: string;
}

const CONSTRUCTOR_OPTIONS = optionNames<BuildKitClientOptions>({
  host: true,
  tls: true,
  connectTimeout: true,
  timeout: true,
  configDir: true,
});

/** BuildKitPruneOptions: the options of `buildkit.prune`. */
export interface BuildKitPruneOptions {
  /** Remove every record, not only the unused ones BuildKit would by default. */
  all?: boolean;
  /** Bytes of cache to keep. */
  keepStorage?: number;
  /** Keep records used within this many milliseconds. */
  keepDuration?: number;
  /** BuildKit's filters (`type==regular`, `id==…`). */
  filters?: string[];
  signal?: AbortSignal;
}

const PRUNE_OPTIONS = optionNames<BuildKitPruneOptions>({
  all: true,
  keepStorage: true,
  keepDuration: true,
  filters: true,
  signal: true,
});
const FILTER_OPTIONS = optionNames<{ filters?: string[]; signal?: AbortSignal }>({ filters: true, signal: true });

/** BuildKitPruneResult: what `buildkit.prune` resolves to. */
export interface BuildKitPruneResult {
  /** The records removed. */
  records: UsageRecord[];
  /** Their total size in bytes. */
  spaceReclaimed: number;
}

/** How a BuildKit client reaches its daemon: the Control API, and the session beside builds. */
export interface BuildKitBackend {
  grpc(): Promise<GrpcClient>;
  attachSession(grpc: GrpcClient, options: SessionOptions): Promise<BuildSession>;
  close(): void;
}

/** Set by buildKitOver() for the constructor it calls. */
let internal: { backend: BuildKitBackend; credentials: Credentials; timeout: number } | undefined;

/** BuildKit: a client of BuildKit's Control API (builds, disk usage, prune, workers, info), on a buildkitd or on an engine (`docker.buildkit`). */
export class BuildKit {
  readonly #backend: BuildKitBackend;
  readonly #timeout: number;
  readonly #credentials: Credentials;

  constructor(options: BuildKitClientOptions) {
    if (internal) {
      ({ backend: this.#backend, credentials: this.#credentials, timeout: this.#timeout } = internal);
      internal = undefined;
      return;
    }
    checkOptions('new BuildKit', options, CONSTRUCTOR_OPTIONS);
    if (options === undefined || typeof options.host !== 'string')
      throw new InvalidArgument('new BuildKit: host is required (unix:///path or tcp://host:port)');
    const address = parseAddress(options.host, { tls: options.tls !== undefined });
    if (address.kind === 'ssh')
      throw new InvalidArgument('new BuildKit: ssh:// is not a BuildKit address (use unix:// or tcp://)');
    const secure = address.kind === 'tcp' && address.tls;
    const connect = connectTo(
      address,
      options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
      options.tls ?? {},
      {},
      { ...(secure ? { alpn: ['h2'] } : {}), peer: 'BuildKit' },
    );
    // the gRPC client (node:http2), the session and the solver are loaded by the first call
    const client = lazyClient(async () => {
      const { GrpcClient } = await import('../grpc/client.js');
      return new GrpcClient({ connect: () => connect(), where: describeAddress(address), secure });
    });
    this.#backend = {
      grpc: client.get,
      attachSession: async (grpc, session) =>
        (await import('../session/session.js')).BuildSession.attach(grpc, session),
      close: client.close,
    };
    this.#timeout = options.timeout ?? 60_000;
    this.#credentials = new Credentials(options.configDir !== undefined ? { configDir: options.configDir } : {});
  }

  /**
   * Builds a Dockerfile with the dockerfile.v0 frontend: a Job of BuildKitEvents (as images.build
   * with BuildKit gives), resolving to the digest, each output and BuildKit's own metadata. A
   * failing step rejects with BuildError (its reason and the events so far).
   */
  build(options: BuildKitBuildOptions): Job<BuildKitResult, BuildKitEvent> {
    return new Job<BuildKitResult, BuildKitEvent>(async (scope) => {
      if (options === undefined)
        throw new InvalidArgument('buildkit.build: options with a path (the build context folder) are required');
      const { BUILDKIT_BUILD_OPTIONS, checkBuildOptions, solve } = await import('./solve.js');
      checkOptions('buildkit.build', options, BUILDKIT_BUILD_OPTIONS);
      checkBuildOptions(options);
      const grpc = await this.#backend.grpc();
      const target: SolveTarget = {
        grpc,
        attachSession: (session) => this.#backend.attachSession(grpc, session),
        workerPlatforms: async () =>
          (await this.workers()).flatMap((w) =>
            w.Platforms.map((p) => `${p.OS}/${p.Architecture}${p.Variant ? `/${p.Variant}` : ''}`),
          ),
      };
      const lookUp = (host: string): Promise<AuthConfig | undefined> =>
        this.#credentials.resolve(
          host,
          options.authConfigs?.[serverAddressOf(registryHostname(host))] ?? options.authConfigs?.[host],
        );
      return solve(target, options, lookUp, scope);
    }, options?.signal);
  }

  /** BuildKit's cache records (DiskUsage), in its own field names. */
  async diskUsage(options: { filters?: string[]; signal?: AbortSignal } = {}): Promise<UsageRecord[]> {
    checkOptions('buildkit.diskUsage', options, FILTER_OPTIONS);
    const { ControlMethod, decodeDiskUsageResponse, encodeDiskUsageRequest } = await control();
    const grpc = await this.#backend.grpc();
    return decodeDiskUsageResponse(
      await grpc.unary(
        ControlMethod.DiskUsage,
        encodeDiskUsageRequest(filters(options.filters)),
        this.#call(options.signal),
      ),
    );
  }

  /** Removes cache records (Prune); resolves to what was removed. */
  async prune(options: BuildKitPruneOptions = {}): Promise<BuildKitPruneResult> {
    checkOptions('buildkit.prune', options, PRUNE_OPTIONS);
    for (const key of ['keepStorage', 'keepDuration'] as const) {
      const v = options[key];
      if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0))
        throw new InvalidArgument(`buildkit.prune: ${key} must be a whole number ≥ 0`);
    }
    const { ControlMethod, decodeUsageRecord, encodePruneRequest } = await control();
    const grpc = await this.#backend.grpc();
    const request = encodePruneRequest({
      ...filters(options.filters),
      ...(options.all ? { all: true } : {}),
      ...(options.keepStorage !== undefined ? { reservedSpace: options.keepStorage } : {}),
      ...(options.keepDuration !== undefined ? { keepDuration: BigInt(options.keepDuration) * 1_000_000n } : {}),
    });
    const records: UsageRecord[] = [];
    for await (const message of grpc.serverStream(ControlMethod.Prune, request, this.#call(options.signal)))
      records.push(decodeUsageRecord(message));
    return { records, spaceReclaimed: records.reduce((sum, r) => sum + r.Size, 0) };
  }

  /** The daemon's workers (ListWorkers): their ids, labels and platforms. */
  async workers(options: { filters?: string[]; signal?: AbortSignal } = {}): Promise<WorkerRecord[]> {
    checkOptions('buildkit.workers', options, FILTER_OPTIONS);
    const { ControlMethod, decodeListWorkersResponse, encodeDiskUsageRequest } = await control();
    const grpc = await this.#backend.grpc();
    return decodeListWorkersResponse(
      await grpc.unary(
        ControlMethod.ListWorkers,
        encodeDiskUsageRequest(filters(options.filters)),
        this.#call(options.signal),
      ),
    );
  }

  /** The daemon's version (Info). */
  async info(options: { signal?: AbortSignal } = {}): Promise<{ BuildkitVersion: BuildkitVersion }> {
    checkOptions('buildkit.info', options, SIGNAL_ONLY);
    const { ControlMethod, decodeInfoResponse } = await control();
    const grpc = await this.#backend.grpc();
    return decodeInfoResponse(await grpc.unary(ControlMethod.Info, new Uint8Array(0), this.#call(options.signal)));
  }

  /** Closes the connection; the client cannot be used afterwards. */
  close(): void {
    this.#backend.close();
  }

  #call(signal: AbortSignal | undefined): { timeout: number; signal?: AbortSignal } {
    return { timeout: this.#timeout, ...(signal ? { signal } : {}) };
  }
}

/**
 * A client made by its first `get()`, once however many calls wait for it; `close()` closes it,
 * or the one a pending `get()` makes.
 */
export function lazyClient<T extends { close(): void }>(make: () => Promise<T>): { get(): Promise<T>; close(): void } {
  let made: Promise<T> | undefined;
  let closed = false;
  return {
    get: () =>
      (made ??= make().then((client) => {
        if (closed) client.close();
        return client;
      })),
    close: () => {
      closed = true;
      made?.then((client) => client.close()).catch(() => {});
    },
  };
}

/** The Control API's messages (and protobuf), loaded by the first call. */
export function control(): Promise<typeof import('../buildkit/control.js')> {
  return import('../buildkit/control.js');
}

function filters(list: unknown): { filters?: string[] } {
  if (list === undefined) return {};
  if (!Array.isArray(list) || list.some((f) => typeof f !== 'string'))
    throw new InvalidArgument('filters must be an array of strings');
  return { filters: list as string[] };
}

/** A BuildKit over another way in (an engine's own: Docker.buildkit); not exported from the entry points. */
export function buildKitOver(backend: BuildKitBackend, credentials: Credentials, timeout: number): BuildKit {
  internal = { backend, credentials, timeout };
  return new BuildKit(undefined as never);
}
