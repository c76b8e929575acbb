#!/usr/bin/env node
// The `dockwire` command.
import type { Out } from './view.js';
import { main } from './main.js';

// `dockwire ls | head`: a reader that goes away is not an error
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const stream = (s: NodeJS.WriteStream): Out => ({ write: (t: string) => void s.write(t), isTTY: Boolean(s.isTTY) });
void main(process.argv.slice(2), { out: stream(process.stdout), err: stream(process.stderr), env: process.env }).then((code) => {
  process.exitCode = code;
});
