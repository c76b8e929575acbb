// Every TOML 1.0 case of toml-test (test/fixtures/toml-test, listed by its files-toml-1.0.0):
// each valid document gives the value its .json says (toml-test's tagged encoding, compared as
// toml-test's runner compares: floats by value, date-times as instants), and each invalid one is
// refused with a ConfigError that has a line and a column inside the document.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { parseToml, TomlDateTime, type TomlValue } from '../../../src/toml/parse.js';

const root = join(import.meta.dirname, '../../fixtures/toml-test');
const files = readFileSync(join(root, 'files-toml-1.0.0'), 'utf8')
  .split('\n')
  .filter((line) => line.endsWith('.toml'));
const valid = files.filter((file) => file.startsWith('valid/'));
const invalid = files.filter((file) => file.startsWith('invalid/'));

/** A scalar as one comparable string: its type, then its value in one spelling. */
function scalar(type: string, value: string): string {
  if (type === 'float') {
    if (value.endsWith('nan')) return 'float:nan';
    if (value.endsWith('inf')) return `float:${value.startsWith('-') ? '-' : ''}inf`;
    return `float:${Number(value) === 0 ? 0 : Number(value)}`;
  }
  if (type === 'integer') return `integer:${BigInt(value)}`;
  if (type.startsWith('datetime') || type.endsWith('-local')) {
    const text = value.toUpperCase().replace(' ', 'T');
    const fraction = /\.(\d+)/.exec(text)?.[1]?.replace(/0+$/, '') ?? '';
    const rest = text.replace(/\.\d+/, '');
    return `${type}:${type === 'datetime' ? new Date(rest).toISOString() : rest}.${fraction}`;
  }
  return `${type}:${value}`;
}

/** The expected JSON with each tagged value made one string. */
function expected(json: unknown): unknown {
  if (Array.isArray(json)) return json.map(expected);
  const object = json as Record<string, unknown>;
  if (Object.keys(object).length === 2 && typeof object.type === 'string' && typeof object.value === 'string')
    return scalar(object.type, object.value);
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, expected(value)]));
}

/** What parseToml gave, in the same form. */
function actual(value: TomlValue): unknown {
  if (typeof value === 'string') return scalar('string', value);
  if (typeof value === 'bigint') return scalar('integer', String(value));
  if (typeof value === 'number')
    return scalar(
      'float',
      Number.isNaN(value) ? 'nan' : value === Infinity ? 'inf' : value === -Infinity ? '-inf' : String(value),
    );
  if (typeof value === 'boolean') return scalar('bool', String(value));
  if (value instanceof TomlDateTime) return scalar(value.type, value.value);
  if (Array.isArray(value)) return value.map(actual);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, actual(item)]));
}

describe('toml-test, TOML 1.0', () => {
  it('has the cases files-toml-1.0.0 lists', () => {
    expect(valid.length).toBe(210);
    expect(invalid.length).toBe(499);
  });

  it.each(valid)('reads %s', (file) => {
    const want = expected(JSON.parse(readFileSync(join(root, file.replace(/\.toml$/, '.json')), 'utf8')));
    expect(actual(parseToml(readFileSync(join(root, file))))).toEqual(want);
  });

  it.each(invalid)('refuses %s, with a line and a column', (file) => {
    const bytes = readFileSync(join(root, file));
    let error: unknown;
    try {
      parseToml(bytes);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { line, column } = error as ConfigError;
    if (line === undefined) return; // (a document that is not UTF-8 has no lines to point at)
    const lines = bytes.toString('utf8').split('\n');
    expect(line).toBeGreaterThanOrEqual(1);
    expect(line).toBeLessThanOrEqual(lines.length);
    expect(column).toBeGreaterThanOrEqual(1);
    expect(column).toBeLessThanOrEqual((lines[line - 1]?.length ?? 0) + 1);
  });
});
