// The image config after append or mutate: the base's `config` with the changes asked for (env
// merged by name, PATH kept unless given; labels, ports and volumes merged; an entrypoint without
// a cmd clearing the base's Cmd, as a Dockerfile's ENTRYPOINT does), a history entry and a diff_id
// per added layer, and the creation time. Pure.
import { InvalidArgument } from '../errors.js';
import type { ImageConfig } from '../oci.js';
import { checkOptions, optionNames } from '../options.js';
import type { Platform } from '../platform.js';
import type { ConfigChanges } from './types.js';

const CONFIG_CHANGES = optionNames<ConfigChanges>({
  entrypoint: true,
  cmd: true,
  env: true,
  workingDir: true,
  user: true,
  labels: true,
  exposedPorts: true,
  volumes: true,
  stopSignal: true,
});

function words(value: unknown, what: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((w) => typeof w === 'string')) return [...value];
  throw new InvalidArgument(`${what} must be a string or a list of strings`);
}

function stringMap(value: unknown, what: string): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidArgument(`${what} must be an object of strings`);
  for (const [k, v] of Object.entries(value))
    if (typeof v !== 'string' || k === '') throw new InvalidArgument(`${what}[${JSON.stringify(k)}] must be a string`);
  return value as Record<string, string>;
}

function port(value: unknown, what: string): string {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,5}(?:-\d{1,5})?(?:\/(?:tcp|udp|sctp))?$/.test(text))
    throw new InvalidArgument(`${what} must be a port (8080, 8080/tcp, 53/udp)`);
  return text.includes('/') ? text : `${text}/tcp`;
}

/** checkConfigChanges: InvalidArgument naming the field for anything `changes` cannot hold. */
export function checkConfigChanges(changes: ConfigChanges | undefined, where = 'config'): void {
  if (changes === undefined) return;
  checkOptions(where, changes, CONFIG_CHANGES);
  if (changes.entrypoint !== undefined) words(changes.entrypoint, `${where}.entrypoint`);
  if (changes.cmd !== undefined) words(changes.cmd, `${where}.cmd`);
  if (changes.env !== undefined) {
    for (const name of Object.keys(stringMap(changes.env, `${where}.env`)))
      if (name.includes('=')) throw new InvalidArgument(`${where}.env: ${JSON.stringify(name)} is not a variable name`);
  }
  if (changes.labels !== undefined) stringMap(changes.labels, `${where}.labels`);
  for (const key of ['workingDir', 'user', 'stopSignal'] as const)
    if (changes[key] !== undefined && typeof changes[key] !== 'string')
      throw new InvalidArgument(`${where}.${key} must be a string`);
  if (changes.exposedPorts !== undefined) {
    if (!Array.isArray(changes.exposedPorts)) throw new InvalidArgument(`${where}.exposedPorts must be a list`);
    changes.exposedPorts.forEach((p, i) => port(p, `${where}.exposedPorts[${i}]`));
  }
  if (
    changes.volumes !== undefined &&
    (!Array.isArray(changes.volumes) || changes.volumes.some((v) => typeof v !== 'string' || !v.startsWith('/')))
  )
    throw new InvalidArgument(`${where}.volumes must be a list of absolute paths`);
}

/** `base` (a `NAME=value` list) with `env` merged in: a name given replaces its value where it stood, new names come after. */
export function mergeEnv(base: readonly string[], env: Record<string, string>): string[] {
  const out = [...base];
  for (const [name, value] of Object.entries(env)) {
    const at = out.findIndex((e) => e === name || e.startsWith(`${name}=`));
    if (at === -1) out.push(`${name}=${value}`);
    else out[at] = `${name}=${value}`;
  }
  return out;
}

function applyChanges(inner: Record<string, unknown>, changes: ConfigChanges): Record<string, unknown> {
  const out = { ...inner };
  if (changes.entrypoint !== undefined) {
    out['Entrypoint'] = words(changes.entrypoint, 'entrypoint');
    if (changes.cmd === undefined) delete out['Cmd'];
  }
  if (changes.cmd !== undefined) out['Cmd'] = words(changes.cmd, 'cmd');
  if (changes.env !== undefined)
    out['Env'] = mergeEnv(Array.isArray(out['Env']) ? (out['Env'] as string[]) : [], changes.env);
  if (changes.workingDir !== undefined) out['WorkingDir'] = changes.workingDir;
  if (changes.user !== undefined) out['User'] = changes.user;
  if (changes.stopSignal !== undefined) out['StopSignal'] = changes.stopSignal;
  if (changes.labels !== undefined)
    out['Labels'] = { ...((out['Labels'] as Record<string, string> | null) ?? {}), ...changes.labels };
  if (changes.exposedPorts !== undefined) {
    const ports = { ...((out['ExposedPorts'] as Record<string, object> | null) ?? {}) };
    changes.exposedPorts.forEach((p, i) => (ports[port(p, `exposedPorts[${i}]`)] = {}));
    out['ExposedPorts'] = ports;
  }
  if (changes.volumes !== undefined) {
    const volumes = { ...((out['Volumes'] as Record<string, object> | null) ?? {}) };
    for (const v of changes.volumes) volumes[v] = {};
    out['Volumes'] = volumes;
  }
  return out;
}

/** The config of an empty image (`scratch`) for `platform`. */
export function scratchConfig(platform: Platform): ImageConfig {
  return {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: {},
    rootfs: { type: 'layers', diff_ids: [] },
    history: [],
  };
}

/** AddedLayer: what the history and rootfs are told of a layer added. */
export interface AddedLayer {
  diffId: string;
  /** What made it (the history entry's created_by). */
  createdBy: string;
}

/** The config after the changes: `base` untouched, a new object given. */
export function mutateConfig(
  base: ImageConfig,
  changes: ConfigChanges | undefined,
  layers: readonly AddedLayer[],
  created: Date | undefined,
): ImageConfig {
  const out: ImageConfig = {
    ...base,
    rootfs: { type: 'layers', diff_ids: [...(base.rootfs?.diff_ids ?? []), ...layers.map((l) => l.diffId)] },
  };
  const inner = (base.config ?? {}) as Record<string, unknown>;
  out.config = changes ? applyChanges(inner, changes) : { ...inner };
  // mutate without a fixed time keeps the base's; a new layer is made now
  const time =
    created !== undefined
      ? created.toISOString()
      : layers.length > 0 || base.created === undefined
        ? new Date().toISOString()
        : base.created;
  out.created = time;
  const history = [...(base.history ?? [])];
  for (const layer of layers) history.push({ created: time, created_by: layer.createdBy, comment: 'dockwire append' });
  if (layers.length > 0 || base.history !== undefined) out.history = history;
  return out;
}
