// One .dockerignore pattern, compiled exactly as moby/patternmatcher compiles it: the same
// translation to a regular expression, and the same shortcuts (exact, prefix and suffix matches),
// which are not always equivalent to the expression (`**foo` matches `barfoo` by suffix).
import { InvalidArgument } from '../errors.js';

type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

// Characters special to a regular expression but not to filepath.Match (patternmatcher's shouldEscape).
const ESCAPED = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);
// `?` is one character (rune) other than '/': a surrogate pair counts as one.
const ONE_CHAR = '(?:[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]|[^/])';

export class Pattern {
  /** The cleaned pattern without its `!`. */
  readonly text: string;
  readonly exclusion: boolean;
  readonly #type: MatchType;
  readonly #regexp: RegExp | undefined;

  constructor(text: string, exclusion: boolean) {
    this.text = text;
    this.exclusion = exclusion;
    validateGlob(text);
    const { type, source } = compile(text);
    this.#type = type;
    if (type === 'regexp') {
      try {
        this.#regexp = new RegExp(source);
      } catch {
        throw new InvalidArgument(`invalid .dockerignore pattern ${JSON.stringify(text)}`);
      }
    }
  }

  matches(path: string): boolean {
    switch (this.#type) {
      case 'exact':
        return path === this.text;
      case 'prefix':
        return path.startsWith(this.text.slice(0, -2));
      case 'suffix': {
        const suffix = this.text.slice(2);
        if (path.endsWith(suffix)) return true;
        return suffix.startsWith('/') && path === suffix.slice(1);
      }
      case 'regexp':
        return this.#regexp!.test(path);
    }
  }
}

function compile(pattern: string): { type: MatchType; source: string } {
  let re = '^';
  let type: MatchType = 'exact';
  const chars = Array.from(pattern); // runes, as Go's text/scanner reads them
  for (let i = 0, token = 0; i < chars.length; i++, token++) {
    const ch = chars[i]!;
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        i++;
        if (chars[i + 1] === '/') i++; // treat **/ as **
        if (i + 1 >= chars.length) {
          // ** at the end matches everything below, as in .gitignore
          if (type === 'exact') type = 'prefix';
          else {
            re += '.*';
            type = 'regexp';
          }
        } else {
          re += '(.*/)?';
          type = 'regexp';
        }
        if (token === 0) type = 'suffix';
      } else {
        re += '[^/]*';
        type = 'regexp';
      }
    } else if (ch === '?') {
      re += ONE_CHAR;
      type = 'regexp';
    } else if (ESCAPED.has(ch)) {
      re += `\\${ch}`;
    } else if (ch === '\\') {
      const next = chars[i + 1];
      if (next !== undefined) {
        i++;
        re += escapeLiteral(next);
        type = 'regexp';
      } else {
        re += '\\\\';
      }
    } else if (ch === '[' || ch === ']') {
      re += ch;
      type = 'regexp';
    } else {
      // everything else passes through, as in patternmatcher (RE2 and JS agree on what is left)
      re += ch;
    }
  }
  return { type, source: `${re}$` };
}

// `\x` in RE2: a letter or digit keeps its class meaning (\d, \w, ...); anything else is literal.
function escapeLiteral(ch: string): string {
  if (/^[A-Za-z0-9]$/.test(ch) || /^[\^$\\.*+?()[\]{}|/-]$/.test(ch)) return `\\${ch}`;
  return ch;
}

/**
 * Go's filepath.Match syntax check, which patternmatcher runs on every pattern: an unfinished
 * escape or character class, or a class range with a missing end, is a bad pattern.
 */
function validateGlob(pattern: string): void {
  const bad = (): never => {
    throw new InvalidArgument(`invalid .dockerignore pattern ${JSON.stringify(pattern)}: syntax error in pattern`);
  };
  let i = 0;
  const n = pattern.length;
  const getEsc = (): void => {
    if (i >= n || pattern[i] === '-' || pattern[i] === ']') bad();
    if (pattern[i] === '\\') {
      i++;
      if (i >= n) bad();
    }
    i++;
  };
  while (i < n) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      i += 2;
      if (i > n) bad();
    } else if (ch === '[') {
      i++;
      if (pattern[i] === '^') i++;
      let ranges = 0;
      for (;;) {
        if (i < n && pattern[i] === ']' && ranges > 0) {
          i++;
          break;
        }
        getEsc();
        if (pattern[i] === '-') {
          i++;
          getEsc();
        }
        ranges++;
      }
    } else {
      i++;
    }
  }
}
