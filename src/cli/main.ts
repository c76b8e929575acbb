// dockwire: the image half of the docker CLI, on dockwire. `dockwire [image] COMMAND ...`.
// Exit codes: 0 success, 1 the engine (or the network) said no, 2 bad usage.
// A family of commands is a file under src/cli/ and one line in FAMILIES.
import { Docker } from '../api.js';
import { UsageError, has, one, parseArgs, type Parsed } from './args.js';
import { APPEND_TITLE, appendCommands } from './append.js';
import { attestations } from './attestations.js';
import { build } from './build.js';
import { f, follow, type ByteOut, type Command, type Family } from './command.js';
import { engineImages } from './engine-images.js';
import { imageArchives } from './image-archives.js';
import { imageFiles } from './image-files.js';
import { registry } from './registry.js';
import { trust } from './trust.js';
import type { Out } from './view.js';

const FAMILIES: Family[] = [
  engineImages,
  build,
  imageArchives,
  imageFiles,
  registry,
  attestations,
  { title: APPEND_TITLE, commands: appendCommands({ follow }) },
  trust,
];

const commands = new Map<string, Command>(FAMILIES.flatMap((family) => Object.entries(family.commands)));

const GLOBAL = { host: f(['-H', '--host'], true), json: f(['--json']), help: f(['-h', '--help']) };

/** The help: each family's commands under its title, the summaries in one column. */
export function usage(families: Family[] = FAMILIES): string {
  const width = Math.max(...families.flatMap((family) => Object.keys(family.commands).map((name) => name.length)));
  return [
    'Usage: dockwire [-H HOST] [--json] [image] COMMAND [ARGS]',
    ...families.flatMap((family) => [
      '',
      `${family.title}:`,
      ...Object.entries(family.commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    ]),
    '',
    'Run `dockwire COMMAND --help` for a command’s flags. The engine is found as the docker CLI',
    'finds it (DOCKER_HOST, DOCKER_CONTEXT, ...) unless -H is given.',
  ].join('\n');
}

/** What the CLI reads and writes: the process's streams in bin.ts, buffers in tests. */
export interface MainIo {
  out: ByteOut;
  err: Out;
  stdin: AsyncIterable<Uint8Array>;
  env: Record<string, string | undefined>;
}

export async function main(argv: string[], io: MainIo): Promise<number> {
  // global flags come before the command
  let i = 0;
  const globalArgs: string[] = [];
  while (i < argv.length && argv[i]!.startsWith('-')) {
    globalArgs.push(argv[i]!);
    if ((argv[i] === '-H' || argv[i] === '--host') && i + 1 < argv.length) globalArgs.push(argv[++i]!);
    i++;
  }
  let global: Parsed;
  try {
    global = parseArgs(globalArgs, GLOBAL);
  } catch (error) {
    io.err.write(`dockwire: ${(error as Error).message}\n\n${usage()}\n`);
    return 2;
  }
  if (argv[i] === 'image') i++;
  const name = argv[i];
  if (!name || has(global, 'help')) {
    (name ? io.out : io.err).write(`${usage()}\n`);
    return name || has(global, 'help') ? 0 : 2;
  }
  const command = commands.get(name);
  if (!command) {
    io.err.write(`dockwire: unknown command ${JSON.stringify(name)}\n\n${usage()}\n`);
    return 2;
  }
  const rest = argv.slice(i + 1);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out.write(`Usage: dockwire ${command.usage}\n\n${command.summary}\n`);
    return 0;
  }
  let args: Parsed;
  try {
    args = parseArgs(rest, { ...command.flags, json: f(['--json']) });
  } catch (error) {
    io.err.write(`dockwire ${name}: ${(error as Error).message}\nUsage: dockwire ${command.usage}\n`);
    return 2;
  }
  const host = one(global, 'host');
  const docker = host ? new Docker({ host }) : Docker.fromEnv(io.env);
  try {
    await command.run(docker, args, { ...io, json: has(global, 'json') || has(args, 'json') });
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err.write(`dockwire ${name}: ${error.message}\nUsage: dockwire ${command.usage}\n`);
      return 2;
    }
    io.err.write(`dockwire ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await docker.close();
  }
}
