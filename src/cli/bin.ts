#!/usr/bin/env node
// The `dockwire` command: main() over the process's standard streams.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteOut } from './command.js';
import { main } from './main.js';
import type { Out } from './view.js';

// `dockwire ls | head`: a reader that goes away is not an error
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const text = (s: NodeJS.WriteStream): Out => ({ write: (t: string) => void s.write(t), isTTY: Boolean(s.isTTY) });
const out: ByteOut = {
  ...text(process.stdout),
  // process.stdout stays open for what comes after
  writeAll: (chunks) => pipeline(Readable.from(chunks, { objectMode: false }), process.stdout, { end: false }),
};
void main(process.argv.slice(2), { out, err: text(process.stderr), stdin: process.stdin, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
);
