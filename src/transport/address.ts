// Parses DOCKER_HOST-style addresses into what node:net can connect to.
import { InvalidArgument } from '../errors.js';
import { checkOptions, optionNames } from '../options.js';

/** Address: where an engine listens, parsed (a unix socket, TCP with or without TLS, ssh). */
export type Address =
  | { kind: 'unix'; path: string }
  | { kind: 'tcp'; host: string; port: number; tls: boolean }
  | { kind: 'ssh'; user: string | undefined; host: string; port: number | undefined };

const PARSE_ADDRESS = optionNames<NonNullable<Parameters<typeof parseAddress>[1]>>({ tls: true });

/** Where the engine listens when nothing says otherwise (the docker CLI's default). */
export const DEFAULT_HOST = 'unix:///var/run/docker.sock';

/**
 * parseAddress: an engine address parsed from unix:///path, a bare /path, tcp://host:port,
 * http://host:port, https://host:port or ssh://[user@]host[:port]; `tls`: a tcp:// one is TLS.
 */
export function parseAddress(host: string, options: { tls?: boolean } = {}): Address {
  checkOptions('parseAddress', options, PARSE_ADDRESS);
  if (host === '') throw new InvalidArgument('host must not be empty');
  if (host.startsWith('/')) return { kind: 'unix', path: host };
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(host);
  if (!m) throw new InvalidArgument(`host ${JSON.stringify(host)} is not a unix://, tcp:// or http(s):// address`);
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  if (scheme === 'unix') {
    if (!rest.startsWith('/')) throw new InvalidArgument('unix:// address needs an absolute socket path');
    return { kind: 'unix', path: rest };
  }
  if (scheme === 'tcp' || scheme === 'http' || scheme === 'https') {
    const hp = /^(\[[0-9a-fA-F:.]+\]|[^/:[\]]+)(?::([0-9]{1,5}))?\/?$/.exec(rest);
    if (!hp) throw new InvalidArgument(`invalid ${scheme}:// address`);
    const tls = scheme === 'https' || (options.tls ?? false);
    const port = hp[2] === undefined ? (tls ? 2376 : 2375) : Number(hp[2]);
    if (port < 1 || port > 65535) throw new InvalidArgument(`invalid port in ${scheme}:// address`);
    const hostname = hp[1]!.replace(/^\[(.*)\]$/, '$1');
    return { kind: 'tcp', host: hostname, port, tls };
  }
  if (scheme === 'npipe') {
    // npipe:////./pipe/docker_engine -> \\.\pipe\docker_engine: node:net connects to a named
    // pipe through the same `path` option as to a unix socket
    if (!/^\/\/[^/]+\/pipe\/[^/]+$/.test(rest))
      throw new InvalidArgument('invalid npipe:// address: expected npipe:////./pipe/NAME');
    return { kind: 'unix', path: rest.replace(/\//g, '\\') };
  }
  if (scheme === 'ssh') {
    const ssh = /^(?:([^@/:\s]+)@)?(\[[0-9a-fA-F:.]+\]|[^/:@\s[\]]+)(?::([0-9]{1,5}))?\/?$/.exec(rest);
    if (!ssh) throw new InvalidArgument('invalid ssh:// address: expected ssh://[user@]host[:port]');
    const port = ssh[3] === undefined ? undefined : Number(ssh[3]);
    if (port !== undefined && (port < 1 || port > 65535)) throw new InvalidArgument('invalid port in ssh:// address');
    const host = ssh[2]!.replace(/^\[(.*)\]$/, '$1');
    if (host.startsWith('-') || ssh[1]?.startsWith('-')) throw new InvalidArgument('invalid ssh:// address');
    return { kind: 'ssh', user: ssh[1], host, port };
  }
  throw new InvalidArgument(`unsupported host scheme ${JSON.stringify(scheme)}`);
}

export function describeAddress(address: Address): string {
  if (address.kind === 'unix') return `unix://${address.path}`;
  if (address.kind === 'ssh')
    return `ssh://${address.user ? `${address.user}@` : ''}${address.host}${address.port ? `:${address.port}` : ''}`;
  return `tcp://${address.host}:${address.port}`;
}
