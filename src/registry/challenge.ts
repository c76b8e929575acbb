// WWW-Authenticate (RFC 7235 §4.1): one or more challenges, each a scheme with either a token68
// or a comma-separated list of auth-params whose values are tokens or quoted strings (which may
// hold commas and escaped quotes). Pure: a string in, challenges out.
import { ProtocolError } from '../errors.js';

/** Challenge: one challenge: its scheme (lower case), its parameters (names lower case), or its token68. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
  token68?: string;
}

// RFC 9110 §5.6.2 tchar, and §11.2 token68
const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*/y;
const SPACE = /[ \t]*/y;

/** parseChallenges: the challenges of a WWW-Authenticate value (several fields joined with ", " are one value); malformed input is ProtocolError. */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let i = 0;
  const at = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    const m = re.exec(header);
    if (!m || m[0] === '') return undefined;
    i = re.lastIndex;
    return m[0];
  };
  const skipSpace = (): void => void at(SPACE);
  const bad = (why: string): never => {
    throw new ProtocolError(`malformed WWW-Authenticate challenge (${why} at ${i})`);
  };
  for (;;) {
    // empty list elements are allowed (RFC 9110 §5.6.1)
    while (i < header.length && (header[i] === ',' || header[i] === ' ' || header[i] === '\t')) i++;
    if (i >= header.length) break;
    const scheme = at(TOKEN) ?? bad('no scheme');
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);
    skipSpace();
    // a token68 stands alone: the challenge ends after it
    const start = i;
    const t68 = at(TOKEN68);
    if (t68 !== undefined) {
      skipSpace();
      if ((i >= header.length || header[i] === ',') && !/^[^=]+=[^=]/.test(t68)) {
        challenge.token68 = t68;
        continue;
      }
      i = start;
    }
    for (;;) {
      const before = i;
      const name = at(TOKEN);
      if (name === undefined) break;
      skipSpace();
      if (header[i] !== '=') {
        i = before; // the next challenge's scheme
        break;
      }
      i++;
      skipSpace();
      let value: string;
      if (header[i] === '"') {
        value = '';
        for (i++; ; i++) {
          if (i >= header.length) bad('unterminated quoted string');
          const c = header[i]!;
          if (c === '"') break;
          if (c === '\\') {
            i++;
            if (i >= header.length) bad('unterminated quoted string');
            value += header[i];
          } else value += c;
        }
        i++;
      } else value = at(TOKEN) ?? bad('no parameter value');
      const key = name.toLowerCase();
      // RFC 7235 §2.1: each parameter name occurs once per challenge
      if (Object.hasOwn(challenge.params, key)) bad(`parameter ${JSON.stringify(key)} given twice`);
      challenge.params[key] = value;
      skipSpace();
      if (i >= header.length) break;
      if (header[i] !== ',') bad('expected a comma');
      while (i < header.length && (header[i] === ',' || header[i] === ' ' || header[i] === '\t')) i++;
    }
  }
  return challenges;
}
