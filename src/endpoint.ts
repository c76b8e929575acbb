// Where the engine is, as the docker CLI decides it: DOCKER_HOST (with DOCKER_TLS_VERIFY and
// DOCKER_CERT_PATH), else the context named by DOCKER_CONTEXT or config.json's currentContext,
// read from the CLI's context store ($DOCKER_CONFIG/contexts/meta/<sha256 of the name>/meta.json,
// TLS material under contexts/tls/<sha256>/docker/), else the local socket.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgument } from './errors.js';
import { DEFAULT_HOST } from './transport/address.js';
import type { TlsOptions } from './transport/socket-transport.js';

/** Endpoint: where the docker CLI would go, a host and its TLS material. */
export interface Endpoint {
  host: string;
  tls?: TlsOptions;
  /** The context it came from, when it came from one. */
  context?: string;
}

function readIfExists(path: string): Buffer | undefined {
  return existsSync(path) ? readFileSync(path) : undefined;
}

/** ca.pem, cert.pem and key.pem from a folder, those that exist. */
export function tlsFromFolder(dir: string, verify: boolean): TlsOptions {
  const tls: TlsOptions = { verify };
  const ca = readIfExists(join(dir, 'ca.pem'));
  const cert = readIfExists(join(dir, 'cert.pem'));
  const key = readIfExists(join(dir, 'key.pem'));
  if (ca) tls.ca = ca;
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  return tls;
}

/** resolveEndpoint: where the docker CLI would go, from DOCKER_HOST (with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH), else the context DOCKER_CONTEXT or config.json names, else /var/run/docker.sock. */
export function resolveEndpoint(env: Record<string, string | undefined>): Endpoint {
  const configDir = env['DOCKER_CONFIG'] || join(process.getBuiltinModule('node:os').homedir(), '.docker'); // node:os only when needed
  const host = env['DOCKER_HOST'];
  if (host) {
    // docker-py's rule: TLS when DOCKER_TLS_VERIFY is non-empty (and then verified) or a cert path is set
    const verify = (env['DOCKER_TLS_VERIFY'] ?? '') !== '';
    const certPath = env['DOCKER_CERT_PATH'];
    if (verify || certPath) return { host, tls: tlsFromFolder(certPath || configDir, verify) };
    return { host };
  }
  let name = env['DOCKER_CONTEXT'];
  if (!name) {
    try {
      name = (JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as { currentContext?: string })
        .currentContext;
    } catch {
      // no config: the default context
    }
  }
  if (!name || name === 'default') return { host: DEFAULT_HOST };
  // node:crypto is loaded (synchronously: resolving is) only when a named context is used
  const { createHash } = process.getBuiltinModule('node:crypto');
  const id = createHash('sha256').update(name).digest('hex');
  let meta: { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } };
  try {
    meta = JSON.parse(readFileSync(join(configDir, 'contexts', 'meta', id, 'meta.json'), 'utf8'));
  } catch {
    throw new InvalidArgument(`docker context ${JSON.stringify(name)} was not found in ${join(configDir, 'contexts')}`);
  }
  const endpoint = meta.Endpoints?.docker;
  if (!endpoint?.Host) throw new InvalidArgument(`docker context ${JSON.stringify(name)} has no docker endpoint`);
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
  if (existsSync(tlsDir))
    return { host: endpoint.Host, tls: tlsFromFolder(tlsDir, !endpoint.SkipTLSVerify), context: name };
  return { host: endpoint.Host, context: name };
}
