// FileSync's DiffCopy, the sending side (fsutil's send.go): BuildKit names a folder (`dir-name`)
// and, in headers, the patterns it wants (`include-patterns`, `exclude-patterns`, `followpaths`);
// we list the folder's entries as STAT packets, as we walk it, and send each file BuildKit asks
// for (REQ, by its index in the list) as DATA packets, read as they are sent. Our own matchers
// (the .dockerignore) apply on top of BuildKit's patterns, so an ignored tree is never read.
import type { ServerHttp2Stream } from 'node:http2';
import { PacketType, encodePacket, decodePacket, isRegularGoMode } from '../buildkit/fsutil.js';
import { walkForSync } from '../build-context/sync-walk.js';
import { fileChunks } from '../files.js';
import { GrpcStatus, MessageReader } from '../grpc/framing.js';
import { PatternMatcher } from '../ignore/matcher.js';
import { GrpcFailure, fail, respond, send } from './serve.js';

/** A folder FileSync may send. */
export interface LocalDir {
  /** The folder. */
  root: string;
  /** What is never sent, whatever BuildKit asks for (the .dockerignore's patterns). */
  exclude?: PatternMatcher;
  /** When given, only these (patterns) are ever sent (the Dockerfile, from its folder). */
  only?: readonly string[];
  /** Called with each directory as it is read ('' for the root). */
  onDirectory?: (rel: string) => void;
}

/** A request header's values: once per field, percent-decoded when BuildKit says it encoded them. */
export function headerValues(raw: readonly string[], name: string): string[] {
  const values: string[] = [];
  let encoded = false;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i]!.toLowerCase();
    if (key === name) values.push(raw[i + 1]!);
    else if (key === `${name}-encoded` && /^(1|t|true)$/i.test(raw[i + 1]!)) encoded = true;
  }
  if (!encoded) return values;
  return values.map((v) => {
    try {
      return decodeURIComponent(v.replace(/\+/g, ' '));
    } catch {
      return v;
    }
  });
}

export function serveDiffCopy(
  stream: ServerHttp2Stream,
  raw: readonly string[],
  dirs: Readonly<Record<string, LocalDir>>,
): void {
  stream.on('error', () => {});
  const name = headerValues(raw, 'dir-name')[0] ?? '';
  const dir = Object.hasOwn(dirs, name) ? dirs[name] : undefined;
  if (!dir) return fail(stream, new GrpcFailure(GrpcStatus.NOT_FOUND, `no access allowed to dir "${name}"`));
  let includes = [...headerValues(raw, 'include-patterns'), ...headerValues(raw, 'followpaths')];
  if (dir.only) includes = includes.length === 0 ? [...dir.only] : includes.filter((p) => dir.only!.includes(p));
  const exclude = [...(dir.exclude ? [dir.exclude] : [])];
  const asked = headerValues(raw, 'exclude-patterns');
  try {
    if (asked.length > 0) exclude.push(new PatternMatcher(asked));
  } catch (error) {
    return fail(stream, new GrpcFailure(GrpcStatus.INVALID_ARGUMENT, (error as Error).message));
  }
  const include = includes.length > 0 || dir.only ? new PatternMatcher(includes) : undefined;
  respond(stream);
  const files = new Map<number, string>();
  const wanted: number[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  let failure: unknown;
  const stop = (error: unknown): void => {
    failure ??= error;
    wake?.();
  };
  // what BuildKit sends: requests for files, then FIN (or ERR)
  const reader = new MessageReader();
  stream.on('data', (chunk: Buffer) => {
    try {
      for (const message of reader.push(chunk)) {
        const packet = decodePacket(message);
        if (packet.type === PacketType.REQ) wanted.push(packet.id);
        else if (packet.type === PacketType.FIN) finished = true;
        else if (packet.type === PacketType.ERR)
          stop(
            new GrpcFailure(
              GrpcStatus.ABORTED,
              `BuildKit stopped the transfer of ${name}: ${new TextDecoder().decode(packet.data).slice(0, 500)}`,
            ),
          );
        wake?.();
      }
    } catch (error) {
      stop(error);
    }
  });
  stream.on('close', () => stop(new GrpcFailure(GrpcStatus.CANCELLED, 'the stream was closed')));
  void (async () => {
    // the list, then the files asked for: requests wait (in order) while the list is sent
    let id = 0;
    for (const entry of walkForSync(dir.root, {
      exclude,
      ...(include ? { include, includePatterns: includes } : {}),
      ...(dir.onDirectory ? { onDirectory: dir.onDirectory } : {}),
    })) {
      if (failure !== undefined) throw failure;
      if (isRegularGoMode(entry.stat.mode)) files.set(id, entry.path);
      id++;
      await send(stream, encodePacket({ type: PacketType.STAT, stat: entry.stat }));
    }
    await send(stream, encodePacket({ type: PacketType.STAT }));
    for (;;) {
      if (failure !== undefined) throw failure;
      const next = wanted.shift();
      if (next !== undefined) {
        const path = files.get(next);
        if (path === undefined) throw new GrpcFailure(GrpcStatus.INVALID_ARGUMENT, `invalid file id ${next}`);
        files.delete(next);
        for await (const chunk of fileChunks(
          path,
          undefined,
          (e) => new GrpcFailure(GrpcStatus.NOT_FOUND, `cannot read a file of ${name}: ${e.code ?? 'error'}`),
        )) {
          await send(stream, encodePacket({ type: PacketType.DATA, id: next, data: chunk }));
        }
        await send(stream, encodePacket({ type: PacketType.DATA, id: next }));
        continue;
      }
      if (finished) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
    await send(stream, encodePacket({ type: PacketType.FIN }));
    stream.end();
  })().catch((error: unknown) => fail(stream, error));
}
