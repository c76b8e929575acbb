// A response's body as its consumer sees it, over the exchange that receives it: read once, as
// chunks (the socket paused while the consumer is slow) or whole.
import { concatBytes, copyBytes } from '../bytes.js';
import { AbortError, ProtocolError } from '../errors.js';
import type { ResponseBody } from './types.js';

const utf8 = new TextDecoder();

/** BodySource: what a Body reads from (the exchange receiving the response). */
export interface BodySource {
  readonly failure: Error | undefined;
  readonly messageDone: boolean;
  /** True when chunks are lent (their memory reused once the next is asked for). */
  readonly lends: boolean;
  shift(): Uint8Array | undefined;
  takeQueued(): { parts: Uint8Array[]; length: number };
  waitForBody(): Promise<void>;
  consumed(): void;
  fail(error: Error): void;
}

/** The response body as the consumer sees it: read once, as chunks or whole. */
export class Body implements ResponseBody {
  readonly #exchange: BodySource;

  constructor(exchange: BodySource) {
    this.#exchange = exchange;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    const exchange = this.#exchange;
    return {
      async next(): Promise<IteratorResult<Uint8Array>> {
        for (;;) {
          if (exchange.failure) throw exchange.failure;
          const chunk = exchange.shift();
          if (chunk) return { value: chunk, done: false };
          if (exchange.messageDone) {
            exchange.consumed();
            return { value: undefined, done: true };
          }
          await exchange.waitForBody();
        }
      },
      return: async (): Promise<IteratorResult<Uint8Array>> => {
        this.cancel();
        return { value: undefined, done: true };
      },
    };
  }

  /** The whole body at once when all of it is here already (the common case for small answers). */
  #takeAll(): Uint8Array | undefined {
    const exchange = this.#exchange;
    if (!exchange.messageDone || exchange.failure) return undefined;
    const { parts, length } = exchange.takeQueued();
    exchange.consumed();
    // (a lent chunk is copied: the caller keeps what it gets)
    return parts.length === 1 ? (exchange.lends ? copyBytes(parts[0]!) : parts[0]!) : concatBytes(parts, length);
  }

  async #readAll(): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let length = 0;
    const copy = this.#exchange.lends;
    for await (const part of this) {
      parts.push(copy ? copyBytes(part) : part);
      length += part.length;
    }
    return parts.length === 1 ? parts[0]! : concatBytes(parts, length);
  }

  async bytes(): Promise<Uint8Array> {
    return this.#takeAll() ?? (await this.#readAll());
  }

  async text(): Promise<string> {
    return utf8.decode(this.#takeAll() ?? (await this.#readAll()));
  }

  async json<T>(): Promise<T> {
    const text = utf8.decode(this.#takeAll() ?? (await this.#readAll()));
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ProtocolError(`expected a JSON body from the engine, got ${JSON.stringify(text.slice(0, 80))}`);
    }
  }

  async dump(): Promise<void> {
    for await (const _ of this);
  }

  cancel(): void {
    const exchange = this.#exchange;
    exchange.takeQueued();
    if (!exchange.messageDone) exchange.fail(new AbortError('The response body was cancelled'));
    else exchange.consumed();
  }
}
