// containerd's hosts.toml (github.com/containerd/containerd, docs/hosts.md): for a registry
// `host[:port]`, the folder `<hostsDir>/host_port_`, else `host:port`, else `_default`; in it,
// `[host."…"]` entries tried in the file's order, then `server` (the registry itself when left
// out). Each takes `capabilities` (pull, resolve, push; all when left out), `ca` (a path or a list),
// `client` (a path, or a list of paths or of [cert, key] pairs), `skip_verify`, `header`,
// `override_path` and `dial_timeout`; relative paths are relative to the hosts.toml's folder. A
// folder without hosts.toml holds certs.d-style files for the registry itself.
import { isAbsolute, join } from 'node:path';
import { ConfigError } from '../errors.js';
import { isTable, type TomlTable, type TomlValue } from '../toml/parse.js';
import { folderTls } from './certs-dir.js';
import { isFolder, readIfPresent } from './files.js';
import { parseTomlFile } from './toml-file.js';
import type { TlsFiles } from './tls-files.js';
import type { HostOperation } from './types.js';
import { parseHostUrl, type Authority } from './authority.js';

/** HostsEntry: a `[host."…"]` entry, or the file's root settings for its server. */
export interface HostsEntry {
  /** Where it is: undefined for the root settings when `server` is left out (the registry itself). */
  url?: { secure: boolean; authority: Authority; path: string };
  capabilities: HostOperation[];
  tls: TlsFiles;
  headers: Record<string, string[]>;
  overridePath: boolean;
  connectTimeout?: number;
  /** The entry, for messages: `[host."https://m"]` or `server`. */
  entry: string;
}

/** HostsFolder: what the hosts folder says for a registry. */
export interface HostsFolder {
  folder: string;
  /** The hosts.toml, when the folder has one. */
  file?: string;
  /** Mirrors, in the file's order. */
  hosts: HostsEntry[];
  /** The server's settings (from the file's root, or the folder's certs.d-style files). */
  server: HostsEntry;
}

const ALL: HostOperation[] = ['pull', 'resolve', 'push'];

/** The folders looked up for a registry, in containerd's order. */
export function hostsFolders(hostsDir: string, registry: string): string[] {
  const colon = registry.lastIndexOf(':');
  const names =
    colon > 0 && !registry.endsWith(']')
      ? [`${registry.slice(0, colon)}_${registry.slice(colon + 1)}_`, registry]
      : [registry];
  return [...names, '_default'].map((name) => join(hostsDir, name));
}

/** The first hosts folder for the registry, read; undefined when there is none. */
export async function readHostsFolder(hostsDir: string, registry: string): Promise<HostsFolder | undefined> {
  for (const folder of hostsFolders(hostsDir, registry)) {
    if (!(await isFolder(folder))) continue;
    const file = join(folder, 'hosts.toml');
    const bytes = await readIfPresent(file);
    if (bytes === undefined) {
      const server: HostsEntry = {
        capabilities: ALL,
        tls: await folderTls(folder),
        headers: {},
        overridePath: false,
        entry: 'certificate files',
      };
      return { folder, hosts: [], server };
    }
    return { folder, file, ...parseHostsToml(bytes, file, folder) };
  }
  return undefined;
}

/** A hosts.toml's entries; anything of the wrong shape is a ConfigError naming the file and the key. */
export function parseHostsToml(
  bytes: Uint8Array,
  file: string,
  folder: string,
): { hosts: HostsEntry[]; server: HostsEntry } {
  const doc = parseTomlFile(bytes, file);
  const where = { file };
  const hostTable = doc.host ?? Object.create(null);
  if (!isTable(hostTable)) throw new ConfigError('host must be a table of [host."URL"] entries', where);
  const hosts = Object.entries(hostTable).map(([url, value]) => {
    const entry = `[host.${JSON.stringify(url)}]`;
    if (!isTable(value) || url === '') throw new ConfigError(`${entry} must be a table named by a host URL`, where);
    return readEntry(value, entry, url, file, folder);
  });
  const server = doc.server;
  if (server !== undefined && typeof server !== 'string') throw new ConfigError('server must be a string', where);
  return { hosts, server: readEntry(doc, 'server', server, file, folder) };
}

function readEntry(table: TomlTable, entry: string, url: string | undefined, file: string, folder: string): HostsEntry {
  const where = { file };
  const fail = (key: string, what: string): never => {
    throw new ConfigError(`${entry} ${key} must be ${what}`, where);
  };
  const path = (p: string): string => (isAbsolute(p) ? p : join(folder, p));
  const strings = (key: string, value: TomlValue | undefined): string[] => {
    if (value === undefined) return [];
    if (typeof value === 'string') return [value];
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
    return fail(key, 'a string or a list of strings');
  };
  const capabilities =
    table.capabilities === undefined ? ALL : strings('capabilities', table.capabilities).map((c) => c.toLowerCase());
  for (const c of capabilities)
    if (!['pull', 'resolve', 'push', 'referrers'].includes(c))
      fail('capabilities', `pull, resolve or push, not ${JSON.stringify(c)}`);
  const clients: TlsFiles['clients'] = [];
  const client = table.client;
  for (const item of client === undefined
    ? []
    : typeof client === 'string'
      ? [client]
      : Array.isArray(client)
        ? client
        : fail('client', 'a path, or a list of paths or [cert, key] pairs')) {
    if (typeof item === 'string') clients.push({ cert: path(item), key: path(item) });
    else if (Array.isArray(item) && item.length === 2 && typeof item[0] === 'string' && typeof item[1] === 'string') {
      clients.push({ cert: path(item[0]), key: path(item[1] === '' ? item[0] : item[1]) });
    } else fail('client', 'a path, or a list of paths or [cert, key] pairs');
  }
  const skip = table.skip_verify;
  if (skip !== undefined && typeof skip !== 'boolean') fail('skip_verify', 'true or false');
  const override = table.override_path ?? false;
  if (typeof override !== 'boolean') fail('override_path', 'true or false');
  const headerTable = table.header ?? Object.create(null);
  if (!isTable(headerTable)) fail('header', 'a table');
  const headers = Object.fromEntries(
    Object.entries(headerTable as TomlTable).map(([name, value]) => [name, strings(`header.${name}`, value)]),
  );
  const timeout = table.dial_timeout;
  if (timeout !== undefined && (typeof timeout !== 'string' || goDuration(timeout) === undefined))
    fail('dial_timeout', 'a duration ("1s", "500ms")');
  const parsed = url === undefined || url === '' ? undefined : parseHostUrl(url, where, entry);
  if (parsed !== undefined && !override && !parsed.path.endsWith('/v2')) parsed.path += '/v2';
  return {
    ...(parsed !== undefined ? { url: parsed } : {}),
    capabilities: capabilities.filter((c): c is HostOperation => c !== 'referrers'),
    tls: { ca: strings('ca', table.ca).map(path), clients, skipVerify: skip as boolean | undefined },
    headers,
    overridePath: override as boolean,
    ...(typeof timeout === 'string' ? { connectTimeout: goDuration(timeout) as number } : {}),
    entry,
  };
}

/** A Go duration (`1s`, `1m30s`, `500ms`) in milliseconds; undefined when it is not one. */
export function goDuration(text: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  if (!/^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g))
    total += Number(amount) * (units[unit as string] ?? 0);
  return total;
}
