// Reads a .dockerignore as moby/patternmatcher's ignorefile.ReadAll does: a UTF-8 BOM dropped,
// lines starting with '#' skipped (before trimming), blank lines skipped, '!' kept in front, the
// rest cleaned like a path and made relative (a leading '/' dropped).
import { cleanPath } from './clean.js';

export function parseIgnoreFile(text: string): string[] {
  const patterns: string[] = [];
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  for (const rawLine of body.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.startsWith('#')) continue;
    let pattern = line.trim();
    if (pattern === '') continue;
    const invert = pattern.startsWith('!');
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern.length > 0) {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    patterns.push(invert ? `!${pattern}` : pattern);
  }
  return patterns;
}
