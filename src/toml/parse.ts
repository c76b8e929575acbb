// parseToml: a TOML 1.0 document (toml.io/en/v1.0.0) to JavaScript values, or a ConfigError with
// the line and column of the first fault. Pure: bytes or text in, a table out. The document is
// UTF-8 (an optional BOM is dropped); nesting of arrays and inline tables is bounded.
import { ConfigError } from '../errors.js';
import { readScalar } from './scalars.js';
import { Scanner } from './scanner.js';
import { readKey, readString } from './strings.js';
import { Tables, type TomlTable, type TomlValue } from './tables.js';

export { TomlDateTime } from './scalars.js';
export { isTable, type TomlTable, type TomlValue } from './tables.js';

/** How deep arrays and inline tables may nest (toml-test's README suggests 128 is plenty). */
const MAX_DEPTH = 128;

/** parseToml: the document's root table; ConfigError (with `line` and `column`) if it is not TOML 1.0. */
export function parseToml(document: string | Uint8Array): TomlTable {
  let text: string;
  if (typeof document === 'string') {
    if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(document))
      throw new ConfigError('the document is not valid Unicode');
    text = document.startsWith('\uFEFF') ? document.slice(1) : document;
  } else {
    try {
      // (ignoreBOM false: TextDecoder drops a leading BOM itself)
      text = new TextDecoder('utf-8', { fatal: true }).decode(document);
    } catch {
      throw new ConfigError('the document is not valid UTF-8');
    }
  }
  return new Reader(new Scanner(text)).document();
}

class Reader {
  readonly tables: Tables;
  constructor(readonly s: Scanner) {
    this.tables = new Tables(s);
  }

  document(): TomlTable {
    const { s, tables } = this;
    let current = tables.root;
    for (;;) {
      s.skipSpaces();
      if (s.atEnd()) return tables.root;
      if (s.eatNewline()) continue;
      if (s.peek() === '#') {
        s.skipComment();
      } else if (s.peek() === '[') {
        const at = s.pos;
        const array = s.eat('[[');
        if (!array) s.pos++;
        const keys = readKey(s);
        s.expect(array ? ']]' : ']');
        current = array ? tables.arrayTable(keys, at) : tables.header(keys, at);
      } else {
        this.keyValue(current, 0);
      }
      s.endLine();
    }
  }

  /** `key = value`, added to `table`. */
  keyValue(table: TomlTable, depth: number): void {
    const { s } = this;
    const at = s.pos;
    const keys = readKey(s);
    s.expect('=');
    s.skipSpaces();
    this.tables.assign(table, keys, this.value(depth), at);
  }

  value(depth: number): TomlValue {
    const { s } = this;
    if (depth > MAX_DEPTH) s.fail(`arrays and inline tables nest deeper than ${MAX_DEPTH}`);
    const c = s.peek();
    if (c === '"' || c === "'") return readString(s, s.text.startsWith(c.repeat(3), s.pos));
    if (c === '[') return this.array(depth + 1);
    if (c === '{') return this.inlineTable(depth + 1);
    return readScalar(s);
  }

  array(depth: number): TomlValue[] {
    const { s } = this;
    s.pos++;
    const array: TomlValue[] = [];
    for (;;) {
      s.skipBlank();
      if (s.eat(']')) break;
      array.push(this.value(depth));
      s.skipBlank();
      if (s.eat(']')) break;
      s.expect(',', "',' or ']'");
    }
    this.tables.close(array);
    return array;
  }

  inlineTable(depth: number): TomlTable {
    const { s } = this;
    s.pos++;
    const table = this.tables.table('dotted');
    s.skipSpaces();
    if (!s.eat('}')) {
      for (;;) {
        this.keyValue(table, depth);
        s.skipSpaces();
        if (s.eat('}')) break;
        s.expect(',', "',' or '}'");
      }
    }
    this.tables.close(table);
    return table;
  }
}
