// The CLI's argument parser: docker's spellings of flags, repeatable values, positionals, and
// usage errors for what it cannot read.
import { describe, expect, it } from 'vitest';
import { UsageError, all, has, one, pairs, parseArgs, type FlagSpec } from '../../../src/cli/args.js';

const specs: Record<string, FlagSpec> = {
  tag: { names: ['-t', '--tag'], value: true, repeat: true },
  file: { names: ['-f', '--file'], value: true },
  noCache: { names: ['--no-cache'] },
};

describe('parseArgs', () => {
  it('reads short and long flags, --name=value, repeats and positionals in any order', () => {
    const parsed = parseArgs(['-t', 'a:1', 'ctx', '--tag=a:2', '--no-cache', '--file', 'D'], specs);
    expect(all(parsed, 'tag')).toEqual(['a:1', 'a:2']);
    expect(one(parsed, 'file')).toBe('D');
    expect(has(parsed, 'noCache')).toBe(true);
    expect(parsed.positionals).toEqual(['ctx']);
  });

  it('takes everything after -- and a lone - as positionals', () => {
    expect(parseArgs(['-', '--', '-t', 'x'], specs).positionals).toEqual(['-', '-t', 'x']);
  });

  it('answers absent flags with nothing', () => {
    const parsed = parseArgs([], specs);
    expect(one(parsed, 'file')).toBeUndefined();
    expect(all(parsed, 'tag')).toEqual([]);
    expect(has(parsed, 'noCache')).toBe(false);
  });

  it.each([
    [['--nope'], /unknown flag: --nope/],
    [['-t'], /flag -t needs a value/],
    [['-f', 'a', '--file=b'], /flag --file given twice/],
  ])('%j is a UsageError', (argv, message) => {
    expect(() => parseArgs(argv, specs)).toThrow(UsageError);
    expect(() => parseArgs(argv, specs)).toThrow(message);
  });
});

describe('pairs', () => {
  it('splits KEY=VALUE at the first =', () => {
    expect(pairs(['A=1', 'B=x=y', 'C='], '--build-arg')).toEqual({ A: '1', B: 'x=y', C: '' });
  });

  it('refuses a value without a key', () => {
    expect(() => pairs(['=1'], '--label')).toThrow(/--label must be KEY=VALUE, got "=1"/);
    expect(() => pairs(['novalue'], '--label')).toThrow(UsageError);
  });
});
