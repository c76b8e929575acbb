// An image archive's files by name, whatever holds them: the members of a tar (read at offsets of
// the random access openImageArchive made), or the files of a folder (folder.ts). The layout's
// parsing (layout.ts) asks only this, so a docker-archive or an OCI layout reads the same from both.
import { posix } from 'node:path';
import { readTar, type RandomAccess } from '../tar/reader.js';
import { sliceAccess, type OwnedAccess } from './access.js';

/** ArchiveMembers: the files of an archive by name (`index.json`, `blobs/sha256/<hex>`), symlinks followed inside it. */
export interface ArchiveMembers {
  /** True when the archive has a member `name`. */
  has(name: string): Promise<boolean>;
  /**
   * The bytes of member `name`, read whole, or undefined when there is none. `check` is given its
   * size before a byte is read, and throws to refuse it.
   */
  read(name: string, check: (size: number) => void): Promise<Uint8Array | undefined>;
  /** Random access to member `name` (a layer), or undefined when there is none; it stays open until close(). */
  open(name: string): Promise<RandomAccess | undefined>;
  /** Lets go of what is held: the archive's file, or every file opened in the folder. */
  close(): Promise<void>;
}

interface TarMember {
  offset: number;
  size: number;
  linkTo?: string;
}

/** tarMembers: the members of the tar `access` holds, listed once (headers only); close() closes `access`. */
export async function tarMembers(access: OwnedAccess): Promise<ArchiveMembers> {
  const members = new Map<string, TarMember>();
  for await (const entry of readTar(access)) {
    const name = memberName(entry.name);
    if (entry.type === 'file') members.set(name, { offset: entry.offset, size: entry.size });
    else if (entry.type === 'symlink' && entry.linkname !== undefined)
      members.set(name, { offset: 0, size: 0, linkTo: memberName(posix.join(posix.dirname(name), entry.linkname)) });
    else if (entry.type === 'hardlink' && entry.linkname !== undefined)
      members.set(name, { offset: 0, size: 0, linkTo: memberName(entry.linkname) });
  }
  const find = (name: string): TarMember | undefined => {
    let member = members.get(memberName(name));
    for (let hops = 0; member?.linkTo !== undefined && hops < 8; hops++) member = members.get(member.linkTo);
    return member?.linkTo === undefined ? member : undefined;
  };
  return {
    has: async (name) => find(name) !== undefined,
    async read(name, check) {
      const member = find(name);
      if (member === undefined) return undefined;
      check(member.size);
      return access.read(member.offset, member.size);
    },
    async open(name) {
      const member = find(name);
      return member && sliceAccess(access, member.offset, member.size);
    },
    close: () => access.close(),
  };
}

/** memberName: a tar member's name as looked up: no leading './' or '/', no trailing '/'. */
export function memberName(name: string): string {
  return posix
    .normalize(name)
    .replace(/^(\.\/|\/)+/, '')
    .replace(/\/$/, '');
}
