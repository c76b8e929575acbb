// The cursor every part of the TOML reader moves over the document, and the one place that turns a
// position into a ConfigError with a line and a column. TOML's whitespace is space and tab only
// (toml.io/en/v1.0.0#spec); a newline is LF or CRLF, and a lone CR is refused.
import { ConfigError } from '../errors.js';

// (sticky expressions: a document is read once, often while the program starts, when a loop over
// its characters has not been compiled yet and a regular expression has)
/** Spaces and tabs. */
const SPACES = /[ \t]*/y;
/** What a comment may hold: anything but a control character other than tab. */
const COMMENT = /[^\x00-\x08\x0a-\x1f\x7f]*/y;

/** Scanner: a document (already decoded) and a position in it. */
export class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  /** Throws ConfigError for `reason` at `at` (by default here), with its line and column. */
  fail(reason: string, at = this.pos): never {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 0x0a) [line, lineStart] = [line + 1, i + 1];
    }
    throw new ConfigError(reason, { line, column: at - lineStart + 1 });
  }

  /** The character `offset` places ahead ('' past the end). */
  peek(offset = 0): string {
    return this.text.charAt(this.pos + offset);
  }

  /** True (and moves past it) when the text here is `word`. */
  eat(word: string): boolean {
    if (!this.text.startsWith(word, this.pos)) return false;
    this.pos += word.length;
    return true;
  }

  /** Moves past `word`, or fails saying what was expected. */
  expect(word: string, what = JSON.stringify(word)): void {
    if (!this.eat(word)) this.fail(`expected ${what}, found ${this.describe()}`);
  }

  /** What is here, for a message: a quoted character, "a newline" or "the end". */
  describe(): string {
    const c = this.peek();
    if (c === '') return 'the end of the document';
    if (c === '\n' || c === '\r') return 'a newline';
    return JSON.stringify(c);
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** Moves past spaces and tabs. */
  skipSpaces(): void {
    SPACES.lastIndex = this.pos;
    SPACES.test(this.text);
    this.pos = SPACES.lastIndex;
  }

  /** Moves past one newline (LF or CRLF) if there is one here; a lone CR fails. */
  eatNewline(): boolean {
    if (this.eat('\n') || this.eat('\r\n')) return true;
    if (this.peek() === '\r') this.fail('a carriage return must be followed by a line feed');
    return false;
  }

  /** Moves past a comment if one starts here: `#` to the end of the line, no control characters. */
  skipComment(): void {
    if (this.peek() !== '#') return;
    COMMENT.lastIndex = this.pos + 1;
    COMMENT.test(this.text);
    this.pos = COMMENT.lastIndex;
    const c = this.peek();
    if (c === '' || c === '\n' || (c === '\r' && this.peek(1) === '\n')) return;
    this.fail(`control character U+${hex(c)} in a comment`);
  }

  /** What may follow a value or a header: spaces, a comment, then a newline or the end. */
  endLine(): void {
    this.skipSpaces();
    this.skipComment();
    if (!this.atEnd() && !this.eatNewline()) this.fail(`expected the end of the line, found ${this.describe()}`);
  }

  /** Inside an array: whitespace, newlines and comments, as many as there are. */
  skipBlank(): void {
    for (;;) {
      this.skipSpaces();
      this.skipComment();
      if (!this.eatNewline()) return;
    }
  }
}

/** True for a control character TOML refuses in comments and strings (all but tab). */
export function isControl(c: string): boolean {
  const code = c.charCodeAt(0);
  return (code < 0x20 && code !== 0x09) || code === 0x7f;
}

/** The character's code point in hex, for messages. */
export function hex(c: string): string {
  return (c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}
