// Decodes the engine's progress streams: JSON values separated by newlines, or (older engines)
// concatenated with nothing between them. Pure: bytes in, values out.
//
// Complete lines take a fast path: every whole line in a chunk is decoded in one TextDecoder call
// and handed to JSON.parse, which is what a hand-written split-and-parse loop does. Only a value
// that is not yet complete at the end of a chunk, or a line that is not one JSON value, is scanned
// byte by byte: braces, brackets, quotes and backslashes are ASCII and never occur inside a UTF-8
// multi-byte sequence, so the scan works on bytes and a character split across reads is only
// decoded once the whole value has arrived. Every byte is scanned at most once: linear time.
import { StreamError } from '../errors.js';

export interface JsonLinesOptions {
  /** Largest single value, in bytes (default 64 MiB). */
  maxLineSize?: number;
}

const LF = 10;
const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

function isSpace(b: number): boolean {
  return b === 32 || b === 10 || b === 13 || b === 9;
}

export class JsonLinesDecoder {
  readonly #maxLineSize: number;
  readonly #decoder = new TextDecoder('utf-8', { fatal: true });
  // the bytes of a value that is still open at the end of the last chunk
  #carry = new Uint8Array(0);
  #carryLength = 0;
  #depth = 0;
  #inString = false;
  #escaped = false;

  constructor(options: JsonLinesOptions = {}) {
    this.#maxLineSize = options.maxLineSize ?? 64 * 1024 * 1024;
  }

  /** Decodes a chunk; returns the values completed by it, in order. */
  push(chunk: Uint8Array): unknown[] {
    const out: unknown[] = [];
    let pos = 0;
    // 1. finish a value carried over from earlier chunks
    while (this.#depth > 0 && pos < chunk.length) pos = this.#scan(chunk, pos, out);
    // 2. all whole lines at once
    const last = chunk.lastIndexOf(LF);
    if (last >= pos) {
      const text = this.#decode(chunk.subarray(pos, last));
      let start = 0;
      while (start <= text.length) {
        let end = text.indexOf('\n', start);
        if (end === -1) end = text.length;
        if (end > start) this.#parseLine(text.slice(start, end), out);
        start = end + 1;
      }
      pos = last + 1;
    }
    // 3. the unfinished tail
    while (pos < chunk.length) pos = this.#scan(chunk, pos, out);
    return out;
  }

  /** The stream ended: anything left over is a truncated value. */
  end(): void {
    if (this.#depth > 0) throw new StreamError('progress stream ended inside a JSON value');
  }

  #parseLine(line: string, out: unknown[]): void {
    try {
      out.push(JSON.parse(line));
    } catch {
      // not one value: blank, or several values concatenated; scan it
      const bytes = new TextEncoder().encode(line);
      let pos = 0;
      while (pos < bytes.length) pos = this.#scan(bytes, pos, out);
      if (this.#depth > 0) throw new StreamError(`malformed JSON in progress stream: ${preview(line)}`);
    }
  }

  // Scans from `pos` until one value closes (it is parsed and pushed) or the chunk ends (the open
  // value's bytes are kept). Returns the new position.
  #scan(chunk: Uint8Array, pos: number, out: unknown[]): number {
    let i = pos;
    let start = pos;
    if (this.#depth === 0) {
      while (i < chunk.length && isSpace(chunk[i]!)) i++;
      if (i === chunk.length) return i;
      const b = chunk[i]!;
      if (b !== OPEN_BRACE && b !== OPEN_BRACKET) {
        throw new StreamError(`malformed JSON in progress stream: unexpected byte 0x${b.toString(16)}`);
      }
      start = i;
    }
    for (; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (b === BACKSLASH) this.#escaped = true;
        else if (b === QUOTE) this.#inString = false;
      } else if (b === QUOTE) {
        this.#inString = true;
      } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
        this.#depth++;
      } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        if (--this.#depth === 0) {
          this.#emit(chunk.subarray(start, i + 1), out);
          return i + 1;
        }
      }
    }
    this.#append(chunk.subarray(start));
    return i;
  }

  #append(bytes: Uint8Array): void {
    const need = this.#carryLength + bytes.length;
    if (need > this.#maxLineSize) {
      throw new StreamError(`a progress stream value exceeds ${this.#maxLineSize} bytes`);
    }
    if (need > this.#carry.length) {
      const grown = new Uint8Array(Math.min(Math.max(need, this.#carry.length * 2, 1024), this.#maxLineSize));
      grown.set(this.#carry.subarray(0, this.#carryLength));
      this.#carry = grown;
    }
    this.#carry.set(bytes, this.#carryLength);
    this.#carryLength = need;
  }

  #emit(tail: Uint8Array, out: unknown[]): void {
    let bytes = tail;
    if (this.#carryLength > 0) {
      this.#append(tail);
      bytes = this.#carry.subarray(0, this.#carryLength);
    }
    const text = this.#decode(bytes);
    this.#carryLength = 0;
    if (this.#carry.length > 1024 * 1024) this.#carry = new Uint8Array(0);
    try {
      out.push(JSON.parse(text));
    } catch {
      throw new StreamError(`malformed JSON in progress stream: ${preview(text)}`);
    }
  }

  #decode(bytes: Uint8Array): string {
    try {
      return this.#decoder.decode(bytes);
    } catch {
      throw new StreamError('progress stream is not valid UTF-8');
    }
  }
}

function preview(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
