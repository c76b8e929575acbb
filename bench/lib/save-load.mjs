// One contender saving or loading an image, in its own process (its peak RSS is its own); prints
// {"ms": …}, the transfer's time from the request to the last byte, taken inside the process as
// docker_py_driver.py and curl's -w %{time_total} take theirs: a process's start (node's ~0.15 s
// here, curl's ~5 ms) is the cold-start rows' business, not the transfer's.
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';

const [contender, op, a, b] = process.argv.slice(2);
const host = process.env.DOCKER_HOST;
const socketPath = host.replace('unix://', '');

// The sink of a save is /dev/null (as for curl -o /dev/null), so that the disk is not what is
// measured; `b === 'file:PATH'` writes the bytes to PATH instead, for the byte-exactness check.
function sink(target) {
  return createWriteStream(target.startsWith('file:') ? target.slice(5) : '/dev/null');
}

let started;
if (contender === 'dockwire') {
  const { Docker, saveImages } = await import('../../dist/api.js');
  const docker = new Docker({ host, version: '1.41' });
  // chunks as they arrive, borrowed: each is written (or dropped) before the next is asked for
  const chunks = () => saveImages(docker, a, { chunkSize: null, borrowChunks: true });
  started = performance.now();
  if (op === 'save' && !b.startsWith('file:')) {
    for await (const _ of chunks());
  } else if (op === 'save') {
    const file = await open(b.slice(5), 'w');
    for await (const chunk of chunks()) await file.write(chunk);
    await file.close();
  } else await docker.images.load(a); // the archive's path: read through one reused buffer
  await docker.close();
} else if (contender === 'dockerode') {
  const { default: Dockerode } = await import('dockerode');
  const docker = new Dockerode({ socketPath, version: 'v1.41' });
  started = performance.now();
  if (op === 'save' && !b.startsWith('file:')) {
    for await (const _ of await docker.getImage(a).get());
  } else if (op === 'save') await pipeline(await docker.getImage(a).get(), sink(b));
  else {
    const res = await docker.loadImage(createReadStream(a));
    for await (const _ of res);
  }
} else if (contender === 'raw' && op === 'save') {
  // Node's limit: one node:net socket, every byte read and dropped (HTTP framing included)
  const { connect } = await import('node:net');
  started = performance.now();
  await new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    socket.on('data', () => {});
    socket.on('end', resolve);
    socket.on('error', reject);
    socket.write(`GET /v1.41/images/${a}/get HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n`);
  });
}
console.log(JSON.stringify({ ms: performance.now() - started }));
