// A list of .dockerignore patterns, matched as moby/patternmatcher's MatchesUsingParentResults
// does: last match wins, `!` patterns re-include, and a directory's per-pattern results are
// carried down to its children so each path is matched once, not once per ancestor.
import { InvalidArgument } from '../errors.js';
import { cleanPath } from './clean.js';
import { Pattern } from './pattern.js';

/** Per-pattern results for a directory, handed to its children. */
export type MatchInfo = readonly boolean[];

export class PatternMatcher {
  readonly patterns: readonly Pattern[];
  /** Whether any pattern is an exception (`!`). */
  readonly exclusions: boolean;

  constructor(patterns: readonly string[]) {
    const compiled: Pattern[] = [];
    for (const raw of patterns) {
      let p = raw.trim();
      if (p === '') continue;
      p = cleanPath(p);
      let exclusion = false;
      if (p.startsWith('!')) {
        if (p.length === 1) throw new InvalidArgument('illegal exclusion pattern: "!"');
        exclusion = true;
        p = p.slice(1);
      }
      compiled.push(new Pattern(p, exclusion));
    }
    this.patterns = compiled;
    this.exclusions = compiled.some((p) => p.exclusion);
  }

  /**
   * Whether `path` (slash-separated, relative to the context) is excluded. Pass the parent
   * directory's MatchInfo when walking; without it, every ancestor directory is tried.
   */
  match(path: string, parent?: MatchInfo): { excluded: boolean; info: MatchInfo } {
    let excluded = false;
    const info: boolean[] = new Array<boolean>(this.patterns.length).fill(false);
    for (let i = 0; i < this.patterns.length; i++) {
      const pattern = this.patterns[i]!;
      let match = parent !== undefined && parent.length > 0 ? parent[i]! : false;
      if (!match) {
        // an inclusion cannot change an excluded path, nor an exception an included one
        if (pattern.exclusion !== excluded) continue;
        match = pattern.matches(path);
        if (!match && (parent === undefined || parent.length === 0)) {
          const slash = path.lastIndexOf('/');
          if (slash > 0) {
            const dirs = path.slice(0, slash).split('/');
            for (let j = 1; j <= dirs.length && !match; j++) match = pattern.matches(dirs.slice(0, j).join('/'));
          }
        }
      }
      info[i] = match;
      if (match) excluded = !pattern.exclusion;
    }
    return { excluded, info };
  }

  /** Whether `path` is excluded, with every ancestor tried (no walk state). */
  excludes(path: string): boolean {
    const p = cleanPath(path);
    if (p === '.') return false;
    return this.match(p).excluded;
  }

  /**
   * Whether an excluded directory must still be walked because an exception pattern could
   * re-include something below it (pkg/archive's test: the exception starts with `dir/`).
   */
  mayReinclude(dir: string): boolean {
    if (!this.exclusions) return false;
    const prefix = `${dir}/`;
    return this.patterns.some((p) => p.exclusion && `${p.text}/`.startsWith(prefix));
  }
}
