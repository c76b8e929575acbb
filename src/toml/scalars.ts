// TOML's scalar values other than strings (toml.io/en/v1.0.0): booleans, integers (decimal with
// underscores between digits and no leading zero; 0x, 0o, 0b without sign; 64-bit), floats
// (fraction and/or exponent, inf, nan) and the four date-times, checked against the calendar.
import type { Scanner } from './scanner.js';

/** TomlDateTime: one of TOML's four date-times, its text normalised to RFC 3339 (`T`, `Z`). */
export class TomlDateTime {
  constructor(
    /** Which of the four: with an offset, local date-time, local date, local time. */
    readonly type: 'datetime' | 'datetime-local' | 'date-local' | 'time-local',
    /** The text, with `T` between date and time and an upper-case `Z`. */
    readonly value: string,
  ) {}
  toString(): string {
    return this.value;
  }
}

const DATE_TIME = /(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?)?/y;
const TIME = /(\d{2}):(\d{2}):(\d{2})(\.\d+)?/y;
const TOKEN = /[0-9A-Za-z_+.-]+/y;
const INT_MAX = 2n ** 63n - 1n;

/** Reads the boolean, number or date-time here, or fails. */
export function readScalar(s: Scanner): boolean | bigint | number | TomlDateTime {
  if (s.eat('true')) return true;
  if (s.eat('false')) return false;
  return readDateTime(s) ?? readNumber(s);
}

function readDateTime(s: Scanner): TomlDateTime | undefined {
  const at = s.pos;
  DATE_TIME.lastIndex = at;
  const full = DATE_TIME.exec(s.text);
  if (full !== null) {
    const [text, year, month, day, hour, minute, second, fraction = '', offset] = full;
    checkDate(s, at, Number(year), Number(month), Number(day), `${year}-${month}-${day}`);
    s.pos += text.length;
    if (hour === undefined) return new TomlDateTime('date-local', text);
    checkTime(s, at, Number(hour), Number(minute), Number(second), `${hour}:${minute}:${second}`);
    const value = `${year}-${month}-${day}T${hour}:${minute}:${second}${fraction}`;
    if (offset === undefined) return new TomlDateTime('datetime-local', value);
    if (offset.length > 1 && (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(4)) > 59))
      s.fail(`invalid offset ${offset}`, at);
    return new TomlDateTime('datetime', value + offset.toUpperCase());
  }
  TIME.lastIndex = at;
  const time = TIME.exec(s.text);
  if (time === null) return undefined;
  checkTime(s, at, Number(time[1]), Number(time[2]), Number(time[3]), time[0]);
  s.pos += time[0].length;
  return new TomlDateTime('time-local', time[0]);
}

function checkDate(s: Scanner, at: number, year: number, month: number, day: number, text: string): void {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (days === undefined || day < 1 || day > days) s.fail(`invalid date ${text}`, at);
}

function checkTime(s: Scanner, at: number, hour: number, minute: number, second: number, text: string): void {
  // (RFC 3339 allows a leap second, 60)
  if (hour > 23 || minute > 59 || second > 60) s.fail(`invalid time ${text}`, at);
}

function readNumber(s: Scanner): bigint | number {
  const at = s.pos;
  TOKEN.lastIndex = at;
  const token = TOKEN.exec(s.text)?.[0];
  if (token === undefined) s.fail(`expected a value, found ${s.describe()}`);
  s.pos += token.length;
  const special = /^([+-]?)(inf|nan)$/.exec(token);
  if (special !== null) return special[2] === 'nan' ? Number.NaN : special[1] === '-' ? -Infinity : Infinity;
  const radix = /^0([xob])(.*)$/.exec(token);
  if (radix !== null) {
    const digits = { x: '[0-9A-Fa-f]', o: '[0-7]', b: '[01]' }[radix[1] as 'x' | 'o' | 'b'];
    if (!new RegExp(`^${digits}(_?${digits})*$`).test(radix[2] ?? '')) s.fail(`invalid integer ${token}`, at);
    return inRange(s, at, BigInt(`0${radix[1]}${(radix[2] ?? '').replaceAll('_', '')}`), token);
  }
  if (/^[+-]?(0|[1-9](_?\d)*)$/.test(token)) return inRange(s, at, BigInt(token.replaceAll('_', '')), token);
  if (/^[+-]?(0|[1-9](_?\d)*)(\.\d(_?\d)*)?([eE][+-]?\d(_?\d)*)?$/.test(token))
    return Number(token.replaceAll('_', ''));
  return s.fail(`invalid value ${token}`, at);
}

function inRange(s: Scanner, at: number, value: bigint, token: string): bigint {
  if (value > INT_MAX || value < -INT_MAX - 1n) s.fail(`integer ${token} does not fit in 64 bits`, at);
  return value;
}
