// fast-check arbitraries shared by property tests.
import fc from 'fast-check';

/** One path segment of plain characters (not `.` or `..`). */
export const segment = fc.stringMatching(/^[a-zA-Z0-9._ -]{1,40}$/).filter((s) => s !== '.' && s !== '..');
const unicodeSegment = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
  .filter((s) => !/[/\0-\x1f\x7f]/.test(s) && s !== '.' && s !== '..');
/** A relative archive path of 1 to 8 segments, ASCII or any Unicode graphemes. */
export const tarName = fc
  .array(fc.oneof(segment, unicodeSegment), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.join('/'));
