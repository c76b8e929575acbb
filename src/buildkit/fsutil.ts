// fsutil's packet stream (tonistiigi/fsutil types/wire.proto, types/stat.proto), what FileSync's
// DiffCopy carries: the sender lists every entry as a STAT packet (an empty one ends the list),
// the receiver asks for the files it lacks by their index in that list (REQ), the sender answers
// each with DATA packets and an empty DATA packet, and FIN closes the exchange both ways. Pure.
import { asBytes, asNumber, asString, encodeFields, readFields } from './protobuf.js';

export const PacketType = { STAT: 0, REQ: 1, DATA: 2, FIN: 3, ERR: 4 } as const;

/** One entry as fsutil describes it: `mode` is Go's os.FileMode, `modTime` nanoseconds since the epoch. */
export interface FsStat {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  modTime: bigint;
  linkname?: string;
}

export interface Packet {
  type: number;
  stat?: FsStat;
  id: number;
  data: Uint8Array;
}

// Go's os.FileMode type bits (io/fs)
const GO_DIR = 2 ** 31;
const GO_SYMLINK = 2 ** 27;
const GO_DEVICE = 2 ** 26;
const GO_NAMED_PIPE = 2 ** 25;
const GO_SOCKET = 2 ** 24;
const GO_SETUID = 2 ** 23;
const GO_SETGID = 2 ** 22;
const GO_CHAR_DEVICE = 2 ** 21;
const GO_STICKY = 2 ** 20;
/** Every type bit: a mode without any is a regular file, the only kind whose data is sent. */
const GO_TYPE = GO_DIR | GO_SYMLINK | GO_DEVICE | GO_NAMED_PIPE | GO_SOCKET | GO_CHAR_DEVICE | (2 ** 19);

/** A POSIX st_mode as Go's os.FileMode (what Go's os.Lstat gives, so what fsutil sends). */
export function goFileMode(stMode: number): number {
  let mode = stMode & 0o777;
  switch (stMode & 0o170000) {
    case 0o040000:
      mode += GO_DIR;
      break;
    case 0o120000:
      mode += GO_SYMLINK;
      break;
    case 0o060000:
      mode += GO_DEVICE;
      break;
    case 0o020000:
      mode += GO_DEVICE + GO_CHAR_DEVICE;
      break;
    case 0o010000:
      mode += GO_NAMED_PIPE;
      break;
    case 0o140000:
      mode += GO_SOCKET;
      break;
  }
  if (stMode & 0o4000) mode += GO_SETUID;
  if (stMode & 0o2000) mode += GO_SETGID;
  if (stMode & 0o1000) mode += GO_STICKY;
  return mode;
}

/** True for a Go FileMode of a regular file (fsutil's fileCanRequestData). */
export function isRegularGoMode(mode: number): boolean {
  return (mode & GO_TYPE) === 0; // (both sides as int32: the same bits)
}

/** True for a Go FileMode of a directory. */
export function isDirGoMode(mode: number): boolean {
  return mode >= GO_DIR;
}

export function encodeStat(stat: FsStat): Uint8Array {
  return encodeFields([
    [1, stat.path],
    [2, stat.mode],
    [3, stat.uid],
    [4, stat.gid],
    [5, stat.size],
    [6, stat.modTime],
    [7, stat.linkname],
  ]);
}

export function decodeStat(bytes: Uint8Array): FsStat {
  const stat: FsStat = { path: '', mode: 0, uid: 0, gid: 0, size: 0, modTime: 0n };
  for (const f of readFields(bytes)) {
    if (f.field === 1) stat.path = asString(f);
    else if (f.field === 2) stat.mode = asNumber(f);
    else if (f.field === 3) stat.uid = asNumber(f);
    else if (f.field === 4) stat.gid = asNumber(f);
    else if (f.field === 5) stat.size = asNumber(f);
    else if (f.field === 6)
      stat.modTime = BigInt(asNumber(f)); // (exact to 2^53 ns: what we receive is never written back)
    else if (f.field === 7) stat.linkname = asString(f);
  }
  return stat;
}

/** A packet; a STAT packet without `stat` is the end of the list. Zeros are left out, as proto3 writes them. */
export function encodePacket(packet: { type: number; stat?: FsStat; id?: number; data?: Uint8Array }): Uint8Array {
  return encodeFields([
    [1, packet.type || undefined],
    [2, packet.stat ? encodeStat(packet.stat) : undefined],
    [3, packet.id || undefined],
    [4, packet.data],
  ]);
}

export function decodePacket(bytes: Uint8Array): Packet {
  const packet: Packet = { type: 0, id: 0, data: new Uint8Array(0) };
  for (const f of readFields(bytes)) {
    if (f.field === 1) packet.type = asNumber(f);
    else if (f.field === 2) packet.stat = decodeStat(asBytes(f));
    else if (f.field === 3) packet.id = asNumber(f);
    else if (f.field === 4) packet.data = asBytes(f);
  }
  return packet;
}
