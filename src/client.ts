// Docker: the entry point. Holds the transport, the negotiated API version and the image API.
import type { BuildKit } from './buildkit-client/buildkit.js';
import { engineBuildKit, type EngineBuildKit } from './buildkit-client/engine.js';
import { Credentials } from './credentials/credentials.js';
import { EngineApi, type VersionInfo } from './engine-api.js';
import { InvalidArgument } from './errors.js';
import { setEngineHelpers, type Client } from './images/api-client.js';
import { login, type LoginOptions, type LoginResult } from './images/login.js';
import { ImageCollection } from './models/image-collection.js';
import { Registry } from './registry/registry.js';
import type { RegistryOptions } from './registry/options.js';
import { resolveEndpoint } from './endpoint.js';
import { checkOptions, optionNames, SIGNAL_ONLY, type Cancellable } from './options.js';
import { DEFAULT_HOST, parseAddress, type Address } from './transport/address.js';
import { SocketTransport, type TlsOptions } from './transport/socket-transport.js';
import type { SshOptions } from './transport/ssh.js';
import type { Transport } from './transport/types.js';

/** DockerOptions: the options of `new Docker(options)`. */
export interface DockerOptions {
  /** unix:///path, /path, tcp://host:port, https://host:port, ssh://user@host (default unix:///var/run/docker.sock). */
  host?: string;
  /** TLS for tcp:// hosts: `{ ca, cert, key, verify }` (PEM strings or bytes). Given, the connection is TLS. */
  tls?: TlsOptions;
  /** For ssh:// hosts: extra ssh arguments, the remote command, the ssh binary. */
  ssh?: SshOptions;
  /** `auto` (default: negotiated with the engine once) or an explicit API version such as `1.41`. */
  version?: string;
  /** Inactivity timeout for each call, in ms (default 60 000; 0 = none). */
  timeout?: number;
  /** Whole-head deadline of each response (the engine's and the registries'), in ms: from the request sent to the last byte of the head, however it trickles (default 30 000; 0 = none). */
  headersTimeout?: number;
  /** Most connections open to the engine at once (default 16). */
  maxSockets?: number;
  /** A transport of your own (tests, proxies); `host` is then ignored. */
  transport?: Transport;
  /** Folder of the docker CLI's config.json for registry credentials (default $DOCKER_CONFIG, then ~/.docker). */
  configDir?: string;
  /**
   * `docker.registry` also tries the engine's Docker Hub mirrors (`RegistryConfig.Mirrors` of
   * `GET /info`, read once) before Docker Hub for pulls (default false: the engine's mirrors are
   * reachable from the engine, not always from here).
   */
  engineMirrors?: boolean;
}

const DOCKER_OPTIONS = optionNames<DockerOptions>({
  host: true,
  tls: true,
  ssh: true,
  version: true,
  timeout: true,
  headersTimeout: true,
  maxSockets: true,
  transport: true,
  configDir: true,
  engineMirrors: true,
});
const FROM_ENV_OPTIONS = DOCKER_OPTIONS.filter((name) => name !== 'host' && name !== 'tls');

/** Docker: a client of one engine (docker-py's DockerClient): `.images`, `login()`, and `.api` for raw requests. */
export class Docker implements Client {
  /** The Engine API this client's requests go through: versioned requests with typed errors. */
  readonly api: EngineApi;
  /** Registry credentials: login() results, then the docker CLI's configuration. */
  readonly credentials: Credentials;
  /** The engine's images (docker-py's client.images). */
  readonly images: ImageCollection;
  readonly #registryOptions: RegistryOptions;
  #registry: Registry | undefined;
  readonly #address: Address | undefined;
  readonly #tls: TlsOptions | undefined;
  #buildkit: EngineBuildKit | undefined;

  /** Makes a client; an unknown option or a bad host is InvalidArgument, thrown. Nothing is sent until the first call. */
  constructor(options: DockerOptions = {}) {
    checkOptions('new Docker', options, DOCKER_OPTIONS);
    this.#address = options.transport
      ? undefined
      : parseAddress(options.host ?? DEFAULT_HOST, { tls: options.tls !== undefined });
    this.#tls = options.tls;
    const transport =
      options.transport ??
      new SocketTransport(this.#address!, {
        ...(options.maxSockets !== undefined ? { maxSockets: options.maxSockets } : {}),
        ...(options.tls !== undefined ? { tls: options.tls } : {}),
        ...(options.ssh !== undefined ? { ssh: options.ssh } : {}),
      });
    this.api = new EngineApi(transport, {
      ...(options.version !== undefined ? { version: options.version } : {}),
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      ...(options.headersTimeout !== undefined ? { headersTimeout: options.headersTimeout } : {}),
    });
    this.credentials = new Credentials(options.configDir !== undefined ? { configDir: options.configDir } : {});
    if (options.engineMirrors !== undefined && typeof options.engineMirrors !== 'boolean')
      throw new InvalidArgument('engineMirrors must be true or false');
    const hubMirrors = async (): Promise<string[]> => {
      const info = await this.api.json<{ RegistryConfig?: { Mirrors?: unknown } | null }>('GET', '/info');
      const mirrors = info.RegistryConfig?.Mirrors;
      return Array.isArray(mirrors) ? mirrors.filter((m): m is string => typeof m === 'string' && m !== '') : [];
    };
    this.#registryOptions = {
      credentials: this.credentials,
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      ...(options.headersTimeout !== undefined ? { headersTimeout: options.headersTimeout } : {}),
      ...(options.engineMirrors === true ? { hubMirrors } : {}),
    };
    // the engine sends no platforms for a single-platform OCI image (Platforms: null): the registry is asked
    setEngineHelpers(this, {
      attachBuildSession: (session) => this.#engineBuildKit().attachSession(session),
      platformsOf: (name, authConfig, signal) =>
        this.registry.platforms(name, { ...(authConfig ? { authConfig } : {}), ...(signal ? { signal } : {}) }),
    });
    this.images = new ImageCollection(this);
  }

  /** The registries themselves, without the engine, with this client's credentials and login memory (made by the first use). */
  get registry(): Registry {
    this.#registry ??= new Registry(this.#registryOptions);
    return this.#registry;
  }

  /**
   * The engine's own BuildKit, through its Control API: over h2c on the engine's socket where the
   * engine serves it there, else through `POST /grpc` (with sessions through `POST /session`).
   */
  get buildkit(): BuildKit {
    return this.#engineBuildKit().buildkit;
  }

  #engineBuildKit(): EngineBuildKit {
    this.#buildkit ??= engineBuildKit({
      api: this.api,
      address: this.#address,
      tls: this.#tls,
      credentials: this.credentials,
      timeout: this.api.timeout,
    });
    return this.#buildkit;
  }

  /** POST /auth; good credentials are remembered for later pulls and pushes to that registry. */
  login(options: LoginOptions): Promise<LoginResult> {
    return login(this, options);
  }

  /**
   * Where the docker CLI would go: DOCKER_HOST (unix://, tcp://, a bare path) with
   * DOCKER_TLS_VERIFY and DOCKER_CERT_PATH; else the context in DOCKER_CONTEXT or config.json's
   * currentContext (read from the CLI's context store under DOCKER_CONFIG); else
   * /var/run/docker.sock. DOCKER_CONFIG also sets where registry credentials are read.
   */
  static fromEnv(
    env: Record<string, string | undefined> = process.env,
    options: Omit<DockerOptions, 'host' | 'tls'> = {},
  ): Docker {
    checkOptions('Docker.fromEnv', options, FROM_ENV_OPTIONS);
    const endpoint = resolveEndpoint(env);
    return new Docker({
      ...(env['DOCKER_CONFIG'] ? { configDir: env['DOCKER_CONFIG'] } : {}),
      ...options,
      host: endpoint.host,
      ...(endpoint.tls ? { tls: endpoint.tls } : {}),
    });
  }

  /** True when the engine answers GET /_ping. */
  ping(options: Cancellable = {}): Promise<boolean> {
    return this.api.ping(options);
  }

  /** GET /version: the engine's release, API versions and platform. */
  version(options: Cancellable = {}): Promise<VersionInfo> {
    return this.api.version(options);
  }

  /** Closes idle connections; the client cannot be used afterwards. */
  async close(): Promise<void> {
    this.#buildkit?.buildkit.close();
    await Promise.all([this.api.transport.close(), this.#registry?.close()]);
  }
}
