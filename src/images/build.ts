// POST /build with docker-py's parameters. The context streams from the folder (or fileobj) to
// the socket as it is packed; the result is the image the engine names in its `aux.ID` event.
import { base64UrlJson, registryHostname, serverAddressOf, type AuthConfig } from '../credentials/auth-config.js';
import type { BuildContext } from '../build-context/archive.js';
import { BuildError, InvalidArgument, NotFound, StreamError } from '../errors.js';
import { randomHex } from '../random.js';
import { Repeated, type QueryValue } from '../http/request.js';
import type { BinarySource } from '../stream/body-source.js';
import { Job, type JobScope } from '../job.js';
import { checkOptions, optionNames, signalOf, type Cancellable } from '../options.js';
import type { BuildKitEvent, BuildKitProgress } from '../buildkit/status.js';
import type { ProgressEvent } from '../progress/events.js';
import { readProgress } from '../progress/read.js';
import { compareVersions } from '../engine-api.js';
import type { BuildSession, SecretSource, SessionOptions } from '../session/session.js';
import { engineHelpers, type Client } from './api-client.js';
import { platformPath, type PlatformSpec } from '../platform.js';
import { checkTag, parseReference, registryOf } from '../reference.js';

/** The API version from which POST /session is deprecated and a session is attached through the Control API. */
const SESSION_OVER_GRPC = '1.53';

/** ContainerLimits: the resources of a classic build's RUN containers, with the engine's parameter names. */
export interface ContainerLimits {
  /** Memory limit in bytes. */
  memory?: number;
  /** Memory plus swap in bytes; -1 for unlimited swap. */
  memswap?: number;
  /** CPU shares (relative weight). */
  cpushares?: number;
  /** CPUs to use (`0-3`, `0,1`). */
  cpusetcpus?: string;
  /** The CPU CFS period, in microseconds. */
  cpuperiod?: number;
  /** The CPU CFS quota, in microseconds. */
  cpuquota?: number;
}

/** BuildOptions: the options of `images.build` and `buildImage` (docker-py's, in camelCase). */
export interface BuildOptions extends Cancellable {
  /** A folder holding the context (and, by default, its Dockerfile). */
  path?: string;
  /** A Dockerfile (bytes, a stream, or its text); with `customContext`, a whole tar context. */
  fileobj?: BinarySource | string;
  /** `name[:tag]`, or several. */
  tag?: string | string[];
  /** Only the image ID in the log, not each step's output. */
  quiet?: boolean;
  /** Use no cached layer. */
  noCache?: boolean;
  /** Remove intermediate containers (the engine's default is true; docker-py's low-level API sent false). */
  rm?: boolean;
  /** Inactivity timeout in ms once the build streams (default: none: a RUN step may be silent for long). */
  timeout?: number;
  /** `fileobj` is a whole tar context, not a Dockerfile. */
  customContext?: boolean;
  /** `gzip` compresses the context (or, with `customContext`, says the stream already is). */
  encoding?: 'gzip' | 'identity';
  /** Pull the base images even when present. */
  pull?: boolean;
  /** Remove intermediate containers even after a failed step. */
  forceRm?: boolean;
  /** The Dockerfile, relative to `path` or absolute; outside `path` it is injected, as the CLI does. */
  dockerfile?: string;
  /** `ARG` values. */
  buildArgs?: Record<string, string>;
  /** Resources of the RUN containers (classic builder). */
  containerLimits?: ContainerLimits;
  /** Size of /dev/shm in bytes. */
  shmSize?: number;
  /** Labels of the image. */
  labels?: Record<string, string>;
  /** Images whose layers may serve as cache. */
  cacheFrom?: string[];
  /** The stage to build up to. */
  target?: string;
  /** The RUN containers' network (`none`, `host`, a network's name). */
  networkMode?: string;
  /** Squash the new layers into one (classic builder, experimental engines). */
  squash?: boolean;
  /** host → IP, or `host:ip` strings. */
  extraHosts?: Record<string, string> | string[];
  /** `'os[/arch[/variant]]'` or `{ os, architecture, variant }`. */
  platform?: PlatformSpec;
  /** The isolation technology (Windows engines). */
  isolation?: string;
  /** Credentials for the registries the Dockerfile's FROM lines name; defaults to the client's. */
  authConfigs?: Record<string, AuthConfig>;
  /** `buildkit` runs the build on the engine's BuildKit (the API's `version=2`); default `classic`. */
  builder?: 'classic' | 'buildkit';
  /** An ID for the build, so it can be cancelled (BuildKit); one is made up when left out. */
  buildId?: string;
  /**
   * BuildKit only: secrets for `RUN --mount=type=secret,id=…`, by id: `{ file }`, `{ env }` (a
   * variable's value) or `{ value }`, each read only when the build asks for it.
   */
  secrets?: Record<string, SecretSource>;
  /** BuildKit only: ssh agent sockets for `RUN --mount=type=ssh`, by id (`{ default: process.env.SSH_AUTH_SOCK }`). */
  ssh?: Record<string, string>;
}

/** The option names of BuildOptions. */
export const BUILD_OPTIONS = optionNames<BuildOptions>({
  path: true,
  fileobj: true,
  tag: true,
  quiet: true,
  noCache: true,
  rm: true,
  timeout: true,
  customContext: true,
  encoding: true,
  pull: true,
  forceRm: true,
  dockerfile: true,
  buildArgs: true,
  containerLimits: true,
  shmSize: true,
  labels: true,
  cacheFrom: true,
  target: true,
  networkMode: true,
  squash: true,
  extraHosts: true,
  platform: true,
  isolation: true,
  authConfigs: true,
  builder: true,
  buildId: true,
  secrets: true,
  ssh: true,
  signal: true,
});

/** BuildKitOptions: BuildOptions for a build on the engine's BuildKit, whose events are BuildKit's. */
export type BuildKitOptions = BuildOptions & { builder: 'buildkit' };

/** BuildOutput: what `buildImage` resolves to, the built image's ID and the build's log. */
export interface BuildOutput<E = ProgressEvent> {
  /** The built image's ID. */
  imageId: string;
  /** Every event of the build, in order. */
  log: E[];
}

const LIMIT_KEYS: ReadonlyArray<keyof ContainerLimits> = [
  'memory',
  'memswap',
  'cpushares',
  'cpusetcpus',
  'cpuperiod',
  'cpuquota',
];

function checkRecord(value: unknown, what: string): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidArgument(`${what} must be an object of strings`);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new InvalidArgument(`${what}.${k} must be a string`);
  }
}

/** The query of POST /build, checked: each docker-py parameter as the engine reads it. */
export function buildQuery(options: BuildOptions, dockerfile: string | undefined): Record<string, QueryValue> {
  const tags = options.tag === undefined ? [] : Array.isArray(options.tag) ? options.tag : [options.tag];
  for (const t of tags) parseReference(t, 'tag');
  checkRecord(options.buildArgs, 'buildArgs');
  checkRecord(options.labels, 'labels');
  if (
    options.cacheFrom !== undefined &&
    (!Array.isArray(options.cacheFrom) || options.cacheFrom.some((c) => typeof c !== 'string'))
  ) {
    throw new InvalidArgument('cacheFrom must be an array of image names');
  }
  if (options.target !== undefined) checkTag(options.target, 'target');
  if (options.buildId !== undefined) checkTag(options.buildId, 'buildId');
  if (options.builder !== undefined && options.builder !== 'classic' && options.builder !== 'buildkit') {
    throw new InvalidArgument('builder must be "classic" or "buildkit"');
  }
  const buildkit = options.builder === 'buildkit';
  if (options.shmSize !== undefined && (!Number.isInteger(options.shmSize) || options.shmSize <= 0)) {
    throw new InvalidArgument('shmSize must be a positive integer (bytes)');
  }
  const limits: Record<string, number | string> = {};
  for (const [key, value] of Object.entries(options.containerLimits ?? {})) {
    if (!LIMIT_KEYS.includes(key as keyof ContainerLimits)) {
      throw new InvalidArgument(`containerLimits.${key} is not one of ${LIMIT_KEYS.join(', ')}`);
    }
    if (value !== undefined) limits[key] = value;
  }
  let extraHosts: string[] | undefined;
  if (options.extraHosts !== undefined) {
    extraHosts = Array.isArray(options.extraHosts)
      ? [...options.extraHosts]
      : Object.entries(options.extraHosts).map(([host, ip]) => `${host}:${ip}`);
  }
  return {
    t: tags.length ? new Repeated(tags) : undefined,
    q: options.quiet,
    nocache: options.noCache,
    rm: options.rm,
    forcerm: options.forceRm,
    pull: options.pull,
    dockerfile,
    ...limits,
    buildargs: options.buildArgs,
    shmsize: options.shmSize,
    labels: options.labels,
    cachefrom: options.cacheFrom,
    target: options.target,
    networkmode: options.networkMode,
    squash: options.squash,
    extrahosts: extraHosts ? new Repeated(extraHosts) : undefined,
    platform: options.platform === undefined ? undefined : platformPath(options.platform),
    isolation: options.isolation,
    version: buildkit ? '2' : undefined,
    buildid: options.buildId,
  };
}

/** Registries named by the Dockerfile's FROM lines (not stages, not `scratch`, not `$ARG`s). */
export function fromRegistries(dockerfile: string): string[] {
  const stages = new Set<string>();
  const registries = new Set<string>();
  for (const line of dockerfile.split(/\r?\n/)) {
    const m = /^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (!m) continue;
    const image = m[1]!;
    if (m[2]) stages.add(m[2].toLowerCase());
    if (image.includes('$') || image === 'scratch' || stages.has(image.toLowerCase())) continue;
    registries.add(registryOf(image));
  }
  return [...registries];
}

async function registryConfig(
  client: Client,
  options: BuildOptions,
  context: BuildContext,
): Promise<string | undefined> {
  const configs: Record<string, AuthConfig> = { ...options.authConfigs };
  if (context.dockerfileText !== undefined) {
    // Only the registries this build pulls from: a broken helper for another one cannot break it.
    for (const registry of fromRegistries(context.dockerfileText)) {
      const key = serverAddressOf(registry);
      if (configs[key]) continue;
      const auth = await client.credentials.resolve(registry);
      if (auth) configs[key] = { ...auth, serveraddress: key };
    }
  }
  if (Object.keys(configs).length === 0) return undefined;
  return base64UrlJson(configs);
}

/**
 * The image ID a build reports: the last aux.ID (a multi-stage build reports one per stage), else
 * (quiet) a bare ID (Docker: `sha256:...`; Podman: 64 hex digits), else "Successfully built".
 */
export function builtImageId(logs: readonly ProgressEvent[]): string | undefined {
  let fromAux: string | undefined;
  let fallback: string | undefined;
  for (const event of logs) {
    const aux = event.aux as { ID?: unknown } | undefined;
    if (aux && typeof aux.ID === 'string') fromAux = aux.ID;
    const text = typeof event.stream === 'string' ? event.stream.trim() : '';
    const m = /^(?:Successfully built ([0-9a-f]{12,64})|(sha256:[0-9a-f]{64})|([0-9a-f]{64}))$/.exec(text);
    if (m) fallback = m[1] ?? m[2] ?? `sha256:${m[3]}`;
  }
  return fromAux ?? fallback;
}

/**
 * buildImage: POST /build, a Job of the build's events; resolves to the image ID and the whole log. A failing
 * step rejects with BuildError (its reason and the log). With `builder: 'buildkit'` the events are
 * BuildKit's progress, decoded; cancelling the job also asks the engine to stop the build.
 */
export function buildImage(client: Client, options: BuildKitOptions): Job<BuildOutput<BuildKitEvent>, BuildKitEvent>;
export function buildImage(client: Client, options: BuildOptions): Job<BuildOutput, ProgressEvent>;
export function buildImage(
  client: Client,
  options: BuildOptions,
): Job<BuildOutput<ProgressEvent | BuildKitEvent>, ProgressEvent | BuildKitEvent> {
  return new Job<BuildOutput<ProgressEvent | BuildKitEvent>, ProgressEvent | BuildKitEvent>(async (scope) => {
    checkOptions('buildImage', options, BUILD_OPTIONS);
    if (options.path === undefined && options.fileobj === undefined)
      throw new InvalidArgument('build: either path or fileobj needs to be provided');
    if (options.encoding !== undefined && options.encoding !== 'gzip' && options.encoding !== 'identity') {
      throw new InvalidArgument('encoding must be "gzip" or "identity"');
    }
    buildQuery(options, undefined); // refuse bad parameters before anything is read
    const buildkit = options.builder === 'buildkit';
    const wantsSession = options.secrets !== undefined || options.ssh !== undefined;
    if (wantsSession && !buildkit)
      throw new InvalidArgument("secrets and ssh need a BuildKit build (builder: 'buildkit')");
    // the build context's packer and the session (over gRPC) are loaded by the first build
    const { checkSessionOptions } = await import('../session/session.js');
    checkSessionOptions(options);
    const { contextFromFileobj, contextFromPath } = await import('../build-context/archive.js');
    const buildId = options.buildId ?? (buildkit ? `dockwire-${randomHex(12)}` : undefined);
    const gzip = options.encoding === 'gzip';
    const context =
      options.path !== undefined
        ? await contextFromPath(options.path, {
            ...(options.dockerfile !== undefined ? { dockerfile: options.dockerfile } : {}),
            gzip,
            reuseBuffer: client.api.bodyChunksReusable,
          })
        : await contextFromFileobj(options.fileobj!, {
            ...(options.customContext ? { customContext: true } : {}),
            gzip: gzip && !options.customContext,
          });
    const dockerfile =
      context.dockerfile ?? (options.path === undefined && options.customContext ? options.dockerfile : undefined);
    const headers: Record<string, string> = { 'Content-Type': 'application/x-tar' };
    if (gzip) headers['Content-Encoding'] = 'gzip';
    const registry = await registryConfig(client, options, context);
    if (registry) headers['X-Registry-Config'] = registry;
    // BuildKit goes on after its client is gone unless told: cancelling asks the engine to stop.
    const cancelOnEngine = (): void => {
      if (buildkit && buildId)
        client.api.call('POST', '/build/cancel', { query: { id: buildId }, timeout: 10_000 }).catch(() => {});
    };
    scope.signal.addEventListener('abort', cancelOnEngine, { once: true });
    // A BuildKit build calls back into its session (credentials for FROM, secrets, ssh), which
    // lives as long as the build. An engine without sessions (Podman) builds without one, unless
    // the build needs it.
    let session: BuildSession | undefined;
    try {
      if (buildkit) session = await openSession(client, options, scope.signal, wantsSession);
      const response = await client.api.request('POST', '/build', {
        query: { ...buildQuery({ ...options, ...(buildId ? { buildId } : {}) }, dockerfile), session: session?.id },
        headers,
        body: context.body,
        signal: scope.signal,
        bodyTimeout: options.timeout ?? 0,
      });
      return buildkit ? await readBuildKit(response.body, scope) : await readClassic(response.body, scope);
    } finally {
      scope.signal.removeEventListener('abort', cancelOnEngine);
      session?.close();
    }
  }, signalOf(options));
}

async function openSession(
  client: Client,
  options: BuildOptions,
  signal: AbortSignal,
  needed: boolean,
): Promise<BuildSession | undefined> {
  const sessionOptions: SessionOptions = {
    ...(options.secrets ? { secrets: options.secrets } : {}),
    ...(options.ssh ? { ssh: options.ssh } : {}),
    credentials: (host) =>
      client.credentials.resolve(
        host,
        options.authConfigs?.[serverAddressOf(registryHostname(host))] ?? options.authConfigs?.[host],
      ),
    signal,
  };
  // POST /session is deprecated from API 1.53: there the session goes through the Control API on
  // the engine's socket, where the engine serves it (else POST /session still, as before)
  const { attachBuildSession } = engineHelpers(client);
  if (attachBuildSession && compareVersions(await client.api.apiVersion(), SESSION_OVER_GRPC) >= 0) {
    const attached = await attachBuildSession(sessionOptions);
    if (attached) return attached;
  }
  // (a transport of the caller's own may not carry sessions: then only a build that needs one fails)
  if (!client.api.canUpgrade && !needed) return undefined;
  try {
    const { BuildSession } = await import('../session/session.js');
    return await BuildSession.open(client.api, sessionOptions);
  } catch (error) {
    if (error instanceof NotFound && !needed) return undefined;
    if (error instanceof NotFound)
      throw new InvalidArgument(
        `secrets and ssh need a BuildKit session, and the engine has none (POST /session: ${error.message})`,
      );
    throw error;
  }
}

async function readClassic(
  body: AsyncIterable<Uint8Array>,
  scope: JobScope<ProgressEvent | BuildKitEvent>,
): Promise<BuildOutput> {
  let logs: ProgressEvent[];
  try {
    logs = await readProgress(body, (event) => scope.emit(event), { keep: 'all' });
  } catch (error) {
    if (error instanceof StreamError) throw new BuildError(error.message, error.log);
    throw error;
  }
  const imageId = builtImageId(logs);
  if (!imageId) throw new BuildError('the engine reported no image ID for the build', logs);
  return { imageId, log: logs };
}

async function readBuildKit(
  body: AsyncIterable<Uint8Array>,
  scope: JobScope<ProgressEvent | BuildKitEvent>,
): Promise<BuildOutput<BuildKitEvent>> {
  const { BuildKitProgress, decodeTrace } = await import('../buildkit/status.js');
  const progress = new BuildKitProgress();
  const logs: BuildKitEvent[] = [];
  let imageId: string | undefined;
  // an engine without BuildKit (Podman) ignores version=2 and answers as a classic build does
  const classic: ProgressEvent[] = [];
  const emit = async (events: BuildKitEvent[]): Promise<void> => {
    for (const event of events) {
      logs.push(event);
      const waiting = scope.emit(event);
      if (waiting) await waiting;
    }
  };
  try {
    await readProgress(
      body,
      (event) => {
        if (event.id === 'moby.buildkit.trace') return emit(progress.events(decodeTrace(event.aux)));
        if (event.id === 'moby.image.id') {
          const aux = event.aux as { ID?: unknown } | undefined;
          if (typeof aux?.ID === 'string') imageId = aux.ID;
          return undefined;
        }
        if (event.aux !== undefined || typeof event.stream === 'string') classic.push(event);
        if (typeof event.stream === 'string') return emit([{ type: 'stream', text: event.stream }]);
        return undefined;
      },
      { keep: 'none' },
    );
  } catch (error) {
    if (error instanceof StreamError) throw new BuildError(failureReason(error.message, progress), logs);
    throw error;
  }
  imageId ??= builtImageId(classic);
  if (!imageId) throw new BuildError('the engine reported no image ID for the build', logs);
  return { imageId, log: logs };
}

/** The engine's message, naming the step that failed when BuildKit said which. */
function failureReason(message: string, progress: BuildKitProgress): string {
  for (const vertex of progress.vertices.values()) {
    if (vertex.state === 'failed' && !message.includes(vertex.name)) return `${message} (in ${vertex.name})`;
  }
  return message;
}
