// Incremental HTTP/1.1 response parser (RFC 9112). Pure: feed it bytes as they arrive, in any
// split; it calls back with the head, body slices (views into the input, never copies), and the
// end of the message. It walks each input chunk once with an offset cursor; only a head line
// split across reads is copied, and the head as a whole is bounded by `maxHeaderSize`.
import { copyBytes } from '../bytes.js';
import { ProtocolError } from '../errors.js';
import { isToken } from './token.js';

export interface ResponseHead {
  statusCode: number;
  statusMessage: string;
  httpVersion: '1.0' | '1.1';
  /** Lower-cased names; repeated fields joined with ", " (RFC 9110 §5.3). */
  headers: Record<string, string>;
  /** Whether the connection may carry another request after this response. */
  keepAlive: boolean;
}

export interface ResponseHandlers {
  onHead(head: ResponseHead): void;
  onBody(chunk: Uint8Array): void;
  onEnd(trailers: Record<string, string>): void;
}

/** ParserLimits: bounds on what the response parser accepts. */
export interface ParserLimits {
  /** Bytes in the status line plus header section (and, separately, in the trailer section). */
  maxHeaderSize?: number;
  /** Bytes in one chunk-size line, extensions included. */
  maxChunkLineSize?: number;
}

type State =
  | 'status'
  | 'headers'
  | 'body-length'
  | 'body-close'
  | 'chunk-size'
  | 'chunk-data'
  | 'chunk-data-end'
  | 'chunk-data-lf'
  | 'trailers'
  | 'done';

const LF = 10;
const CR = 13;
const STATUS_LINE = /^HTTP\/1\.([01]) ([0-9]{3})(?: ([^\r\n]*))?$/;
const HEX = /^[0-9A-Fa-f]{1,15}$/;
const DIGITS = /^[0-9]{1,15}$/;
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
/** The trailers of a response that had none (shared: nobody writes to it). */
const NO_TRAILERS: Record<string, string> = Object.freeze(Object.create(null) as Record<string, string>);

export class ResponseParser {
  readonly #handlers: ResponseHandlers;
  readonly #maxHeaderSize: number;
  readonly #maxChunkLineSize: number;
  #state: State = 'done';
  #noBody = false;
  #upgrade = false;
  #headSize = 0;
  #partialLine: Uint8Array[] = [];
  #partialLength = 0;
  #lines: string[] = [];
  #head: Omit<ResponseHead, 'headers' | 'keepAlive'> | undefined;
  #remaining = 0;

  constructor(handlers: ResponseHandlers, limits: ParserLimits = {}) {
    this.#handlers = handlers;
    this.#maxHeaderSize = limits.maxHeaderSize ?? 64 * 1024;
    this.#maxChunkLineSize = limits.maxChunkLineSize ?? 4096;
  }

  /**
   * Prepares for the response to a request; `method` decides whether a body may follow. With
   * `upgrade`, a 101 Switching Protocols ends the message at its head: `execute` then returns where
   * the other protocol's bytes start.
   */
  expect(method: string, options: { upgrade?: boolean } = {}): void {
    this.#noBody = method === 'HEAD';
    this.#upgrade = options.upgrade === true;
    this.#state = 'status';
    this.#resetHead();
  }

  get done(): boolean {
    return this.#state === 'done';
  }

  /** True when the message so far can end at connection close without being truncated. */
  get endsAtClose(): boolean {
    return this.#state === 'body-close';
  }

  /**
   * Parses `data`. Returns how many bytes belong to this response: once the message has ended,
   * anything after it is not consumed (it is unsolicited, and the caller must not reuse the
   * connection).
   */
  execute(data: Uint8Array): number {
    let pos = 0;
    const len = data.length;
    while (pos < len) {
      if (this.#state === 'status' && this.#partialLength === 0 && this.#headSize === 0) {
        const next = this.#wholeHead(data, pos);
        if (next !== -1) {
          pos = next;
          continue;
        }
      }
      switch (this.#state) {
        case 'done':
          return pos;
        case 'status':
        case 'headers':
        case 'trailers': {
          const line = this.#readLine(data, pos, this.#maxHeaderSize, 'header section');
          if (line === undefined) return len;
          pos = line.next;
          this.#headLine(line.text);
          break;
        }
        case 'chunk-size': {
          const line = this.#readLine(data, pos, this.#maxChunkLineSize, 'chunk size line');
          if (line === undefined) return len;
          pos = line.next;
          this.#chunkSizeLine(line.text);
          break;
        }
        case 'body-length':
        case 'chunk-data': {
          const take = Math.min(this.#remaining, len - pos);
          const slice = data.subarray(pos, pos + take);
          pos += take;
          this.#remaining -= take;
          this.#handlers.onBody(slice);
          if (this.#remaining === 0) {
            if (this.#state === 'body-length') this.#endMessage(NO_TRAILERS);
            else this.#state = 'chunk-data-end';
          }
          break;
        }
        case 'chunk-data-end':
        case 'chunk-data-lf': {
          // RFC 9112 §7.1: chunk-data is followed by CRLF, exactly: a bare LF here would let data
          // that ends in CR read as a shorter chunk and its terminator, so it is refused
          const want = this.#state === 'chunk-data-end' ? CR : LF;
          if (data[pos] !== want)
            throw new ProtocolError('chunk data is longer than its declared size, or not followed by CRLF');
          pos++;
          this.#state = want === CR ? 'chunk-data-lf' : 'chunk-size';
          break;
        }
        case 'body-close':
          this.#handlers.onBody(pos === 0 ? data : data.subarray(pos));
          return len;
      }
    }
    return pos;
  }

  /** The connection closed: ends a close-delimited body; anything else mid-message is an error. */
  connectionClosed(): void {
    if (this.#state === 'body-close') {
      this.#endMessage({});
      return;
    }
    if (this.#state === 'done') return;
    if (this.#state === 'status' && this.#partialLength === 0) {
      throw new ProtocolError('connection closed before a response arrived');
    }
    const where =
      this.#state === 'body-length'
        ? `with ${this.#remaining} bytes of the declared Content-Length missing`
        : this.#state.startsWith('chunk') || this.#state === 'trailers'
          ? 'inside a chunked body'
          : 'inside the response head';
    throw new ProtocolError(`connection closed ${where}`);
  }

  #resetHead(): void {
    this.#headSize = 0;
    this.#partialLine.length = 0;
    this.#partialLength = 0;
    this.#lines.length = 0;
    this.#head = undefined;
  }

  // The common case: a whole head in one chunk. It is decoded once and its lines go through
  // #headLine as the line-by-line path's would; returns where the head ends, or -1 when this
  // chunk does not hold all of it (or it is over the limit: the line-by-line path then says so).
  #wholeHead(data: Uint8Array, pos: number): number {
    const limit = Math.min(data.length, pos + this.#maxHeaderSize);
    let lf = data.indexOf(LF, pos);
    let end = -1;
    while (lf !== -1 && lf < limit) {
      const a = data[lf + 1];
      if (a === LF) {
        end = lf + 2;
        break;
      }
      if (a === CR && data[lf + 2] === LF) {
        end = lf + 3;
        break;
      }
      lf = data.indexOf(LF, lf + 1);
    }
    if (end === -1 || end - pos > this.#maxHeaderSize) return -1;
    const head = latin1(data.subarray(pos, end));
    this.#headSize = end - pos;
    // line by line (the last is the blank one: it completes the head), each cut out once
    for (let start = 0, lf = head.indexOf('\n'); lf !== -1; start = lf + 1, lf = head.indexOf('\n', start)) {
      const line = head.slice(start, head.charCodeAt(lf - 1) === CR && lf > start ? lf - 1 : lf);
      if (line.includes('\r')) throw new ProtocolError('bare CR in header section');
      this.#headLine(line);
    }
    return end;
  }

  // Reads one line ending in LF (CR LF, or a bare LF: RFC 9112 §2.2 lets a recipient accept it).
  // A bare CR anywhere else in the line is refused by the callers' grammars.
  #readLine(data: Uint8Array, pos: number, limit: number, what: string): { text: string; next: number } | undefined {
    const lf = data.indexOf(LF, pos);
    const end = lf === -1 ? data.length : lf;
    const size = this.#partialLength + (end - pos);
    if (this.#state === 'status' || this.#state === 'headers' || this.#state === 'trailers') {
      this.#headSize += end - pos + (lf === -1 ? 0 : 1);
      if (this.#headSize > limit) throw new ProtocolError(`${what} exceeds ${limit} bytes`);
    } else if (size > limit) {
      throw new ProtocolError(`${what} exceeds ${limit} bytes`);
    }
    if (lf === -1) {
      // copied: the memory of `data` may be read into again after this call
      this.#partialLine.push(copyBytes(data.subarray(pos)));
      this.#partialLength += data.length - pos;
      return undefined;
    }
    let bytes: Uint8Array;
    if (this.#partialLength === 0) {
      bytes = data.subarray(pos, lf);
    } else {
      bytes = new Uint8Array(size);
      let at = 0;
      for (const part of this.#partialLine) {
        bytes.set(part, at);
        at += part.length;
      }
      bytes.set(data.subarray(pos, lf), at);
      this.#partialLine.length = 0;
      this.#partialLength = 0;
    }
    let n = bytes.length;
    if (n > 0 && bytes[n - 1] === CR) n--;
    if (bytes.subarray(0, n).includes(CR)) throw new ProtocolError(`bare CR in ${what}`);
    return { text: latin1(bytes.subarray(0, n)), next: lf + 1 };
  }

  #headLine(text: string): void {
    if (this.#state === 'status') {
      const m = STATUS_LINE.exec(text);
      if (!m) throw new ProtocolError(`malformed status line ${JSON.stringify(text.slice(0, 64))}`);
      this.#head = {
        httpVersion: m[1] === '0' ? '1.0' : '1.1',
        statusCode: Number(m[2]),
        statusMessage: m[3] ?? '',
      };
      this.#state = 'headers';
      return;
    }
    if (text !== '') {
      if (text.charCodeAt(0) === 32 || text.charCodeAt(0) === 9) {
        // obs-fold (RFC 9112 §5.2): a user agent replaces it with SP.
        const last = this.#lines.length - 1;
        if (last < 0) throw new ProtocolError('header section starts with whitespace');
        this.#lines[last] += ' ' + text.trim();
      } else {
        this.#lines.push(text);
      }
      return;
    }
    const fields = parseFields(this.#lines);
    this.#lines.length = 0;
    if (this.#state === 'trailers') {
      this.#endMessage(fields);
      return;
    }
    this.#onHeadComplete(fields);
  }

  #onHeadComplete(headers: Record<string, string>): void {
    const head = this.#head!;
    const status = head.statusCode;
    if (status >= 100 && status < 200) {
      // 1xx interim responses carry no body; the final response follows (RFC 9110 §15.2).
      if (status === 101) {
        if (!this.#upgrade) throw new ProtocolError('unexpected protocol switch (101)');
        this.#handlers.onHead({
          httpVersion: head.httpVersion,
          statusCode: status,
          statusMessage: head.statusMessage,
          headers,
          keepAlive: false,
        });
        this.#endMessage(NO_TRAILERS);
        return;
      }
      this.#state = 'status';
      this.#resetHead();
      return;
    }
    const connectionField = headers['connection'];
    let keepAlive = head.httpVersion === '1.1';
    if (connectionField !== undefined) {
      const connection = connectionField.toLowerCase().split(/\s*,\s*/);
      keepAlive = keepAlive ? !connection.includes('close') : connection.includes('keep-alive');
    }
    const te = headers['transfer-encoding'];
    const cl = headers['content-length'];
    let state: State;
    if (this.#noBody || status === 204 || status === 304) {
      state = 'done';
    } else if (te !== undefined) {
      // RFC 9112 §6.1: a sender must not send both; a recipient may treat it as an error.
      if (cl !== undefined) throw new ProtocolError('response has both Content-Length and Transfer-Encoding');
      const codings = te === 'chunked' ? ['chunked'] : te.toLowerCase().split(/\s*,\s*/);
      // Only chunked is implemented: a body in any other coding (gzip, compress, deflate, or one
      // we have never heard of) would be handed on still encoded, as if it were not; refused.
      const other = codings.find((c) => c !== 'chunked');
      if (other !== undefined)
        throw new ProtocolError(`unsupported transfer coding ${JSON.stringify(other.slice(0, 64))} (only chunked is)`);
      if (codings.length > 1) throw new ProtocolError('chunked applied more than once');
      state = 'chunk-size';
    } else if (cl !== undefined) {
      let first = cl;
      if (!DIGITS.test(cl)) {
        const values = cl.split(/\s*,\s*/);
        first = values[0]!;
        if (!values.every((v) => v === first) || !DIGITS.test(first)) {
          throw new ProtocolError(`invalid Content-Length ${JSON.stringify(cl.slice(0, 64))}`);
        }
      }
      this.#remaining = Number(first);
      state = this.#remaining === 0 ? 'done' : 'body-length';
    } else {
      state = 'body-close';
      keepAlive = false;
    }
    this.#handlers.onHead({
      httpVersion: head.httpVersion,
      statusCode: status,
      statusMessage: head.statusMessage,
      headers,
      keepAlive,
    });
    if (state === 'done') this.#endMessage(NO_TRAILERS);
    else this.#state = state;
  }

  #chunkSizeLine(text: string): void {
    const semi = text.indexOf(';');
    // chunk = chunk-size [ chunk-ext ] CRLF; chunk-ext starts with BWS ";" (RFC 9112 §7.1.1): the
    // size takes no whitespace but what comes before an extension's ";"
    const sizeText = semi === -1 ? text : text.slice(0, semi).replace(/[ \t]+$/, '');
    if (!HEX.test(sizeText)) throw new ProtocolError(`invalid chunk size ${JSON.stringify(sizeText.slice(0, 32))}`);
    if (semi !== -1) validateChunkExtensions(text.slice(semi));
    const size = parseInt(sizeText, 16);
    if (size === 0) {
      this.#state = 'trailers';
      this.#headSize = 0;
      return;
    }
    this.#remaining = size;
    this.#state = 'chunk-data';
  }

  #endMessage(trailers: Record<string, string>): void {
    this.#state = 'done';
    this.#resetHead();
    this.#handlers.onEnd(trailers);
  }
}

function parseFields(lines: string[]): Record<string, string> {
  const fields: Record<string, string> = Object.create(null);
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ProtocolError(`malformed header line ${JSON.stringify(line.slice(0, 64))}`);
    const name = line.slice(0, colon);
    if (!isToken(name)) throw new ProtocolError(`invalid header name ${JSON.stringify(name.slice(0, 64))}`);
    const key = name.toLowerCase();
    // the value without the whitespace around it, cut out once
    let from = colon + 1;
    let to = line.length;
    while (from < to && isWhitespace(line.charCodeAt(from))) from++;
    while (to > from && isWhitespace(line.charCodeAt(to - 1))) to--;
    const value = line.slice(from, to);
    // RFC 9110 §5.5: a field value holds no control character but HTAB (NUL, CR and LF least of all)
    if (CONTROL.test(value)) throw new ProtocolError(`a control character in header ${name}`);
    const prior = fields[key];
    fields[key] = prior === undefined ? value : `${prior}, ${value}`;
  }
  return fields;
}

// chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ), ext-val = token / quoted-string
const CHUNK_EXT =
  /^(?:[ \t]*;[ \t]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[ \t]*=[ \t]*(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+|"(?:[^"\\]|\\.)*"))?)*[ \t]*$/;

function validateChunkExtensions(text: string): void {
  if (!CHUNK_EXT.test(text)) throw new ProtocolError('malformed chunk extension');
}

/** OWS (RFC 9110 §5.6.3): SP and HTAB, what may stand around a field value. */
function isWhitespace(c: number): boolean {
  return c === 32 || c === 9;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
