// textBody: a ResponseBody that holds `text` whole, for a fake transport's answers.
import type { ResponseBody } from '../../src/index.js';

export function textBody(text: string): ResponseBody {
  const bytes = new TextEncoder().encode(text);
  return {
    bytes: async () => bytes,
    text: async () => text,
    json: async <T>() => JSON.parse(text) as T,
    dump: async () => {},
    cancel: () => {},
    async *[Symbol.asyncIterator]() {
      yield bytes;
    },
  };
}
