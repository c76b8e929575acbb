// The CLI's Io over buffers: what `main` writes, collected; what it reads, given.
import type { MainIo } from '../../src/cli/main.js';

export interface BufferIo {
  io: MainIo;
  /** Standard output as text. */
  out(): string;
  /** Standard output as bytes. */
  bytes(): Buffer;
  err(): string;
}

export function bufferIo(
  options: { env?: Record<string, string | undefined>; stdin?: Uint8Array; tty?: boolean } = {},
): BufferIo {
  const out: Buffer[] = [];
  let err = '';
  const stdin = options.stdin;
  return {
    io: {
      out: {
        write: (text: string) => void out.push(Buffer.from(text)),
        writeAll: async (chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>) => {
          for await (const chunk of chunks) out.push(Buffer.from(chunk));
        },
        isTTY: options.tty ?? false,
      },
      err: { write: (text: string) => void (err += text), isTTY: false },
      stdin: (async function* () {
        if (stdin !== undefined) yield stdin;
      })(),
      env: options.env ?? {},
    },
    out: () => Buffer.concat(out).toString('utf8'),
    bytes: () => Buffer.concat(out),
    err: () => err,
  };
}
