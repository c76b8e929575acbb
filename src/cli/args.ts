// A small argument parser for the dockwire CLI: flags with values (repeatable), boolean flags,
// and positionals, with docker's spellings (-t, --build-arg K=V, --no-cache, ...).
export class UsageError extends Error {}

export interface FlagSpec {
  /** names, e.g. ['-t', '--tag'] */
  names: string[];
  /** takes a value */
  value?: boolean;
  /** may be given several times */
  repeat?: boolean;
}

export interface Parsed {
  flags: Map<string, string[] | true>;
  positionals: string[];
}

export function parseArgs(argv: string[], specs: Record<string, FlagSpec>): Parsed {
  const flags = new Map<string, string[] | true>();
  const positionals: string[] = [];
  const byName = new Map<string, [string, FlagSpec]>();
  for (const [key, spec] of Object.entries(specs)) for (const n of spec.names) byName.set(n, [key, spec]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg;
    const found = byName.get(name);
    if (!found) throw new UsageError(`unknown flag: ${name}`);
    const [key, spec] = found;
    if (!spec.value) {
      flags.set(key, true);
      continue;
    }
    const value = arg.startsWith('--') && eq !== -1 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`flag ${name} needs a value`);
    const prior = flags.get(key);
    if (prior !== undefined && !spec.repeat) throw new UsageError(`flag ${name} given twice`);
    flags.set(key, [...(Array.isArray(prior) ? prior : []), value]);
  }
  return { flags, positionals };
}

export function one(parsed: Parsed, key: string): string | undefined {
  const v = parsed.flags.get(key);
  return Array.isArray(v) ? v[0] : undefined;
}

export function all(parsed: Parsed, key: string): string[] {
  const v = parsed.flags.get(key);
  return Array.isArray(v) ? v : [];
}

export function has(parsed: Parsed, key: string): boolean {
  return parsed.flags.get(key) === true;
}

/** K=V pairs into an object. */
export function pairs(values: string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    if (i <= 0) throw new UsageError(`${what} must be KEY=VALUE, got ${JSON.stringify(v)}`);
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}
