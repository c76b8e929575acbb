// TOML's four kinds of string (toml.io/en/v1.0.0#string): basic "…" with escapes, multi-line
// basic """…""" (a newline right after the opening is trimmed, a line-ending backslash trims the
// whitespace after it), literal '…' and multi-line literal '''…''' (no escapes). Up to two quotes
// may sit against a multi-line string's closing delimiter.
import type { Scanner } from './scanner.js';
import { hex, isControl } from './scanner.js';

/** A run of characters that stand for themselves in a basic string, and in a literal one. */
const PLAIN_BASIC = /[^"\\\x00-\x08\x0a-\x1f\x7f]+/y;
const PLAIN_LITERAL = /[^'\x00-\x08\x0a-\x1f\x7f]+/y;

const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };

/** Reads the string that starts here (the scanner is at its first quote). */
export function readString(s: Scanner, multiline: boolean): string {
  const quote = s.peek();
  if (multiline) return readMultiline(s, quote);
  s.pos++;
  let out = '';
  const plain = quote === '"' ? PLAIN_BASIC : PLAIN_LITERAL;
  for (;;) {
    plain.lastIndex = s.pos;
    if (plain.test(s.text)) {
      out += s.text.slice(s.pos, plain.lastIndex);
      s.pos = plain.lastIndex;
    }
    const c = s.peek();
    if (c === quote) {
      s.pos++;
      return out;
    }
    if (c === '' || c === '\n' || c === '\r') s.fail('unterminated string');
    if (quote === '"' && c === '\\') {
      out += readEscape(s);
      continue;
    }
    if (isControl(c)) s.fail(`control character U+${hex(c)} in a string`);
    out += c;
    s.pos++;
  }
}

function readMultiline(s: Scanner, quote: string): string {
  const delimiter = quote.repeat(3);
  s.pos += 3;
  s.eatNewline();
  let out = '';
  for (;;) {
    if (s.text.startsWith(delimiter, s.pos)) {
      let run = 3;
      while (s.peek(run) === quote) run++;
      if (run > 5) s.fail(`too many ${quote} at the end of a multi-line string`, s.pos + 5);
      out += quote.repeat(run - 3);
      s.pos += run;
      return out;
    }
    const c = s.peek();
    if (c === '') s.fail('unterminated multi-line string');
    if (c === '\n' || c === '\r') {
      s.eatNewline();
      out += '\n';
      continue;
    }
    if (quote === '"' && c === '\\') {
      if (lineEndingBackslash(s)) continue;
      out += readEscape(s);
      continue;
    }
    if (isControl(c)) s.fail(`control character U+${hex(c)} in a string`);
    out += c;
    s.pos++;
  }
}

/** At a backslash followed by spaces and a newline: moves past all whitespace and newlines. */
function lineEndingBackslash(s: Scanner): boolean {
  let i = 1;
  while (s.peek(i) === ' ' || s.peek(i) === '\t') i++;
  if (s.peek(i) !== '\n' && !(s.peek(i) === '\r' && s.peek(i + 1) === '\n')) return false;
  s.pos += i;
  for (;;) {
    s.skipSpaces();
    if (!s.eatNewline()) return true;
  }
}

/** Reads one escape (the scanner is at its backslash) and gives the character it stands for. */
function readEscape(s: Scanner): string {
  const at = s.pos;
  const c = s.peek(1);
  const simple = ESCAPES[c];
  if (simple !== undefined) {
    s.pos += 2;
    return simple;
  }
  const digits = c === 'u' ? 4 : c === 'U' ? 8 : 0;
  if (digits === 0) s.fail(`invalid escape ${JSON.stringify(`\\${c}`)}`, at);
  const text = s.text.slice(at + 2, at + 2 + digits);
  if (!new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(text)) s.fail(`\\${c} needs ${digits} hex digits`, at);
  const code = Number.parseInt(text, 16);
  if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) s.fail(`\\${c}${text} is not a Unicode scalar value`, at);
  s.pos = at + 2 + digits;
  return String.fromCodePoint(code);
}

/** Reads a key's parts (bare, quoted, dotted: `a."b.c".'d'`), spaces allowed around the dots. */
export function readKey(s: Scanner): string[] {
  const parts: string[] = [];
  for (;;) {
    s.skipSpaces();
    parts.push(readSimpleKey(s));
    s.skipSpaces();
    if (!s.eat('.')) return parts;
  }
}

const BARE = /[A-Za-z0-9_-]+/y;

function readSimpleKey(s: Scanner): string {
  const c = s.peek();
  if (c === '"' || c === "'") {
    if (s.text.startsWith(c.repeat(3), s.pos)) s.fail('a key cannot be a multi-line string');
    return readString(s, false);
  }
  BARE.lastIndex = s.pos;
  const match = BARE.exec(s.text);
  if (match === null) s.fail(`expected a key, found ${s.describe()}`);
  s.pos += match[0].length;
  return match[0];
}
