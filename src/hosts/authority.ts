// `host[:port]` as configuration files write it (a registry name, a certs.d folder, a
// registries.conf location's first part), and hosts.toml's host URLs.
import { ConfigError } from '../errors.js';

/** Authority: a host (IPv6 without brackets) and the port written, if any. */
export interface Authority {
  host: string;
  port?: number;
}

/** Splits `host[:port]` (`[v6]:port` bracketed); undefined when it is not one. */
export function splitAuthority(text: string): Authority | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?))(?::(\d{1,5}))?$/.exec(text);
  if (match === null) return undefined;
  const port = match[3] === undefined ? undefined : Number(match[3]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { host: (match[1] ?? match[2] ?? '').toLowerCase(), ...(port !== undefined ? { port } : {}) };
}

/** True for a loopback host: localhost, 127.0.0.0/8, ::1. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** hosts.toml's host URL: a scheme (https when none is written), an authority and a path. */
export function parseHostUrl(
  text: string,
  where: { file: string },
  entry: string,
): { secure: boolean; authority: Authority; path: string } {
  const withScheme = /^https?:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConfigError(`${entry}: ${JSON.stringify(text)} is not a host URL`, where);
  }
  const authority = splitAuthority(url.host);
  if (authority === undefined || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new ConfigError(`${entry}: ${JSON.stringify(text)} is not a host URL (scheme://host[:port][/path])`, where);
  }
  return {
    secure: url.protocol === 'https:',
    authority,
    path: url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, ''),
  };
}
