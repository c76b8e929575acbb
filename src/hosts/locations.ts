// Where host configuration is read when the caller does not say: the places Docker, containerd and
// the containers tools (podman, skopeo, buildah) read it from.
import { join } from 'node:path';
import { InvalidArgument } from '../errors.js';
import { checkOptions, optionNames } from '../options.js';
import { readIfPresent, readRequired } from './files.js';
import type { RegistriesConf } from './registries-conf.js';
import type { HostsConfig } from './types.js';

/** The names HostsConfig takes. */
export const HOSTS_CONFIG_NAMES = optionNames<HostsConfig>({
  certsDir: true,
  hostsDir: true,
  registriesConf: true,
  insecure: true,
  env: true,
});

/** Locations: the folders and files one resolution reads. */
export interface Locations {
  certsDirs: string[];
  hostsDir: string | undefined;
  /** registries.conf candidates, the first that exists used; `required` when the caller named it. */
  registriesConf: { paths: string[]; required: boolean };
  insecure: Set<string>;
}

/** The config checked (InvalidArgument naming what is wrong) and its defaults filled in. */
export function locations(config: HostsConfig | undefined, where: string): Locations {
  checkOptions(where, config, HOSTS_CONFIG_NAMES);
  const { certsDir, hostsDir, registriesConf, insecure, env = process.env } = config ?? {};
  const path = (value: unknown, name: string): void => {
    if (value !== undefined && value !== false && (typeof value !== 'string' || value === ''))
      throw new InvalidArgument(`${where}: ${name} must be a path, or false for none`);
  };
  if (Array.isArray(certsDir)) certsDir.forEach((item) => path(item, 'certsDir'));
  else path(certsDir, 'certsDir');
  path(hostsDir, 'hostsDir');
  path(registriesConf, 'registriesConf');
  if (insecure !== undefined && (!Array.isArray(insecure) || insecure.some((r) => typeof r !== 'string')))
    throw new InvalidArgument(`${where}: insecure must be a list of registries (host[:port])`);
  const configHome = env.XDG_CONFIG_HOME || (env.HOME ? join(env.HOME, '.config') : undefined);
  const user = (file: string): string[] => (configHome === undefined ? [] : [join(configHome, 'containers', file)]);
  return {
    certsDirs:
      certsDir === false
        ? []
        : certsDir === undefined
          ? [...user('certs.d'), '/etc/containers/certs.d', '/etc/docker/certs.d']
          : typeof certsDir === 'string'
            ? [certsDir]
            : [...certsDir],
    hostsDir: hostsDir === false ? undefined : (hostsDir ?? '/etc/containerd/certs.d'),
    registriesConf:
      registriesConf === false
        ? { paths: [], required: false }
        : registriesConf === undefined
          ? { paths: [...user('registries.conf'), '/etc/containers/registries.conf'], required: false }
          : { paths: [registriesConf], required: true },
    insecure: new Set((insecure ?? []).map((r) => r.toLowerCase())),
  };
}

/** The registries.conf in effect: the first candidate that exists, read and parsed. */
export async function readRegistriesConf(candidates: Locations['registriesConf']): Promise<RegistriesConf | undefined> {
  for (const path of candidates.paths) {
    const bytes = candidates.required ? await readRequired(path, 'registries.conf') : await readIfPresent(path);
    if (bytes !== undefined) return (await import('./registries-conf.js')).parseRegistriesConf(bytes, path);
  }
  return undefined;
}
