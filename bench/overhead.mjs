// The client's own cost per request, without the engine: dockwire and the raw kept-alive socket
// (bench/lib/raw-socket.mjs) against a server in another process that answers every request at
// once with a recorded engine answer (an image inspect, 1.5 KB). On two cores shared with dockerd
// the small-calls scenario mixes this cost with the engine's; here it is alone, so a change to the
// transport can be judged in a minute. Prints wall µs per call and this process's CPU µs per
// call (user + system), sequential and 32-way, median of 5 alternating rounds.
//
//   node bench/overhead.mjs        (after npm run build; needs no engine)
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Docker, inspectImage } from '../dist/api.js';
import { median } from './lib/measure.mjs';
import { rawClient } from './lib/raw-socket.mjs';

const NAME = 'dockwire-test/busybox:latest';
const BODY = JSON.stringify({
  Id: `sha256:${'a'.repeat(64)}`,
  RepoTags: [NAME],
  RepoDigests: [],
  Parent: '',
  Comment: '',
  Created: '2026-11-27T00:00:00Z',
  Config: {
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    Cmd: ['/bin/sh'],
    Labels: null,
  },
  Architecture: 'amd64',
  Os: 'linux',
  Size: 2129920,
  GraphDriver: {
    Data: {
      MergedDir: `/var/lib/docker/overlay2/${'b'.repeat(64)}/merged`,
      UpperDir: `/var/lib/docker/overlay2/${'b'.repeat(64)}/diff`,
      WorkDir: `/var/lib/docker/overlay2/${'b'.repeat(64)}/work`,
    },
    Name: 'overlay2',
  },
  RootFS: { Type: 'layers', Layers: [`sha256:${'c'.repeat(64)}`] },
  Metadata: { LastTagTime: '2026-11-27T00:00:00Z' },
});

if (process.argv[2] === 'serve') {
  // the server: its own process, so that its work is not counted as the client's
  const answer = Buffer.from(
    `HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\nDocker-Experimental: false\r\nOstype: linux\r\nServer: Docker/20.10.24+dfsg1 (linux)\r\nDate: Fri, 27 Nov 2026 00:00:00 GMT\r\nContent-Length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`,
  );
  createServer((socket) => {
    socket.on('data', (data) => {
      // one answer per request head in the bytes received
      for (let at = data.indexOf('\r\n\r\n'); at !== -1; at = data.indexOf('\r\n\r\n', at + 4)) socket.write(answer);
    });
    socket.on('error', () => {});
  }).listen(process.argv[3], () => process.send('ready'));
} else {
  const dir = mkdtempSync(join(tmpdir(), 'dockwire-overhead-'));
  const path = join(dir, 'engine.sock');
  const server = fork(new URL(import.meta.url).pathname, ['serve', path]);
  await new Promise((r) => server.once('message', r));
  const WIDTH = 32;
  const docker = new Docker({ host: `unix://${path}`, version: '1.41', maxSockets: WIDTH });
  const raws = await Promise.all(Array.from({ length: WIDTH }, () => rawClient(path)));
  const calls = {
    raw: (i) => raws[i].get(`/v1.41/images/${NAME}/json`).then((b) => JSON.parse(b)),
    dockwire: () => inspectImage(docker, NAME),
  };
  async function measure(call, n, width) {
    let next = 0;
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: width }, async (_, i) => {
        while (next < n) {
          next++;
          await call(i);
        }
      }),
    );
    const used = process.cpuUsage(cpu);
    return { us: Number(process.hrtime.bigint() - start) / 1e3 / n, cpu: (used.user + used.system) / n };
  }
  for (const [mode, n, width] of [
    ['sequential', 5000, 1],
    [`${WIDTH}-way`, 20000, WIDTH],
  ]) {
    const samples = { raw: [], dockwire: [] };
    for (const call of Object.values(calls)) await measure(call, n / 5, width); // warm up
    for (let round = 0; round < 5; round++)
      for (const [k, call] of Object.entries(calls)) samples[k].push(await measure(call, n, width));
    const row = Object.fromEntries(
      Object.entries(samples).map(([k, s]) => [
        k,
        { us: median(s.map((x) => x.us)), cpu: median(s.map((x) => x.cpu)) },
      ]),
    );
    console.log(
      `${mode}: raw ${row.raw.us.toFixed(1)} µs/call (cpu ${row.raw.cpu.toFixed(1)}), dockwire ${row.dockwire.us.toFixed(1)} µs/call (cpu ${row.dockwire.cpu.toFixed(1)}), ${(row.dockwire.us / row.raw.us).toFixed(2)}×`,
    );
  }
  for (const r of raws) r.close();
  await docker.close();
  server.kill();
  rmSync(dir, { recursive: true, force: true });
}
