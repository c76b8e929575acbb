// The client side of a BuildKit session (moby/buildkit session/): `POST /session` upgraded to
// HTTP/2, on which the engine is the gRPC client and we serve what BuildKit asks for during a
// build: health checks, registry credentials, secrets, ssh agent forwarding. node:http2 carries
// the HTTP/2; the gRPC framing and protobuf messages are ours.
import type { IncomingHttpHeaders, ServerHttp2Session, ServerHttp2Stream } from 'node:http2';
import type { Duplex } from 'node:stream';
import { asBytes, asString, encodeFields, readFields } from '../buildkit/protobuf.js';
import type { AuthConfig } from '../credentials/auth-config.js';
import type { EngineApi } from '../engine-api.js';
import { InvalidArgument } from '../errors.js';
import { readFile } from '../files.js';
import { randomHex } from '../random.js';
import { connectAgent } from '../transport/agent.js';
import { ControlMethod } from '../buildkit/control.js';
import type { GrpcClient } from '../grpc/client.js';
import { GrpcStatus, MessageReader, frameMessage } from '../grpc/framing.js';
import { serveDiffCopy, type LocalDir } from './file-sync.js';
import { serveFileSend, type DirectoryOutput, type FileOutput } from './file-send.js';
import { GrpcFailure, answer, callAsSocket, fail } from './serve.js';

/** SecretSource: where a secret's bytes come from, read only when BuildKit asks for it. */
export type SecretSource = { file: string } | { env: string } | { value: string | Uint8Array };

export interface SessionOptions {
  /** Secrets by id, for `RUN --mount=type=secret,id=…`. */
  secrets?: Record<string, SecretSource>;
  /** ssh agent sockets by id (`default` for `RUN --mount=type=ssh`), as `docker buildx build --ssh`. */
  ssh?: Record<string, string>;
  /** Credentials for a registry host BuildKit pulls from (or pushes to). */
  credentials: (host: string) => Promise<AuthConfig | undefined>;
  /** Folders FileSync serves by name (`context`, `dockerfile`), walked as BuildKit asks for them. */
  localDirs?: Record<string, LocalDir>;
  /** Where FileSend writes an exporter's output, by the exporter's index in the build's outputs. */
  fileOutputs?: Record<number, FileOutput | DirectoryOutput>;
  signal?: AbortSignal | undefined;
}

type Unary = (request: Uint8Array, headers: IncomingHttpHeaders) => Promise<Uint8Array>;
/** A streaming method: the request's headers, and its raw header list (a field sent several times is there once per value). */
type Streaming = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[]) => void;

const HEALTH_SERVING = 1;

/** Checks the shapes of secrets and ssh before anything is opened. */
export function checkSessionOptions(options: Pick<SessionOptions, 'secrets' | 'ssh'>): void {
  for (const [id, source] of Object.entries(options.secrets ?? {})) {
    const kinds =
      source !== null && typeof source === 'object'
        ? (['file', 'env', 'value'] as const).filter((k) => k in source)
        : [];
    if (kinds.length !== 1) throw new InvalidArgument(`secrets.${id} must be one of { file }, { env }, { value }`);
    const value = (source as Record<string, unknown>)[kinds[0]!];
    if (!(typeof value === 'string' || (kinds[0] === 'value' && value instanceof Uint8Array)))
      throw new InvalidArgument(`secrets.${id}.${kinds[0]} must be a string${kinds[0] === 'value' ? ' or bytes' : ''}`);
  }
  for (const [id, path] of Object.entries(options.ssh ?? {})) {
    if (typeof path !== 'string' || path === '')
      throw new InvalidArgument(`ssh.${id} must be the path of an ssh agent's socket`);
  }
}

/** The methods a session serves, by full name. */
interface Services {
  unary: Map<string, Unary>;
  streaming: Map<string, Streaming>;
}

export class BuildSession {
  /** The session's id, for the build's `session` parameter. */
  readonly id: string;
  readonly #socket: Duplex;
  readonly #http2: ServerHttp2Session | undefined;
  readonly #open = new Set<Duplex>();
  #closed = false;

  private constructor(id: string, socket: Duplex, http2: ServerHttp2Session | undefined) {
    this.id = id;
    this.#socket = socket;
    this.#http2 = http2;
  }

  /**
   * Opens a session on `api`'s engine: the methods it serves are announced in the upgrade's
   * headers, and it serves them until closed. An engine without sessions is NotFound.
   */
  static async open(api: EngineApi, options: SessionOptions): Promise<BuildSession> {
    checkSessionOptions(options);
    const id = randomHex(16);
    const holder: { session?: BuildSession } = {};
    const services = sessionServices(options, holder);
    // (one field per method, as BuildKit's own client announces them)
    const socket = await api.upgrade('/session', {
      headers: { Upgrade: 'h2c', ...announce(id, services) },
      signal: options.signal,
    });
    return BuildSession.#serve(id, socket, services, holder);
  }

  /**
   * Attaches a session through BuildKit's Control API (`Control.Session`, the stream BuildKit's
   * own client uses): HTTP/2 runs inside the call, each chunk a BytesMessage, and we serve on it.
   */
  static async attach(grpc: GrpcClient, options: SessionOptions): Promise<BuildSession> {
    checkSessionOptions(options);
    const id = randomHex(16);
    const holder: { session?: BuildSession } = {};
    const services = sessionServices(options, holder);
    const metadata = Object.fromEntries(Object.entries(announce(id, services)).map(([k, v]) => [k.toLowerCase(), v]));
    const call = grpc.call(ControlMethod.Session, { metadata, ...(options.signal ? { signal: options.signal } : {}) });
    return BuildSession.#serve(id, callAsSocket(call), services, holder);
  }

  /** Serves `services` on `socket`, a connection on which the peer speaks HTTP/2 as the client. */
  static async #serve(
    id: string,
    socket: Duplex,
    services: Services,
    holder: { session?: BuildSession },
  ): Promise<BuildSession> {
    const { createServer } = await import('node:http2'); // loaded only for BuildKit builds
    const server = createServer();
    // (without its compatibility layer, which answers every stream as an HTTP request would:
    // trailers of its own, and an end to the stream)
    server.removeAllListeners('stream');
    let http2: ServerHttp2Session | undefined;
    server.on('session', (s: ServerHttp2Session) => (http2 = s));
    server.on(
      'stream',
      (stream: ServerHttp2Stream, requestHeaders: IncomingHttpHeaders, _flags: number, rawHeaders: string[]) => {
        const path = requestHeaders[':path'] ?? '';
        const handleStream = services.streaming.get(path);
        if (handleStream) return handleStream(stream, requestHeaders, rawHeaders ?? []);
        const handle = services.unary.get(path);
        if (!handle) return fail(stream, new GrpcFailure(GrpcStatus.UNIMPLEMENTED, `unknown method ${path}`));
        serveUnary(stream, requestHeaders, handle);
      },
    );
    server.emit('connection', socket);
    const session = new BuildSession(id, socket, http2);
    holder.session = session;
    socket.on('error', () => session.close());
    return session;
  }

  /** Keeps an ssh agent connection a stream opened, to close it with the session. */
  own(agent: Duplex): void {
    if (this.#closed) agent.destroy();
    this.#open.add(agent);
    agent.once('close', () => this.#open.delete(agent));
  }

  /** Ends the session: its HTTP/2 connection, and any ssh agent connection still open. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const agent of this.#open) agent.destroy();
    this.#http2?.destroy();
    this.#socket.destroy();
  }
}

/** The headers that name a session and the methods it serves. */
function announce(id: string, services: Services): Record<string, string | string[]> {
  return {
    'X-Docker-Expose-Session-Uuid': id,
    'X-Docker-Expose-Session-Name': 'dockwire',
    'X-Docker-Expose-Session-Sharedkey': randomHex(16),
    'X-Docker-Expose-Session-Grpc-Method': [...services.unary.keys(), ...services.streaming.keys()],
  };
}

function sessionServices(options: SessionOptions, holder: { session?: BuildSession }): Services {
  const unary = new Map<string, Unary>();
  const streaming = new Map<string, Streaming>();
  unary.set('/grpc.health.v1.Health/Check', async () => encodeFields([[1, HEALTH_SERVING]]));
  unary.set('/moby.filesync.v1.Auth/Credentials', async (request) => credentials(request, options.credentials));
  for (const method of ['FetchToken', 'GetTokenAuthority', 'VerifyTokenAuthority']) {
    // (BuildKit then asks for Credentials and fetches the registry's token itself)
    unary.set(`/moby.filesync.v1.Auth/${method}`, async () => {
      throw new GrpcFailure(GrpcStatus.UNIMPLEMENTED, `${method} is not served: use Credentials`);
    });
  }
  unary.set('/moby.buildkit.secrets.v1.Secrets/GetSecret', async (request) => secret(request, options.secrets ?? {}));
  const ssh = options.ssh ?? {};
  if (Object.keys(ssh).length > 0) {
    unary.set('/moby.sshforward.v1.SSH/CheckAgent', async (request) => {
      agentPath(ssh, firstString(request, 1));
      return new Uint8Array(0);
    });
    streaming.set('/moby.sshforward.v1.SSH/ForwardAgent', (stream, headers) =>
      forwardAgent(stream, headers, ssh, (agent) => holder.session?.own(agent)),
    );
  }
  if (options.localDirs && Object.keys(options.localDirs).length > 0) {
    const dirs = options.localDirs;
    streaming.set('/moby.filesync.v1.FileSync/DiffCopy', (stream, _headers, raw) => serveDiffCopy(stream, raw, dirs));
  }
  if (options.fileOutputs && Object.keys(options.fileOutputs).length > 0) {
    const outputs = options.fileOutputs;
    streaming.set('/moby.filesync.v1.FileSend/DiffCopy', (stream, _headers, raw) =>
      serveFileSend(stream, raw, outputs),
    );
  }
  return { unary, streaming };
}

function firstString(message: Uint8Array, field: number): string {
  for (const f of readFields(message)) if (f.field === field) return asString(f);
  return '';
}

async function credentials(request: Uint8Array, lookUp: SessionOptions['credentials']): Promise<Uint8Array> {
  const host = firstString(request, 1);
  const auth = host ? await lookUp(host) : undefined;
  if (!auth) return new Uint8Array(0);
  // an identity token travels as the secret with no username, as the docker CLI sends it
  if (auth.identitytoken) return encodeFields([[2, auth.identitytoken]]);
  return encodeFields([
    [1, auth.username ?? ''],
    [2, auth.password ?? ''],
  ]);
}

async function secret(request: Uint8Array, secrets: Record<string, SecretSource>): Promise<Uint8Array> {
  const id = firstString(request, 1);
  const source = Object.hasOwn(secrets, id) ? secrets[id] : undefined;
  if (!source) throw new GrpcFailure(GrpcStatus.NOT_FOUND, `secret ${id} not given`);
  let data: Uint8Array;
  if ('value' in source) data = typeof source.value === 'string' ? Buffer.from(source.value) : source.value;
  else if ('env' in source) {
    const value = process.env[source.env];
    if (value === undefined)
      throw new GrpcFailure(GrpcStatus.NOT_FOUND, `secret ${id}: environment variable ${source.env} is not set`);
    data = Buffer.from(value);
  } else {
    try {
      data = await readFile(source.file);
    } catch (error) {
      throw new GrpcFailure(
        GrpcStatus.NOT_FOUND,
        `secret ${id}: cannot read its file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  return encodeFields([[1, data]]);
}

function agentPath(ssh: Record<string, string>, id: string): string {
  const path = ssh[id || 'default'];
  if (path === undefined)
    throw new GrpcFailure(GrpcStatus.NOT_FOUND, `no ssh agent forwarded for id ${id || 'default'}`);
  return path;
}

/** One request message, one answer: the shape of every method but ForwardAgent. */
function serveUnary(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, handle: Unary): void {
  const reader = new MessageReader();
  const messages: Uint8Array[] = [];
  stream.on('error', () => {}); // (a stream the engine resets: nothing to answer)
  stream.on('data', (chunk: Buffer) => {
    try {
      messages.push(...reader.push(chunk));
    } catch (error) {
      fail(stream, new GrpcFailure(GrpcStatus.INVALID_ARGUMENT, (error as Error).message));
    }
  });
  stream.on('end', () => {
    if (stream.headersSent) return;
    handle(messages[0] ?? new Uint8Array(0), headers).then(
      (reply) => answer(stream, reply),
      (error: unknown) => fail(stream, error),
    );
  });
}

/** ForwardAgent: the ssh agent protocol, both ways, each chunk a BytesMessage { data = 1 }. */
function forwardAgent(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  ssh: Record<string, string>,
  own: (agent: Duplex) => void,
): void {
  stream.on('error', () => {});
  const id = headers['buildkit.ssh.id'];
  let path: string;
  try {
    path = agentPath(ssh, typeof id === 'string' ? id : '');
  } catch (error) {
    return fail(stream, error);
  }
  connectAgent(path).then(
    (agent) => {
      own(agent);
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(GrpcStatus.OK) }));
      const reader = new MessageReader();
      stream.on('data', (chunk: Buffer) => {
        try {
          for (const message of reader.push(chunk)) {
            for (const f of readFields(message)) if (f.field === 1) agent.write(asBytes(f));
          }
        } catch {
          agent.destroy();
        }
      });
      stream.on('end', () => agent.end());
      stream.on('close', () => agent.destroy());
      agent.on('data', (chunk: Buffer) => {
        if (!stream.destroyed) stream.write(frameMessage(encodeFields([[1, chunk]])));
      });
      agent.on('error', () => {});
      agent.on('close', () => {
        if (!stream.destroyed && !stream.writableEnded) stream.end();
      });
    },
    (error: unknown) => fail(stream, new GrpcFailure(GrpcStatus.UNAVAILABLE, (error as Error).message)),
  );
}
