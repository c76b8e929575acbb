// The body of POST /build: a folder (walked and packed on the fly), a Dockerfile alone, or a
// ready tar stream; gzip-compressed on request. As the docker CLI does, the Dockerfile and
// .dockerignore are always sent, and a Dockerfile outside the folder is read and put into the
// archive under a random name (and that name added to .dockerignore, so COPY . never sees it).
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { ContextError, InvalidArgument } from '../errors.js';
import { readFile, stat } from '../files.js';
import { parseIgnoreFile } from '../ignore/ignore-file.js';
import { PatternMatcher } from '../ignore/matcher.js';
import { randomHex } from '../random.js';
import { toBodySource, type BinarySource } from '../stream/body-source.js';
import { pack, type PackEntry } from '../tar/packer.js';
import { walkContext, type WalkOptions } from './walk.js';

export interface BuildContext {
  body: Uint8Array | AsyncIterable<Uint8Array>;
  /** The `dockerfile` parameter: the Dockerfile's name inside the archive, when it is not the default. */
  dockerfile: string | undefined;
  /** The Dockerfile's text, when it is known without reading the archive (for its FROM lines). */
  dockerfileText: string | undefined;
}

const MAX_DOCKERFILE = 16 * 1024 * 1024;

export async function* gzipStream(source: Uint8Array | AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const { createGzip } = await import('node:zlib'); // loaded only for gzip-encoded contexts
  yield* Readable.from(source instanceof Uint8Array ? [source] : source, { objectMode: false }).pipe(createGzip());
}

async function readSmall(path: string, what: string): Promise<Buffer> {
  try {
    const info = await stat(path);
    if (info.size > MAX_DOCKERFILE) throw new ContextError(`${what} is larger than ${MAX_DOCKERFILE} bytes`);
    return await readFile(path);
  } catch (error) {
    if (error instanceof ContextError) throw error;
    throw new ContextError(`cannot read ${what}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

/**
 * The matcher of a context's .dockerignore text, with the CLI's TrimBuildFilesFromExcludes: never
 * leave out .dockerignore, nor the Dockerfile (`dockerfile`, its name inside the context).
 */
export function contextMatcher(ignoreText: string | undefined, dockerfile: string | undefined): PatternMatcher {
  const patterns = ignoreText === undefined ? [] : parseIgnoreFile(ignoreText);
  const probe = new PatternMatcher(patterns);
  if (probe.excludes('.dockerignore')) patterns.push('!.dockerignore');
  if (dockerfile !== undefined && probe.excludes(dockerfile)) patterns.push(`!${dockerfile}`);
  return new PatternMatcher(patterns);
}

/** A file's text, or undefined when there is no such file. */
export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ContextError(`cannot read .dockerignore: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

/**
 * A folder as a build context. `dockerfile` is relative to the folder, or absolute. `reuseBuffer`:
 * the body's consumer is done with each chunk before it asks for the next (see walkContext);
 * ignored with gzip, whose compressor holds on to its input.
 */
export async function contextFromPath(
  path: string,
  options: { dockerfile?: string; gzip?: boolean; reuseBuffer?: boolean } = {},
): Promise<BuildContext> {
  const root = resolve(path);
  let info;
  try {
    info = await stat(root);
  } catch (error) {
    throw new ContextError(`cannot read the build context ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  if (!info.isDirectory()) throw new InvalidArgument(`path ${JSON.stringify(path)} is not a directory`);

  const dockerfilePath = resolve(root, options.dockerfile ?? 'Dockerfile');
  const inside = relative(root, dockerfilePath);
  const outside = inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside);
  const dockerfileBytes = await readSmall(dockerfilePath, `the Dockerfile ${options.dockerfile ?? 'Dockerfile'}`);
  const ignoreText = await readOptional(join(root, '.dockerignore'));
  const insideName = inside.split(sep).join('/');
  const matcher = contextMatcher(ignoreText, outside ? undefined : insideName);

  let dockerfile: string | undefined = outside ? undefined : insideName === 'Dockerfile' ? undefined : insideName;
  const walk = { reuseBuffer: options.reuseBuffer === true && !options.gzip };
  let entries: AsyncIterable<PackEntry> = walkContext(root, matcher, walk);
  if (outside) {
    const injected = `.dockerfile.${randomHex(10)}`;
    dockerfile = injected;
    entries = withInjectedDockerfile(root, matcher, walk, injected, dockerfileBytes, ignoreText);
  }
  const tar = pack(entries);
  return {
    body: options.gzip ? gzipStream(tar) : tar,
    dockerfile,
    dockerfileText: dockerfileBytes.toString('utf8'),
  };
}

async function* withInjectedDockerfile(
  root: string,
  matcher: PatternMatcher,
  walk: WalkOptions,
  name: string,
  content: Uint8Array,
  ignoreText: string | undefined,
): AsyncIterable<PackEntry> {
  yield* walkContext(root, matcher, { ...walk, omit: new Set(['.dockerignore']) });
  const now = Math.floor(Date.now() / 1000);
  const ignore = Buffer.from(`${ignoreText ?? ''}\n${name}\n`);
  yield { name: '.dockerignore', type: 'file', mode: 0o600, size: ignore.length, mtime: now, content: () => [ignore] };
  yield { name, type: 'file', mode: 0o600, size: content.length, mtime: now, content: () => [content] };
}

/**
 * `fileobj`: with `customContext`, a ready tar stream (sent as it is); otherwise a Dockerfile,
 * which is read (it is small) and packed alone as `Dockerfile`.
 */
export async function contextFromFileobj(
  fileobj: BinarySource | string,
  options: { customContext?: boolean; gzip?: boolean } = {},
): Promise<BuildContext> {
  if (options.customContext) {
    if (typeof fileobj === 'string')
      throw new InvalidArgument('fileobj must be bytes or a stream when customContext is set');
    return { body: toBodySource(fileobj, 'fileobj'), dockerfile: undefined, dockerfileText: undefined };
  }
  const bytes = typeof fileobj === 'string' ? Buffer.from(fileobj) : await readAll(toBodySource(fileobj, 'fileobj'));
  const tar = pack([
    {
      name: 'Dockerfile',
      type: 'file',
      mode: 0o644,
      size: bytes.length,
      mtime: Math.floor(Date.now() / 1000),
      content: () => [bytes],
    },
  ]);
  return { body: options.gzip ? gzipStream(tar) : tar, dockerfile: undefined, dockerfileText: bytes.toString('utf8') };
}

async function readAll(source: Uint8Array | AsyncIterable<Uint8Array>): Promise<Buffer> {
  if (source instanceof Uint8Array) return Buffer.from(source);
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const part of source) {
    size += part.length;
    if (size > MAX_DOCKERFILE)
      throw new InvalidArgument(`a Dockerfile given as fileobj must be under ${MAX_DOCKERFILE} bytes`);
    parts.push(part);
  }
  return Buffer.concat(parts);
}
