// `dockwire append` and `dockwire mutate`: images made without an engine (registry.append and
// registry.mutate), with crane's flag names where crane has them (-t, -e/--env, -l/--label,
// -a/--annotation, -u/--user, -w/--workdir, --entrypoint, --cmd, --exposed-ports, -o/--output,
// --platform). Layers go in this order: --tar files (crane's -f), then --layer folders, then
// --file files, each its own layer.
import type { Docker, AppendLayer, AppendResult, ConfigChanges, ImageOutput, ProgressJob } from '../api.js';
import { UsageError, all, one, pairs, type FlagSpec, type Parsed } from './args.js';
import type { Out } from './view.js';

/** What the commands write to: the CLI's own Io, whatever else it holds. */
interface Io {
  out: Out;
  err: Out;
  json: boolean;
}

interface Command<I extends Io> {
  usage: string;
  summary: string;
  flags: Record<string, FlagSpec>;
  run(docker: Docker, args: Parsed, io: I): Promise<void>;
}

/** What the commands take from the CLI: how a Job's progress is drawn (its `follow`). */
export interface AppendHooks<I extends Io> {
  follow<T>(job: ProgressJob<T>, io: I): Promise<T>;
}

/** The title the commands are listed under in the help. */
export const APPEND_TITLE = 'Images made without an engine';

const flag = (names: string[], value = false, repeat = false): FlagSpec => ({ names, value, repeat });

const CHANGE_FLAGS: Record<string, FlagSpec> = {
  entrypoint: flag(['--entrypoint'], true, true),
  cmd: flag(['--cmd'], true, true),
  env: flag(['-e', '--env'], true, true),
  label: flag(['-l', '--label'], true, true),
  annotation: flag(['-a', '--annotation'], true, true),
  user: flag(['-u', '--user'], true),
  workdir: flag(['-w', '--workdir'], true),
  exposedPorts: flag(['--exposed-ports'], true, true),
  stopSignal: flag(['--stop-signal'], true),
  platform: flag(['--platform'], true, true),
  created: flag(['--created'], true),
  tag: flag(['-t', '--tag', '--new_tag'], true),
  output: flag(['-o', '--output'], true),
  format: flag(['--format'], true),
};

/** crane's string lists: each value split at commas, the values in order. */
function list(args: Parsed, key: string): string[] | undefined {
  const values = all(args, key).flatMap((v) => v.split(','));
  return values.length > 0 ? values : undefined;
}

/** `--created`: an ISO time, or whole seconds since the epoch (as SOURCE_DATE_EPOCH). */
function createdFlag(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = /^\d+$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new UsageError(`--created must be an ISO time or seconds since the epoch, got ${JSON.stringify(value)}`);
  return date;
}

function configFlags(args: Parsed): ConfigChanges | undefined {
  const config: ConfigChanges = {};
  const entrypoint = list(args, 'entrypoint');
  const cmd = list(args, 'cmd');
  const ports = list(args, 'exposedPorts');
  if (entrypoint) config.entrypoint = entrypoint;
  if (cmd) config.cmd = cmd;
  if (all(args, 'env').length) config.env = pairs(all(args, 'env'), '--env');
  if (all(args, 'label').length) config.labels = pairs(all(args, 'label'), '--label');
  if (ports) config.exposedPorts = ports;
  const user = one(args, 'user');
  const workdir = one(args, 'workdir');
  const stopSignal = one(args, 'stopSignal');
  if (user !== undefined) config.user = user;
  if (workdir !== undefined) config.workingDir = workdir;
  if (stopSignal !== undefined) config.stopSignal = stopSignal;
  return Object.keys(config).length ? config : undefined;
}

/** `-t REF` (a registry) or `-o FILE [--format oci|docker]` (a file; `-t` then names the image in it). */
function outputFlags(args: Parsed, fallback: string | undefined): ImageOutput {
  const tag = one(args, 'tag');
  const output = one(args, 'output');
  const format = one(args, 'format');
  if (format !== undefined && format !== 'oci' && format !== 'docker')
    throw new UsageError('--format must be oci or docker');
  if (output !== undefined) return { path: output, ...(format ? { format } : {}), ...(tag ? { tag } : {}) };
  if (format !== undefined) throw new UsageError('--format goes with -o FILE');
  const to = tag ?? fallback;
  if (to === undefined) throw new UsageError('give -t REF (push to a registry) or -o FILE');
  return to;
}

function changeOptions(args: Parsed): {
  config?: ConfigChanges;
  annotations?: Record<string, string>;
  platforms?: string[];
  created?: Date;
} {
  const config = configFlags(args);
  const created = createdFlag(one(args, 'created'));
  const platforms = list(args, 'platform');
  return {
    ...(config ? { config } : {}),
    ...(all(args, 'annotation').length ? { annotations: pairs(all(args, 'annotation'), '--annotation') } : {}),
    ...(platforms ? { platforms } : {}),
    ...(created ? { created } : {}),
  };
}

/** `DIR[:/to]` and `SRC:/dst`: a path, and where it goes (the last colon followed by a '/'). */
function placed(value: string, what: string, needTarget: boolean): AppendLayer {
  const at = value.lastIndexOf(':/');
  if (at <= 0) {
    if (needTarget) throw new UsageError(`${what} must be SRC:/dst, got ${JSON.stringify(value)}`);
    return { path: value };
  }
  return { path: value.slice(0, at), to: value.slice(at + 1) };
}

function report(io: Pick<Io, 'out' | 'json'>, result: AppendResult, where: string): void {
  io.out.write(io.json ? `${JSON.stringify(result)}\n` : `${where}@${result.digest}\n`);
}

function where(to: ImageOutput): string {
  return typeof to === 'string' ? to.replace(/@.*$/, '') : 'path' in to ? to.path : 'stream';
}

/** The `append` and `mutate` commands, for the CLI's table of commands. */
export function appendCommands<I extends Io>(hooks: AppendHooks<I>): Record<string, Command<I>> {
  return {
    append: {
      usage:
        'append BASE [--tar FILE]... [--layer DIR[:/to]]... [--file SRC:/dst]... [--chown UID:GID] [--entrypoint E] [--cmd C] [-e K=V]... [-l K=V]... [-u USER] [-w DIR] [--platform P]... [--created TIME] (-t REF | -o FILE [--format oci|docker] [-t NAME])',
      summary: 'Add layers to an image (every platform) and change its config, without an engine',
      flags: {
        ...CHANGE_FLAGS,
        tar: flag(['--tar', '-f', '--new_layer'], true, true),
        layer: flag(['--layer'], true, true),
        file: flag(['--file'], true, true),
        chown: flag(['--chown'], true),
      },
      async run(docker, args, io) {
        const [base] = args.positionals;
        if (base === undefined || args.positionals.length !== 1)
          throw new UsageError('append needs BASE (a reference, scratch, or an image archive\u2019s path)');
        const chown = one(args, 'chown');
        let owner: { uid: number; gid: number } | undefined;
        if (chown !== undefined) {
          const match = /^(\d+)(?::(\d+))?$/.exec(chown);
          if (!match) throw new UsageError('--chown must be UID[:GID], numeric');
          owner = { uid: Number(match[1]), gid: Number(match[2] ?? match[1]) };
        }
        const layers: AppendLayer[] = [
          ...all(args, 'tar').map((tar): AppendLayer => ({ tar })),
          ...[
            ...all(args, 'layer').map((v) => placed(v, '--layer', false)),
            ...all(args, 'file').map((v) => placed(v, '--file', true)),
          ].map((l) => (owner ? { ...l, owner } : l)),
        ];
        const to = outputFlags(args, undefined);
        const result = await hooks.follow(docker.registry.append(base, { layers, ...changeOptions(args), to }), io);
        report(io, result, where(to));
      },
    },
    mutate: {
      usage:
        'mutate REF [--entrypoint E] [--cmd C] [-e K=V]... [-l K=V]... [-a K=V]... [-u USER] [-w DIR] [--platform P]... [-t REF | -o FILE [--format oci|docker]]',
      summary: 'Change an image\u2019s config (every platform), its layers untouched, without an engine',
      flags: CHANGE_FLAGS,
      async run(docker, args, io) {
        const [ref] = args.positionals;
        if (ref === undefined || args.positionals.length !== 1) throw new UsageError('mutate needs REF');
        const to = outputFlags(args, ref);
        const result = await hooks.follow(docker.registry.mutate(ref, { ...changeOptions(args), to }), io);
        report(io, result, where(to));
      },
    },
  };
}
