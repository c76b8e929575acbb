// Credentials from the docker CLI's configuration: $DOCKER_CONFIG/config.json (default
// ~/.docker/config.json) and $DOCKER_AUTH_CONFIG (the same JSON, from the environment): `auths`
// entries (`auth` = base64 "user:password", `identitytoken`), `credHelpers` per registry and a
// default `credsStore`, which run `docker-credential-NAME get`.
import { join } from 'node:path';
import { readFile } from '../files.js';
import { runProcess } from './helper.js';
import { registryHostname, serverAddressOf, type AuthConfig } from './auth-config.js';

interface ConfigFile {
  auths?: Record<
    string,
    { auth?: string; username?: string; password?: string; email?: string; identitytoken?: string }
  >;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** ConfigSource: where the docker CLI's configuration is read from. */
export interface ConfigSource {
  /** Folder holding config.json; defaults to $DOCKER_CONFIG, then ~/.docker. */
  configDir?: string;
  env?: Record<string, string | undefined>;
}

async function readConfigs(source: ConfigSource): Promise<ConfigFile[]> {
  const env = source.env ?? process.env;
  const configs: ConfigFile[] = [];
  const inline = env['DOCKER_AUTH_CONFIG'];
  if (inline) {
    try {
      configs.push(JSON.parse(inline) as ConfigFile);
    } catch {
      // a malformed variable is ignored, as a missing file is
    }
  }
  const dir =
    source.configDir ?? env['DOCKER_CONFIG'] ?? join(process.getBuiltinModule('node:os').homedir(), '.docker'); // node:os only when needed
  try {
    configs.push(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as ConfigFile);
  } catch {
    // no config file, or not JSON: no credentials from it
  }
  return configs;
}

function fromAuthsEntry(
  entry: NonNullable<ConfigFile['auths']>[string],
  serveraddress: string,
): AuthConfig | undefined {
  const auth: AuthConfig = { serveraddress };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) return undefined;
    auth.username = decoded.slice(0, colon);
    auth.password = decoded.slice(colon + 1);
  } else if (entry.username !== undefined) {
    auth.username = entry.username;
    if (entry.password !== undefined) auth.password = entry.password;
  }
  if (entry.email) auth.email = entry.email;
  if (entry.identitytoken) auth.identitytoken = entry.identitytoken;
  return auth.username !== undefined || auth.identitytoken !== undefined ? auth : undefined;
}

/** Asks `docker-credential-NAME get`; any failure of the helper means "no credentials". */
async function fromHelper(helper: string, registry: string): Promise<AuthConfig | undefined> {
  const server = serverAddressOf(registry);
  try {
    const result = await runProcess(`docker-credential-${helper}`, ['get'], server);
    if (result.code !== 0) return undefined;
    const parsed = JSON.parse(result.stdout) as { Username?: string; Secret?: string; ServerURL?: string };
    if (!parsed.Secret) return undefined;
    if (parsed.Username === '<token>') return { identitytoken: parsed.Secret, serveraddress: server };
    return { username: parsed.Username ?? '', password: parsed.Secret, serveraddress: server };
  } catch {
    return undefined;
  }
}

/**
 * Credentials for one registry (host[:port], or docker.io). Only that registry's helper is run, so
 * a broken helper for another registry cannot break this lookup.
 */
export async function credentialsFromConfig(
  registry: string,
  source: ConfigSource = {},
): Promise<AuthConfig | undefined> {
  for (const config of await readConfigs(source)) {
    const helper = Object.entries(config.credHelpers ?? {}).find(([key]) => registryHostname(key) === registry)?.[1];
    if (helper) {
      const found = await fromHelper(helper, registry);
      if (found) return found;
      continue;
    }
    for (const [key, entry] of Object.entries(config.auths ?? {})) {
      if (registryHostname(key) !== registry) continue;
      const found = fromAuthsEntry(entry, key);
      if (found) return found;
    }
    if (config.credsStore) {
      const found = await fromHelper(config.credsStore, registry);
      if (found) return found;
    }
  }
  return undefined;
}
