// One check for every options object a public call takes: a name the call does not know is a
// mistake (a misspelling, or an option of another call), refused before anything is sent, as
// docker-py's keyword arguments refuse an unexpected keyword.
import { InvalidArgument } from './errors.js';

/**
 * checkOptions throws InvalidArgument when `options` is not an object, or has an own key that
 * `known` does not list, naming the key, the call (`where`) and the nearest known name.
 * `undefined` stands for no options. Keys whose value is undefined are checked all the same.
 */
export function checkOptions(where: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgument(
      `${where}: options must be an object, not ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = nearest(key, known);
    throw new InvalidArgument(
      `${where}: unknown option ${JSON.stringify(key)}${near === undefined ? '' : `; did you mean ${JSON.stringify(near)}?`}`,
    );
  }
}

/** Cancellable: what every call's options may carry to stop it. */
export interface Cancellable {
  /** Stops the call when it aborts: a promise rejects, a Job is cancelled, with AbortError. */
  signal?: AbortSignal | undefined;
}

/**
 * optionNames: the option names of `T`, written once as an object with a key for each, so that the
 * compiler refuses a list that leaves an option out or names one `T` lacks.
 */
export function optionNames<T extends object>(names: { [K in keyof Required<T>]: true }): readonly string[] {
  return Object.freeze(Object.keys(names));
}

/** SIGNAL_ONLY: the option names of a call whose only option is its `signal` (a Cancellable). */
export const SIGNAL_ONLY = optionNames<Cancellable>({ signal: true });

/**
 * signalOf: `options.signal` when `options` is an object that has one, read before the options
 * are checked (a Job is made with its signal, and reports bad options by rejecting).
 */
export function signalOf(options: unknown): AbortSignal | undefined {
  if (options === null || typeof options !== 'object') return undefined;
  // (not instanceof: a signal from another realm is a signal all the same)
  const signal = (options as { signal?: unknown }).signal;
  return signal !== null && typeof signal === 'object' ? (signal as AbortSignal) : undefined;
}

/** The known name closest to `key`: the same but for case, else the fewest edits, if few enough. */
function nearest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameLetters = known.find((name) => name.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const name of known) {
    const d = editDistance(lower, name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}
