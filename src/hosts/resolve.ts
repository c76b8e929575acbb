// resolveHosts: the user's host configuration, for one reference and one operation, made into the
// plan the registry client follows. Precedence: the caller's options, then registries.conf
// (blocked, location rewrite, insecure, mirrors), then the hosts folder (mirrors and TLS per
// host), then certs.d (TLS per host). Mirrors come first, in order, each only for the operations
// its capabilities allow (push never goes to a mirror without `push`); the server comes last.
import { join } from 'node:path';
import type { Kept } from '../kept.js';
import { ConfigError, InvalidArgument } from '../errors.js';
import { parseReference, splitReference } from '../reference.js';
import { isLoopback, splitAuthority, type Authority } from './authority.js';
import { certsDirTls, folderTls } from './certs-dir.js';
import { isFolder, readIfPresent } from './files.js';
import { hostsFolders, parseHostsToml, readHostsFolder, type HostsEntry, type HostsFolder } from './hosts-toml.js';
import { locations, readRegistriesConf, type Locations } from './locations.js';
import { matchRegistry, rewrite } from './registries-conf.js';
import { loadTls, type TlsFiles } from './tls-files.js';
import type { HostEndpoint, HostOperation, HostsConfig, HostsPlan, HostsReference } from './types.js';

const OPERATIONS: readonly HostOperation[] = ['pull', 'resolve', 'push'];

/** Reads anew each time: a resolution that shares what it reads with none. */
const FRESH = { once: <T>(_key: string, read: () => Promise<T>): Promise<T> => read() };

/**
 * resolveHosts: the endpoints to try, in order, for `operation` on `reference`, from the host
 * configuration `config` names (each place defaulting to the system's usual one). A blocked
 * registry is a ConfigError naming the file and its entry; a file that cannot be read or parsed
 * is a ConfigError naming it. Reads files only: no connection is made; resolutions given one
 * `kept` read each file once between them.
 */
export async function resolveHosts(
  reference: HostsReference,
  operation: HostOperation,
  config?: HostsConfig,
  kept: Pick<Kept, 'once'> = FRESH,
): Promise<HostsPlan> {
  const where = locations(config, 'resolveHosts');
  if (!OPERATIONS.includes(operation))
    throw new InvalidArgument(
      `resolveHosts: operation must be pull, resolve or push, not ${JSON.stringify(operation)}`,
    );
  const name = `${reference.registry}/${reference.repository}${reference.tag !== undefined ? `:${reference.tag}` : ''}${reference.digest !== undefined ? `@${reference.digest}` : ''}`;
  const files = new Set<string>();
  const conf = await kept.once('registries.conf', () => readRegistriesConf(where.registriesConf));
  const entry = conf === undefined ? undefined : matchRegistry(conf, name);
  if (conf !== undefined && entry !== undefined) {
    files.add(conf.file);
    if (entry.blocked)
      throw new ConfigError(`${name} is blocked by ${entry.entry} (prefix ${JSON.stringify(entry.prefix)})`, {
        file: conf.file,
      });
  }
  // (containers-registries.conf(5): location and mirrors apply when reading images, not pushing)
  const reads = operation !== 'push' && entry !== undefined;
  const target = reads
    ? splitName(rewrite(entry, entry.location, name), conf?.file ?? '', entry.entry)
    : { registry: reference.registry, repository: reference.repository };
  const endpoints: HostEndpoint[] = [];
  const context = { where, files, operation, kept };
  if (reads) {
    for (const [i, mirror] of entry.mirrors.entries()) {
      if (mirror.pullFromMirror === (reference.digest === undefined ? 'digest-only' : 'tag-only')) continue;
      const at = splitName(rewrite(entry, mirror.location, name), conf?.file ?? '', `${entry.entry} mirror #${i + 1}`);
      const authority = splitAuthority(at.registry) as Authority;
      const tls = await lookupTls(context, [at.registry]);
      endpoints.push(
        await endpoint(context, {
          authority,
          secure: undefined,
          tls,
          insecure: mirror.insecure,
          repository: at.repository,
          mirror: true,
          capabilities: ['pull', 'resolve'],
          source: `${conf?.file} ${entry.entry} mirror #${i + 1}`,
        }),
      );
    }
  }
  const { hostsDir } = where;
  const folder =
    hostsDir === undefined
      ? undefined
      : await kept.once(`hosts ${target.registry}`, () => readHostsFolder(hostsDir, target.registry));
  if (folder?.file !== undefined) files.add(folder.file);
  for (const host of folder?.hosts ?? [])
    endpoints.push(await hostsEndpoint(context, folder as HostsFolder, host, target, true));
  endpoints.push(await serverEndpoint(context, folder, target, entry?.insecure === true, reference));
  const allowed = endpoints.filter((e) => e.capabilities.includes(operation));
  if (allowed.length === 0)
    throw new ConfigError(`no host it configures for ${target.registry} may ${operation}`, {
      file: folder?.file ?? folder?.folder,
    });
  return { registry: target.registry, repository: target.repository, endpoints: allowed, files: [...files] };
}

interface Context {
  where: Locations;
  files: Set<string>;
  operation: HostOperation;
  kept: Pick<Kept, 'once'>;
}

/** `host/path[:tag][@digest]` split into registry and repository; a rewrite that is no reference is a ConfigError. */
function splitName(name: string, file: string, entry: string): { registry: string; repository: string } {
  try {
    parseReference(name, 'rewritten reference');
  } catch (error) {
    throw new ConfigError(
      `${entry} rewrites the reference to ${JSON.stringify(name)}, which is not one`,
      { file },
      { cause: error },
    );
  }
  const { repository } = splitReference(name);
  const slash = repository.indexOf('/');
  if (slash === -1 || splitAuthority(repository.slice(0, slash)) === undefined)
    throw new ConfigError(`${entry} rewrites the reference to ${JSON.stringify(name)}, which names no registry`, {
      file,
    });
  return { registry: repository.slice(0, slash), repository: repository.slice(slash + 1) };
}

/** TLS files for a host: its own hosts folder (not _default), else the first certs.d folder for it. */
function lookupTls(context: Context, authorities: string[]): Promise<{ files: TlsFiles; source: string } | undefined> {
  return context.kept.once(`tls ${authorities.join(' ')}`, () => findTls(context.where, authorities));
}

async function findTls(
  where: Locations,
  authorities: string[],
): Promise<{ files: TlsFiles; source: string } | undefined> {
  const { hostsDir, certsDirs } = where;
  for (const authority of authorities) {
    for (const folder of hostsDir === undefined ? [] : hostsFolders(hostsDir, authority).slice(0, -1)) {
      if (!(await isFolder(folder))) continue;
      const file = join(folder, 'hosts.toml');
      const bytes = await readIfPresent(file);
      if (bytes === undefined) return { files: await folderTls(folder), source: folder };
      const own = parseHostsToml(bytes, file, folder).server;
      if (own.url === undefined && givesTls(own.tls)) return { files: own.tls, source: file };
    }
    const found = await certsDirTls(certsDirs, authority);
    if (found !== undefined) return { files: found.files, source: found.folder };
  }
  return undefined;
}

function givesTls(tls: TlsFiles): boolean {
  return tls.ca.length > 0 || tls.clients.length > 0 || tls.skipVerify !== undefined;
}

interface EndpointFacts {
  authority: Authority;
  /** The scheme a URL wrote; undefined to decide (TLS files, loopback, insecure). */
  secure: boolean | undefined;
  tls: { files: TlsFiles; source: string } | undefined;
  insecure: boolean;
  repository: string;
  mirror: boolean;
  capabilities: HostOperation[];
  source: string;
  pathPrefix?: string;
  ns?: string;
  headers?: Record<string, string[]>;
  connectTimeout?: number;
}

async function endpoint(context: Context, facts: EndpointFacts): Promise<HostEndpoint> {
  const { authority } = facts;
  const text =
    authority.port === undefined
      ? authority.host
      : `${authority.host.includes(':') ? `[${authority.host}]` : authority.host}:${authority.port}`;
  const plainByOption = context.where.insecure.has(text);
  const insecure = facts.insecure;
  // a TLS entry for a host means HTTPS verified with it, loopback or not; loopback alone is plain HTTP
  const secure =
    facts.secure ?? (plainByOption ? false : insecure || facts.tls !== undefined || !isLoopback(authority.host));
  const skipVerify = facts.tls?.files.skipVerify === true || (secure && insecure);
  const files = facts.tls?.files ?? { ca: [], clients: [] };
  const tls = secure
    ? await context.kept.once(`load ${JSON.stringify([files, skipVerify])}`, () => loadTls(files, skipVerify))
    : undefined;
  for (const file of tls?.files ?? []) context.files.add(file);
  return {
    origin: { secure, host: authority.host, port: authority.port ?? (secure ? 443 : 80) },
    pathPrefix: facts.pathPrefix ?? '/v2',
    repository: facts.repository,
    ...(facts.ns !== undefined ? { ns: facts.ns } : {}),
    mirror: facts.mirror,
    capabilities: facts.capabilities,
    ...(tls !== undefined ? { tls } : {}),
    headers: facts.headers ?? {},
    insecure,
    ...(facts.connectTimeout !== undefined ? { connectTimeout: facts.connectTimeout } : {}),
    source: facts.source,
  };
}

/** containerd adds `ns` for a host other than the registry (registry-1.docker.io is docker.io's own). */
function namespaceFor(registry: string, authority: Authority): string | undefined {
  const text = authority.port === undefined ? authority.host : `${authority.host}:${authority.port}`;
  if (text === registry.toLowerCase() || (registry === 'docker.io' && text === 'registry-1.docker.io'))
    return undefined;
  return registry;
}

async function hostsEndpoint(
  context: Context,
  folder: HostsFolder,
  host: HostsEntry,
  target: { registry: string; repository: string },
  mirror: boolean,
): Promise<HostEndpoint> {
  const url = host.url as NonNullable<HostsEntry['url']>;
  const authorityText =
    url.authority.port === undefined ? url.authority.host : `${url.authority.host}:${url.authority.port}`;
  const tls = givesTls(host.tls)
    ? { files: host.tls, source: folder.file ?? folder.folder }
    : await lookupTls(context, [authorityText]);
  const ns = namespaceFor(target.registry, url.authority);
  return endpoint(context, {
    authority: url.authority,
    secure: url.secure,
    tls,
    insecure: false,
    repository: target.repository,
    mirror,
    capabilities: host.capabilities,
    source: `${folder.file ?? folder.folder} ${host.entry}`,
    pathPrefix: url.path,
    ...(ns !== undefined ? { ns } : {}),
    headers: host.headers,
    ...(host.connectTimeout !== undefined ? { connectTimeout: host.connectTimeout } : {}),
  });
}

/** The registry's own server: hosts.toml's `server`, or the registry (docker.io's is registry-1.docker.io). */
async function serverEndpoint(
  context: Context,
  folder: HostsFolder | undefined,
  target: { registry: string; repository: string },
  insecure: boolean,
  reference: HostsReference,
): Promise<HostEndpoint> {
  if (folder?.server.url !== undefined) return hostsEndpoint(context, folder, folder.server, target, false);
  const server = folder?.server;
  const hub = target.registry === 'docker.io';
  const authority = (hub ? { host: 'registry-1.docker.io' } : splitAuthority(target.registry)) as Authority;
  if (splitAuthority(target.registry) === undefined && !hub)
    throw new InvalidArgument(`resolveHosts: ${JSON.stringify(reference.registry)} is not a registry (host[:port])`);
  const own =
    server !== undefined && givesTls(server.tls)
      ? { files: server.tls, source: folder?.file ?? folder?.folder ?? '' }
      : undefined;
  const tls = own ?? (await lookupTls(context, hub ? ['docker.io', 'registry-1.docker.io'] : [target.registry]));
  return endpoint(context, {
    authority,
    secure: hub ? true : undefined,
    tls,
    insecure,
    repository: target.repository,
    mirror: false,
    capabilities: server?.capabilities ?? [...OPERATIONS],
    source: server !== undefined ? `${folder?.file ?? folder?.folder} ${server.entry}` : 'default',
    headers: server?.headers ?? {},
    ...(server?.connectTimeout !== undefined ? { connectTimeout: server.connectTimeout } : {}),
  });
}
