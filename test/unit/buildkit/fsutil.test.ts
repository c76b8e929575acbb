// fsutil's packets and Go's file modes, as a Go sender would write them.
import { describe, expect, it } from 'vitest';
import {
  PacketType,
  decodePacket,
  encodePacket,
  goFileMode,
  isDirGoMode,
  isRegularGoMode,
} from '../../../src/buildkit/fsutil.js';

describe('goFileMode', () => {
  it('maps st_mode to os.FileMode as Go does (type bits, setuid/setgid/sticky)', () => {
    expect(goFileMode(0o100644)).toBe(0o644);
    expect(goFileMode(0o040755)).toBe(2 ** 31 + 0o755);
    expect(goFileMode(0o120777)).toBe(2 ** 27 + 0o777);
    expect(goFileMode(0o104755)).toBe(2 ** 23 + 0o755);
    expect(goFileMode(0o102755)).toBe(2 ** 22 + 0o755);
    expect(goFileMode(0o041777)).toBe(2 ** 31 + 2 ** 20 + 0o777);
    expect(goFileMode(0o020600)).toBe(2 ** 26 + 2 ** 21 + 0o600);
  });

  it('tells regular files (the only ones whose data is sent) and directories apart', () => {
    expect(isRegularGoMode(goFileMode(0o104755))).toBe(true);
    expect(isRegularGoMode(goFileMode(0o040755))).toBe(false);
    expect(isRegularGoMode(goFileMode(0o120777))).toBe(false);
    expect(isDirGoMode(goFileMode(0o040755))).toBe(true);
    expect(isDirGoMode(goFileMode(0o100644))).toBe(false);
  });
});

describe('packets', () => {
  it('a STAT packet round trips; its nanosecond time is written exactly; an empty STAT packet is the end of the list', () => {
    const stat = {
      path: 'dir/a.txt',
      mode: 0o644,
      uid: 1000,
      gid: 1000,
      size: 5,
      modTime: 1_733_000_000_123_456n,
      linkname: 'x',
    };
    expect(decodePacket(encodePacket({ type: PacketType.STAT, stat }))).toEqual({
      type: 0,
      id: 0,
      data: new Uint8Array(0),
      stat,
    });
    // a time in nanoseconds is past 2^53: written as the int64 it is (Go's varint bytes)
    const written = encodePacket({ type: PacketType.STAT, stat: { ...stat, modTime: 1_733_000_000_123_456_789n } });
    let v = 1_733_000_000_123_456_789n;
    const varint: number[] = [];
    while (v >= 0x80n) {
      varint.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    varint.push(Number(v));
    expect(Buffer.from(written).includes(Buffer.from([0x30, ...varint]))).toBe(true);
    expect(encodePacket({ type: PacketType.STAT })).toEqual(new Uint8Array(0));
    expect(decodePacket(new Uint8Array(0)).stat).toBeUndefined();
  });

  it('REQ, DATA and FIN packets carry their id and bytes', () => {
    expect(decodePacket(encodePacket({ type: PacketType.REQ, id: 7 }))).toMatchObject({ type: 1, id: 7 });
    expect([...decodePacket(encodePacket({ type: PacketType.DATA, id: 7, data: Uint8Array.of(1, 2) })).data]).toEqual([
      1, 2,
    ]);
    expect(decodePacket(encodePacket({ type: PacketType.FIN })).type).toBe(3);
  });
});
