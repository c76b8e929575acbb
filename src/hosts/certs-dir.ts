// Docker's certs.d scheme (docs.docker.com/engine/security/certificates/, containers-certs.d(5)):
// `<folder>/<host[:port]>/` where every `*.crt` is a CA and each `<name>.cert` is a client
// certificate whose key is `<name>.key`. A certificate without its key, or a key without its
// certificate, is refused as the docker daemon refuses it.
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { isFolder, listFiles } from './files.js';
import type { TlsFiles } from './tls-files.js';

/** The TLS files in one host folder (the folder must exist). */
export async function folderTls(folder: string): Promise<TlsFiles> {
  const names = (await listFiles(folder)) ?? [];
  const files: TlsFiles = { ca: [], clients: [] };
  for (const name of names) {
    if (name.endsWith('.crt')) files.ca.push(join(folder, name));
    if (name.endsWith('.cert')) {
      const key = `${name.slice(0, -'.cert'.length)}.key`;
      if (!names.includes(key))
        throw new ConfigError(`has no key ${key} for the client certificate`, { file: join(folder, name) });
      files.clients.push({ cert: join(folder, name), key: join(folder, key) });
    }
    if (name.endsWith('.key') && !names.includes(`${name.slice(0, -'.key'.length)}.cert`)) {
      throw new ConfigError(`has no client certificate ${name.slice(0, -'.key'.length)}.cert for the key`, {
        file: join(folder, name),
      });
    }
  }
  return files;
}

/** The first certs.d folder that has a folder for `authority` (`host[:port]`), and its TLS files. */
export async function certsDirTls(
  folders: readonly string[],
  authority: string,
): Promise<{ folder: string; files: TlsFiles } | undefined> {
  for (const root of folders) {
    const folder = join(root, authority);
    if (await isFolder(folder)) return { folder, files: await folderTls(folder) };
  }
  return undefined;
}
