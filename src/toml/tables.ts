// Which tables a TOML document may still add to (toml.io/en/v1.0.0#table): a table is defined once,
// by a header, by dotted keys or inline; a header may name a table that an earlier header only
// implied (`[a.b]` then `[a]`); dotted keys add only to tables that dotted keys made, in the
// same block; inline tables and arrays written as values are closed; `[[a]]` appends to an array
// of tables and a header below it opens its last element.
import type { Scanner } from './scanner.js';
import type { TomlDateTime } from './scalars.js';

/** TomlValue: what a TOML document holds, as JavaScript values (integers as `bigint`). */
export type TomlValue = string | bigint | number | boolean | TomlDateTime | TomlValue[] | TomlTable;

/** TomlTable: a TOML table (an object without a prototype). */
export interface TomlTable {
  [key: string]: TomlValue;
}

/** How a table came to be, which says what may still add to it. */
type Kind = 'implied' | 'header' | 'dotted' | 'closed';

/** isTable: true for a table (not an array, not a date-time). */
export function isTable(value: TomlValue | undefined): value is TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === null;
}

/** Tables: one document's tables and arrays of tables, with how each was made. */
export class Tables {
  readonly root: TomlTable;
  readonly #kinds = new WeakMap<TomlTable, Kind>();
  readonly #arraysOfTables = new WeakSet<TomlValue[]>();

  constructor(private readonly s: Scanner) {
    this.root = this.table('header');
  }

  /** A new empty table made as `kind` says. */
  table(kind: Kind): TomlTable {
    const table = Object.create(null) as TomlTable;
    this.#kinds.set(table, kind);
    return table;
  }

  /** `[keys]`: the table the lines below it fill. */
  header(keys: string[], at: number): TomlTable {
    const parent = this.#walk(keys, at);
    const key = keys[keys.length - 1] as string;
    const existing = parent[key];
    if (existing === undefined) return (parent[key] = this.table('header'));
    if (isTable(existing) && this.#kinds.get(existing) === 'implied') {
      this.#kinds.set(existing, 'header');
      return existing;
    }
    return this.s.fail(`${show(keys)} is already defined`, at);
  }

  /** `[[keys]]`: a new table appended to the array of tables, which the lines below it fill. */
  arrayTable(keys: string[], at: number): TomlTable {
    const parent = this.#walk(keys, at);
    const key = keys[keys.length - 1] as string;
    const existing = parent[key];
    const table = this.table('header');
    if (existing === undefined) {
      const array: TomlValue[] = [table];
      this.#arraysOfTables.add(array);
      parent[key] = array;
    } else if (Array.isArray(existing) && this.#arraysOfTables.has(existing)) {
      existing.push(table);
    } else {
      this.s.fail(`${show(keys)} is already defined, and not as an array of tables`, at);
    }
    return table;
  }

  /** `keys = value` inside `table`: dotted keys make (or add to) tables of their own. */
  assign(table: TomlTable, keys: string[], value: TomlValue, at: number): void {
    let current = table;
    for (const key of keys.slice(0, -1)) {
      const existing = current[key];
      if (existing === undefined) current = current[key] = this.table('dotted');
      else if (isTable(existing) && this.#kinds.get(existing) === 'dotted') current = existing;
      else this.s.fail(`cannot add to ${JSON.stringify(key)} with a dotted key: it is already defined`, at);
    }
    const key = keys[keys.length - 1] as string;
    if (current[key] !== undefined) this.s.fail(`${show(keys)} is already defined`, at);
    current[key] = value;
  }

  /** Closes an inline table or an array, and every table inside it, to any later addition. */
  close(value: TomlValue): void {
    if (Array.isArray(value)) for (const item of value) this.close(item);
    else if (isTable(value)) {
      this.#kinds.set(value, 'closed');
      for (const item of Object.values(value)) this.close(item);
    }
  }

  /** The table a header's last key goes into, making implied tables on the way. */
  #walk(keys: string[], at: number): TomlTable {
    let current = this.root;
    for (const key of keys.slice(0, -1)) {
      const existing = current[key];
      if (existing === undefined) current = current[key] = this.table('implied');
      else if (isTable(existing) && this.#kinds.get(existing) !== 'closed') current = existing;
      else if (Array.isArray(existing) && this.#arraysOfTables.has(existing))
        current = existing[existing.length - 1] as TomlTable;
      else this.s.fail(`${JSON.stringify(key)} in ${show(keys)} is already defined as a value`, at);
    }
    return current;
  }
}

function show(keys: string[]): string {
  return keys.map((key) => (/^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key))).join('.');
}
