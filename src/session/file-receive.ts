// A `local` output: BuildKit sends the result's files through FileSend as fsutil's packet stream,
// this time with BuildKit as the sender (fsutil's receive.go, our side): every entry as a STAT
// packet, each file's bytes after we ask for them (REQ), FIN both ways at the end. Every path is
// checked to stay inside the destination: no absolute path, no `..`, and nothing written through a
// symlink the stream itself made.
import {
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  rmSync,
  symlinkSync,
  linkSync,
  utimesSync,
  chmodSync,
  writeSync,
} from 'node:fs';
import type { ServerHttp2Stream } from 'node:http2';
import { dirname, join, resolve, sep } from 'node:path';
import {
  PacketType,
  decodePacket,
  encodePacket,
  isDirGoMode,
  isRegularGoMode,
  type FsStat,
} from '../buildkit/fsutil.js';
import { GrpcStatus, MessageReader } from '../grpc/framing.js';
import { GrpcFailure, fail, respond, send } from './serve.js';

const GO_SYMLINK = 2 ** 27;

/** Receives a folder into `dest` (made if missing); resolves when BuildKit has sent it all. */
export function receiveDirectory(stream: ServerHttp2Stream, dest: string): void {
  stream.on('error', () => {});
  let root: string;
  try {
    mkdirSync(dest, { recursive: true, mode: 0o700 }); // (as buildctl makes it)
    root = realpathSync(dest);
  } catch (error) {
    return fail(
      stream,
      new GrpcFailure(
        GrpcStatus.INTERNAL,
        `cannot make the output folder: ${(error as NodeJS.ErrnoException).code ?? error}`,
      ),
    );
  }
  respond(stream);
  const reader = new MessageReader();
  const open = new Map<number, { fd: number; path: string; stat: FsStat }>();
  let id = 0;
  let listed = false;
  let finSent = false;
  let failed = false;
  const stop = (error: unknown): void => {
    if (failed) return;
    failed = true;
    for (const file of open.values()) closeSync(file.fd);
    open.clear();
    fail(
      stream,
      error instanceof GrpcFailure
        ? error
        : new GrpcFailure(
            GrpcStatus.INTERNAL,
            `cannot write the output: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
          ),
    );
  };
  const maybeFinish = (): void => {
    if (listed && open.size === 0 && !finSent) {
      finSent = true;
      send(stream, encodePacket({ type: PacketType.FIN })).catch(stop);
    }
  };
  const requests: Promise<void>[] = [];
  stream.on('data', (chunk: Buffer) => {
    if (failed) return;
    try {
      for (const message of reader.push(chunk)) {
        const packet = decodePacket(message);
        if (packet.type === PacketType.STAT) {
          if (!packet.stat) {
            listed = true;
            maybeFinish();
            continue;
          }
          const index = id++;
          const stat = packet.stat;
          const target = inside(root, stat.path);
          if (!isDirGoMode(stat.mode)) clear(target);
          if (isDirGoMode(stat.mode)) {
            mkdirSync(target, { recursive: true, mode: stat.mode & 0o7777 });
          } else if ((stat.mode & GO_SYMLINK) !== 0) {
            symlinkSync(stat.linkname ?? '', target);
          } else if (isRegularGoMode(stat.mode) && stat.linkname) {
            linkSync(inside(root, stat.linkname), target);
          } else if (isRegularGoMode(stat.mode)) {
            open.set(index, { fd: openSync(target, 'w', stat.mode & 0o7777), path: target, stat });
            requests.push(send(stream, encodePacket({ type: PacketType.REQ, id: index })));
          }
        } else if (packet.type === PacketType.DATA) {
          const file = open.get(packet.id);
          if (!file) throw new GrpcFailure(GrpcStatus.INVALID_ARGUMENT, `data for unknown file ${packet.id}`);
          if (packet.data.length > 0) {
            writeSync(file.fd, packet.data);
            continue;
          }
          closeSync(file.fd);
          open.delete(packet.id);
          chmodSync(file.path, file.stat.mode & 0o7777);
          const seconds = Number(file.stat.modTime / 1000n) / 1e6;
          utimesSync(file.path, seconds, seconds);
          maybeFinish();
        } else if (packet.type === PacketType.ERR) {
          throw new GrpcFailure(
            GrpcStatus.ABORTED,
            `BuildKit stopped sending the output: ${new TextDecoder().decode(packet.data).slice(0, 500)}`,
          );
        }
        // (FIN: BuildKit's answer to ours; the stream's end follows)
      }
    } catch (error) {
      stop(error);
    }
  });
  stream.on('end', () => {
    if (failed) return;
    if (!finSent)
      return stop(new GrpcFailure(GrpcStatus.DATA_LOSS, 'BuildKit ended the output before all of it was sent'));
    Promise.all(requests).then(
      () => stream.end(),
      (error: unknown) => stop(error),
    );
  });
}

/** `path` (slash-separated, from BuildKit) under `root`: never outside it, never through a symlink. */
export function inside(root: string, path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..') || path.startsWith('/'))
    throw new GrpcFailure(
      GrpcStatus.INVALID_ARGUMENT,
      `refused an output path outside the folder: ${JSON.stringify(path)}`,
    );
  const target = resolve(root, ...parts);
  // every folder on the way must be a real folder inside root (not a symlink the stream made)
  const parent = dirname(target);
  if (parent !== root) {
    const real = realpathSync(parent);
    if (real !== parent || !(real === root || real.startsWith(root + sep)))
      throw new GrpcFailure(
        GrpcStatus.INVALID_ARGUMENT,
        `refused an output path through a symlink: ${JSON.stringify(path)}`,
      );
  }
  if (target !== join(root, ...parts))
    throw new GrpcFailure(GrpcStatus.INVALID_ARGUMENT, `refused an output path: ${JSON.stringify(path)}`);
  return target;
}

/** Removes what is at `target` unless it is a directory: an entry replaces it, never writes through it (a symlink, a hard link). */
function clear(target: string): void {
  try {
    if (!lstatSync(target).isDirectory()) rmSync(target);
  } catch {
    // nothing there yet
  }
}
