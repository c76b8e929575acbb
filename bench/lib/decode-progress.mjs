// One contender decoding a progress file fed in chunks of a given size; counts the events and
// prints the decoding's own time (from the first chunk read to the last event, the library already
// loaded: its load is the cold-start scenario's).
import { openSync, readSync, closeSync } from 'node:fs';
import { Readable } from 'node:stream';

const [contender, file, chunkArg] = process.argv.slice(2);
const chunkSize = Number(chunkArg);

function* chunks() {
  const fd = openSync(file, 'r');
  const buffer = Buffer.allocUnsafe(Math.max(chunkSize, 65536));
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) return;
      // hand out pieces of chunkSize; each a copy, as a socket would deliver fresh buffers
      for (let at = 0; at < n; at += chunkSize) yield Buffer.from(buffer.subarray(at, Math.min(n, at + chunkSize)));
    }
  } finally {
    closeSync(fd);
  }
}

let events = 0;
const { JsonLinesDecoder } = contender === 'dockwire' ? await import('./internals.mjs') : {};
const Modem = contender === 'docker-modem' ? (await import('docker-modem')).default : undefined;
const started = performance.now();
if (contender === 'dockwire') {
  const decoder = new JsonLinesDecoder();
  for (const chunk of chunks()) events += decoder.push(chunk).length;
  decoder.end();
} else if (contender === 'naive') {
  // the plain loop: keep the unfinished tail, split on newlines, JSON.parse each line; the search
  // for a newline starts in the new text only, so it stays linear
  let tail = '';
  for (const chunk of chunks()) {
    const text = chunk.toString('utf8');
    if (!text.includes('\n')) {
      tail += text;
      continue;
    }
    const lines = (tail + text).split('\n');
    tail = lines.pop();
    for (const line of lines) if (line.trim()) (JSON.parse(line), events++);
  }
  if (tail.trim()) (JSON.parse(tail), events++);
} else if (contender === 'docker-modem') {
  const modem = new Modem({ socketPath: '/nonexistent' });
  await new Promise((resolve, reject) => {
    modem.followProgress(
      Readable.from(chunks()),
      (err) => (err ? reject(err) : resolve()),
      () => events++,
    );
  });
}
if (events === 0) throw new Error('no events decoded');
console.log(JSON.stringify({ events, ms: performance.now() - started }));
