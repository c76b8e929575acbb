// One build through the Control API, as buildctl does it: a session attached first (the build
// context and the Dockerfile as FileSync folders, credentials, secrets, ssh, FileSend for outputs
// streamed back), then Solve with the dockerfile.v0 frontend and, beside it, Status, whose
// messages become the same BuildKitEvents a POST /build with BuildKit gives.
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  ControlMethod,
  decodeSolveResponse,
  encodeSolveRequest,
  encodeStatusRequest,
  type TypedAttrs,
} from '../buildkit/control.js';
import { BuildKitProgress, decodeStatusResponse, type BuildKitEvent } from '../buildkit/status.js';
import { contextMatcher, readOptional } from '../build-context/archive.js';
import type { AuthConfig } from '../credentials/auth-config.js';
import { BuildError, ContextError, GrpcError, InvalidArgument } from '../errors.js';
import { stat } from '../files.js';
import type { GrpcClient } from '../grpc/client.js';
import type { JobScope } from '../job.js';
import { optionNames } from '../options.js';
import { platformPath } from '../platform.js';
import { randomHex } from '../random.js';
import { checkTag } from '../reference.js';
import type { BuildSession, SecretSource, SessionOptions } from '../session/session.js';
import { checkSessionOptions } from '../session/session.js';
import { planCache, planOutputs, type BuildKitOutput, type CacheEntry } from './outputs.js';

/** BuildKitBuildOptions: the options of `buildkit.build`. */
export interface BuildKitBuildOptions {
  /** The build context: a folder, sent through FileSync as BuildKit asks for its files. */
  path: string;
  /** The Dockerfile, relative to `path` or absolute (default `Dockerfile` in `path`). */
  dockerfile?: string;
  target?: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  noCache?: boolean;
  /** `RUN`'s network: `default`, `none` or `host` (host needs the daemon's `network.host` entitlement). */
  networkMode?: string;
  /** Platforms to build, each `'os/arch[/variant]'` or an object: one image per platform, in one index. */
  platforms?: Array<string | { os?: string; architecture?: string; variant?: string }>;
  /** Secrets for `RUN --mount=type=secret,id=…`: `{ file }`, `{ env }` or `{ value }`, read only when asked for. */
  secrets?: Record<string, SecretSource>;
  /** ssh agent sockets for `RUN --mount=type=ssh`, by id. */
  ssh?: Record<string, string>;
  /** Where the result goes (none: it stays in BuildKit's cache). */
  outputs?: BuildKitOutput[];
  cacheFrom?: CacheEntry[];
  cacheTo?: CacheEntry[];
  /** Attestations: `provenance: true` (or `'min'` / `'max'`) adds a SLSA provenance attestation to the image index. */
  attest?: { provenance?: boolean | 'min' | 'max'; sbom?: boolean };
  /** Credentials for the registries the build pulls from and pushes to, by registry host. */
  authConfigs?: Record<string, AuthConfig>;
  signal?: AbortSignal;
}

export const BUILDKIT_BUILD_OPTIONS = optionNames<BuildKitBuildOptions>({
  path: true,
  dockerfile: true,
  target: true,
  buildArgs: true,
  labels: true,
  noCache: true,
  networkMode: true,
  platforms: true,
  secrets: true,
  ssh: true,
  outputs: true,
  cacheFrom: true,
  cacheTo: true,
  attest: true,
  authConfigs: true,
  signal: true,
});

/** BuildKitResult: what a `buildkit.build` Job resolves to: the digest, each output's descriptors, the metadata, the log. */
export interface BuildKitResult {
  /** The image's digest (its manifest's, or its index's for several platforms), when an image was made. */
  digest: string | undefined;
  /** Each output, with the descriptor BuildKit reported for it. */
  outputs: Array<{ type: string; name?: string; digest?: string; descriptor?: Record<string, unknown> }>;
  /** BuildKit's exporter response, as it sent it (`containerimage.digest`, `image.name`, …). */
  metadata: Record<string, string>;
  /** Every event of the build, in order. */
  logs: BuildKitEvent[];
}

/** What a build needs of where it runs: the Control API, and a session attached to it. */
export interface SolveTarget {
  grpc: GrpcClient;
  attachSession(options: SessionOptions): Promise<BuildSession>;
  /** What the workers build, for the message of a build that failed on another platform. */
  workerPlatforms(): Promise<string[]>;
}

interface Plan {
  frontendAttrs: Record<string, string>;
  exporters: TypedAttrs[];
  session: SessionOptions;
  cacheImports: TypedAttrs[];
  cacheExports: TypedAttrs[];
  entitlements: string[];
  outputTypes: Array<{ type: string; name?: string }>;
}

function checkRecord(value: unknown, what: string): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidArgument(`${what} must be an object of strings`);
  for (const [k, v] of Object.entries(value))
    if (typeof v !== 'string') throw new InvalidArgument(`${what}.${k} must be a string`);
  return value as Record<string, string>;
}

/** Everything about the options that can be checked without reading a file. */
export function checkBuildOptions(options: BuildKitBuildOptions): void {
  if (typeof options.path !== 'string' || options.path === '')
    throw new InvalidArgument('buildkit.build: path (the build context folder) is required');
  if (options.dockerfile !== undefined && (typeof options.dockerfile !== 'string' || options.dockerfile === ''))
    throw new InvalidArgument('dockerfile must be a path');
  if (options.target !== undefined) checkTag(options.target, 'target');
  checkRecord(options.buildArgs, 'buildArgs');
  checkRecord(options.labels, 'labels');
  if (options.networkMode !== undefined && !['default', 'none', 'host', 'sandbox'].includes(options.networkMode))
    throw new InvalidArgument('networkMode must be "default", "none" or "host"');
  if (options.platforms !== undefined && (!Array.isArray(options.platforms) || options.platforms.length === 0))
    throw new InvalidArgument('platforms must be a non-empty array');
  for (const p of options.platforms ?? []) platformPath(p, 'platforms[]');
  if (options.attest !== undefined) {
    if (options.attest === null || typeof options.attest !== 'object')
      throw new InvalidArgument('attest must be { provenance, sbom }');
    const known = ['provenance', 'sbom'];
    for (const key of Object.keys(options.attest))
      if (!known.includes(key)) throw new InvalidArgument(`attest.${key} is not one of ${known.join(', ')}`);
    const p = options.attest.provenance;
    if (p !== undefined && typeof p !== 'boolean' && p !== 'min' && p !== 'max')
      throw new InvalidArgument('attest.provenance must be true, false, "min" or "max"');
  }
  checkSessionOptions(options);
  planOutputs(
    options.outputs === undefined
      ? undefined
      : options.outputs.map((o) => ({
          ...o,
          ...('dest' in o ? { dest: typeof o.dest === 'string' ? o.dest : { write() {}, on() {} } } : {}),
        })),
  );
  planCache(options.cacheFrom, 'cacheFrom');
  planCache(options.cacheTo, 'cacheTo');
}

/** The frontend's attributes, the exporters and the session's folders for `options` (reads the .dockerignore). */
async function plan(options: BuildKitBuildOptions, credentials: SessionOptions['credentials']): Promise<Plan> {
  const root = resolve(options.path);
  let info;
  try {
    info = await stat(root);
  } catch (error) {
    throw new ContextError(
      `cannot read the build context ${options.path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  if (!info.isDirectory()) throw new InvalidArgument(`path ${JSON.stringify(options.path)} is not a directory`);
  const dockerfilePath = resolve(root, options.dockerfile ?? 'Dockerfile');
  const inside = relative(root, dockerfilePath);
  const outside = inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside);
  const filename = basename(dockerfilePath);
  // BuildKit's frontend reads <Dockerfile>.dockerignore before .dockerignore; so do we
  const ignoreText =
    (await readOptional(`${dockerfilePath}.dockerignore`)) ?? (await readOptional(join(root, '.dockerignore')));
  const exclude = contextMatcher(ignoreText, outside ? undefined : inside.split(sep).join('/'));

  const attrs: Record<string, string> = { filename };
  if (options.target !== undefined) attrs['target'] = options.target;
  for (const [k, v] of Object.entries(options.buildArgs ?? {})) attrs[`build-arg:${k}`] = v;
  for (const [k, v] of Object.entries(options.labels ?? {})) attrs[`label:${k}`] = v;
  if (options.noCache) attrs['no-cache'] = '';
  if (options.platforms) attrs['platform'] = options.platforms.map((p) => platformPath(p, 'platforms[]')).join(',');
  const entitlements: string[] = [];
  if (options.networkMode !== undefined && options.networkMode !== 'default') {
    attrs['force-network-mode'] = options.networkMode;
    if (options.networkMode === 'host') entitlements.push('network.host');
  }
  const provenance = options.attest?.provenance;
  if (provenance) attrs['attest:provenance'] = `mode=${provenance === true ? 'min' : provenance}`;
  if (options.attest?.sbom) attrs['attest:sbom'] = '';
  const cacheImports = planCache(options.cacheFrom, 'cacheFrom');
  // (the frontend imports caches itself, from this attribute, as buildctl sets it)
  if (cacheImports.length > 0)
    attrs['cache-imports'] = JSON.stringify(cacheImports.map((c) => ({ Type: c.type, Attrs: c.attrs })));
  const { exporters, fileOutputs } = planOutputs(options.outputs);
  return {
    frontendAttrs: attrs,
    exporters,
    cacheImports,
    cacheExports: planCache(options.cacheTo, 'cacheTo'),
    entitlements,
    outputTypes: exporters.map((e) => ({ type: e.type, ...(e.attrs['name'] ? { name: e.attrs['name'] } : {}) })),
    session: {
      credentials,
      ...(options.secrets ? { secrets: options.secrets } : {}),
      ...(options.ssh ? { ssh: options.ssh } : {}),
      localDirs: {
        context: { root, exclude },
        dockerfile: { root: dirname(dockerfilePath), only: [filename, `${filename}.dockerignore`] },
      },
      fileOutputs,
    },
  };
}

/** Runs the build; the Job's events are BuildKitEvents, its result the exporters' answer. */
export async function solve(
  target: SolveTarget,
  options: BuildKitBuildOptions,
  credentials: SessionOptions['credentials'],
  scope: JobScope<BuildKitEvent>,
): Promise<BuildKitResult> {
  const planned = await plan(options, credentials);
  const ref = `dockwire-${randomHex(12)}`;
  const session = await target.attachSession({ ...planned.session, signal: scope.signal });
  const logs: BuildKitEvent[] = [];
  const progress = new BuildKitProgress();
  // Status is asked for beside Solve, under the same ref; it ends when the build does (and is
  // stopped when the Job is, or when Solve has failed)
  const stopStatus = new AbortController();
  const onCancel = (): void => stopStatus.abort();
  scope.signal.addEventListener('abort', onCancel, { once: true });
  const status = (async () => {
    for await (const message of target.grpc.serverStream(ControlMethod.Status, encodeStatusRequest(ref), {
      signal: stopStatus.signal,
    })) {
      for (const event of progress.events(decodeStatusResponse(message))) {
        logs.push(event);
        const waiting = scope.emit(event);
        if (waiting) await waiting;
      }
    }
  })();
  status.catch(() => {});
  try {
    const request = encodeSolveRequest({
      ref,
      session: session.id,
      frontend: 'dockerfile.v0',
      frontendAttrs: planned.frontendAttrs,
      exporters: planned.exporters,
      cacheImports: planned.cacheImports,
      cacheExports: planned.cacheExports,
      entitlements: planned.entitlements,
    });
    let metadata: Record<string, string>;
    try {
      metadata = decodeSolveResponse(await target.grpc.unary(ControlMethod.Solve, request, { signal: scope.signal }));
    } catch (error) {
      throw await failure(error, target, options, progress, logs);
    }
    // the last events may come after Solve's answer
    await Promise.race([status.catch(() => {}), new Promise((r) => setTimeout(r, 2000).unref?.())]);
    return result(metadata, planned.outputTypes, logs);
  } finally {
    scope.signal.removeEventListener('abort', onCancel);
    stopStatus.abort();
    session.close();
  }
}

async function failure(
  error: unknown,
  target: SolveTarget,
  options: BuildKitBuildOptions,
  progress: BuildKitProgress,
  logs: BuildKitEvent[],
): Promise<unknown> {
  if (!(error instanceof GrpcError)) return error;
  let reason = error.grpcMessage || error.message;
  for (const vertex of progress.vertices.values()) {
    if (vertex.state === 'failed' && !reason.includes(vertex.name)) {
      reason = `${reason} (in ${vertex.name})`;
      break;
    }
  }
  if (options.platforms) {
    // a RUN step of a platform no worker runs fails as its program does: say why
    const have = await target.workerPlatforms().catch(() => []);
    const missing = options.platforms
      .map((p) => platformPath(p))
      .filter((p) => !have.some((h) => h === p || h.startsWith(`${p}/`)));
    if (missing.length > 0)
      reason = `${reason} (the workers run ${have.join(', ') || 'no platforms'}, not ${missing.join(', ')}: without an emulator RUN steps of ${missing.join(', ')} cannot run)`;
  }
  return new BuildError(reason, logs);
}

function result(metadata: Record<string, string>, outputs: Plan['outputTypes'], logs: BuildKitEvent[]): BuildKitResult {
  let descriptor: Record<string, unknown> | undefined;
  const encoded = metadata['containerimage.descriptor'];
  if (encoded) {
    try {
      descriptor = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Record<string, unknown>;
    } catch {
      descriptor = undefined;
    }
  }
  const digest = metadata['containerimage.digest'];
  return {
    digest,
    outputs: outputs.map((o) => ({ ...o, ...(digest ? { digest } : {}), ...(descriptor ? { descriptor } : {}) })),
    metadata,
    logs,
  };
}
