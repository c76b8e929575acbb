// What a CLI command is, what it is given (`Io`: every byte in and out goes through it), and
// the helpers the families share. A family is a file under src/cli/ exporting a `Family`; main.ts
// lists the families.
import type { Docker, ProgressEvent, ProgressJob } from '../api.js';
import { UsageError, type FlagSpec, type Parsed } from './args.js';
import { LayerView, type Out } from './view.js';

/** Standard output: text, and bytes written chunk by chunk (each taken before the next is asked for). */
export interface ByteOut extends Out {
  writeAll(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void>;
}

/** What a command reads and writes: nothing else (never the process's own streams). */
export interface Io {
  out: ByteOut;
  err: Out;
  stdin: AsyncIterable<Uint8Array>;
  env: Record<string, string | undefined>;
  json: boolean;
}

export interface Command {
  usage: string;
  summary: string;
  flags: Record<string, FlagSpec>;
  run(docker: Docker, args: Parsed, io: Io): Promise<void>;
}

/** A family of commands, shown together in the help under `title`. */
export interface Family {
  title: string;
  commands: Record<string, Command>;
}

export const f = (names: string[], value = false, repeat = false): FlagSpec => ({ names, value, repeat });

/** The positionals, when there are at least `n`; a UsageError naming `what` otherwise. */
export function need(args: Parsed, n: number, what: string): string[] {
  if (args.positionals.length < n) throw new UsageError(`missing ${what}`);
  return args.positionals;
}

/** `platform` as an options object: `{ platform }` when given, `{}` otherwise. */
export function platformOption(platform: string | undefined): { platform?: string } {
  return platform ? { platform } : {};
}

/** Nothing written: for `-q`. */
export const SILENT: Out = { write() {}, isTTY: false };

/** Renders a pull/push/copy job's events (as JSON lines with --json), and resolves to its result. */
export async function follow<T>(job: ProgressJob<T>, io: Pick<Io, 'out' | 'err' | 'json'>): Promise<T> {
  const view = new LayerView(io.err, job.totals);
  for await (const event of job) {
    if (io.json) io.out.write(`${JSON.stringify(event)}\n`);
    else view.event(event as ProgressEvent);
  }
  return job;
}

/** Refuses to write a tar archive to a terminal, as docker save does. */
export function refuseTerminal(output: string | undefined, io: Io): void {
  if (!output && io.out.isTTY)
    throw new UsageError('refusing to write a tar archive to a terminal: use -o FILE or redirect');
}
