// containers' registries.conf, version 2 (containers-registries.conf(5), github.com/containers/
// image docs): `[[registry]]` entries chosen by the longest `prefix` the image name starts with
// (followed by `/`, `:`, `@` or the end; `*.example.com` matches any subdomain), `location`
// rewriting that prefix (a prefix left out is the location), `insecure`, `blocked`, and
// `[[registry.mirror]]` entries (`location`, `insecure`, `pull-from-mirror` = all, digest-only or
// tag-only; or the entry's `mirror-by-digest-only`). Version 1's `[registries.insecure]` and
// `[registries.block]` lists are read as entries of their own.
import { ConfigError } from '../errors.js';
import { isTable, type TomlTable, type TomlValue } from '../toml/parse.js';
import { splitAuthority } from './authority.js';
import { parseTomlFile } from './toml-file.js';

/** RegistryMirror: a `[[registry.mirror]]` entry. */
export interface RegistryMirror {
  location: string;
  insecure: boolean;
  pullFromMirror: 'all' | 'digest-only' | 'tag-only';
}

/** RegistryEntry: a `[[registry]]` entry (or a version 1 list item). */
export interface RegistryEntry {
  /** `[[registry]] #n` (1-based) or `[registries.block]`, for messages. */
  entry: string;
  prefix: string;
  /** Empty for a wildcard prefix that rewrites nothing. */
  location: string;
  insecure: boolean;
  blocked: boolean;
  mirrors: RegistryMirror[];
}

/** RegistriesConf: a registries.conf's entries. */
export interface RegistriesConf {
  file: string;
  entries: RegistryEntry[];
}

/** A registries.conf read from its bytes; the wrong shape is a ConfigError naming the file and entry. */
export function parseRegistriesConf(bytes: Uint8Array, file: string): RegistriesConf {
  const doc = parseTomlFile(bytes, file);
  const where = { file };
  const v1 = doc.registries;
  if (v1 !== undefined && doc.registry !== undefined)
    throw new ConfigError('mixes version 1 ([registries.*]) and version 2 ([[registry]]) entries', where);
  if (v1 !== undefined) return { file, entries: version1(v1, where) };
  const list = doc.registry ?? [];
  if (!Array.isArray(list) || !list.every(isTable))
    throw new ConfigError('registry must be [[registry]] entries', where);
  return { file, entries: (list as TomlTable[]).map((table, i) => readEntry(table, `[[registry]] #${i + 1}`, where)) };
}

function readEntry(table: TomlTable, entry: string, where: { file: string }): RegistryEntry {
  const text = (key: string, value: TomlValue | undefined): string => {
    if (value === undefined) return '';
    if (typeof value !== 'string') throw new ConfigError(`${entry} ${key} must be a string`, where);
    return value;
  };
  const flag = (key: string, value: TomlValue | undefined): boolean => {
    if (value === undefined) return false;
    if (typeof value !== 'boolean') throw new ConfigError(`${entry} ${key} must be true or false`, where);
    return value;
  };
  const location = text('location', table.location).replace(/\/+$/, '');
  const prefix = text('prefix', table.prefix).replace(/\/+$/, '') || location;
  if (prefix === '') throw new ConfigError(`${entry} has neither prefix nor location`, where);
  const wildcard = prefix.startsWith('*.');
  if (
    wildcard
      ? splitAuthority(prefix.slice(2)) === undefined || prefix.includes(':')
      : splitAuthority(prefix.split('/')[0] as string) === undefined
  ) {
    throw new ConfigError(
      `${entry} prefix ${JSON.stringify(prefix)} is neither host[:port][/path] nor *.domain`,
      where,
    );
  }
  const byDigestOnly = flag('mirror-by-digest-only', table['mirror-by-digest-only']);
  const mirrorList = table.mirror ?? [];
  if (!Array.isArray(mirrorList) || !mirrorList.every(isTable))
    throw new ConfigError(`${entry} mirror must be [[registry.mirror]] entries`, where);
  const mirrors = (mirrorList as TomlTable[]).map((mirror, i): RegistryMirror => {
    const name = `${entry} mirror #${i + 1}`;
    const mirrorLocation = text('mirror location', mirror.location).replace(/\/+$/, '');
    if (splitAuthority(mirrorLocation.split('/')[0] as string) === undefined)
      throw new ConfigError(`${name} location ${JSON.stringify(mirrorLocation)} is not host[:port][/path]`, where);
    const pull = text('pull-from-mirror', mirror['pull-from-mirror']);
    if (pull !== '' && !['all', 'digest-only', 'tag-only'].includes(pull))
      throw new ConfigError(`${name} pull-from-mirror must be all, digest-only or tag-only`, where);
    if (pull !== '' && byDigestOnly)
      throw new ConfigError(`${name} sets pull-from-mirror where ${entry} sets mirror-by-digest-only`, where);
    const insecure = mirror.insecure ?? false;
    if (typeof insecure !== 'boolean') throw new ConfigError(`${name} insecure must be true or false`, where);
    return {
      location: mirrorLocation,
      insecure,
      pullFromMirror: byDigestOnly ? 'digest-only' : ((pull || 'all') as RegistryMirror['pullFromMirror']),
    };
  });
  return {
    entry,
    prefix,
    location: wildcard ? location : location || prefix,
    insecure: flag('insecure', table.insecure),
    blocked: flag('blocked', table.blocked),
    mirrors,
  };
}

function version1(v1: TomlValue, where: { file: string }): RegistryEntry[] {
  if (!isTable(v1)) throw new ConfigError('registries must be a table', where);
  const entries: RegistryEntry[] = [];
  for (const [list, key] of [
    ['insecure', 'insecure'],
    ['block', 'blocked'],
  ] as const) {
    const table = v1[list];
    if (table === undefined) continue;
    const registries = isTable(table) ? (table.registries ?? []) : undefined;
    if (!Array.isArray(registries) || !registries.every((r) => typeof r === 'string'))
      throw new ConfigError(`[registries.${list}] registries must be a list of strings`, where);
    for (const prefix of registries as string[]) {
      const existing = entries.find((e) => e.prefix === prefix);
      const entry = existing ?? {
        entry: `[registries.${list}]`,
        prefix,
        location: prefix,
        insecure: false,
        blocked: false,
        mirrors: [],
      };
      entry[key] = true;
      if (existing === undefined) entries.push(entry);
    }
  }
  return entries;
}

/** The entry with the longest prefix that `name` (`host/path[:tag][@digest]`) starts with. */
export function matchRegistry(conf: RegistriesConf, name: string): RegistryEntry | undefined {
  let best: RegistryEntry | undefined;
  let bestLength = -1;
  for (const entry of conf.entries) {
    const length = matchLength(entry.prefix, name);
    if (length > bestLength) [best, bestLength] = [entry, length];
  }
  return best;
}

/** How much of `name` the prefix matches (its own length), or -1. */
function matchLength(prefix: string, name: string): number {
  if (prefix.startsWith('*.')) {
    const host = name.split('/')[0] as string;
    return host.toLowerCase().endsWith(prefix.slice(1).toLowerCase()) ? prefix.length : -1;
  }
  if (!name.startsWith(prefix)) return -1;
  const next = name.charAt(prefix.length);
  return next === '' || next === '/' || next === ':' || next === '@' ? prefix.length : -1;
}

/** `name` with the entry's prefix replaced by `location` (a wildcard prefix replaces the host). */
export function rewrite(entry: RegistryEntry, location: string, name: string): string {
  if (location === '') return name;
  const matched = entry.prefix.startsWith('*.') ? (name.split('/')[0] as string).length : entry.prefix.length;
  return location + name.slice(matched);
}
