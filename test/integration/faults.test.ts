// The engine killed (SIGKILL, by pid) in the middle of a pull, a save, a load and a build upload:
// each operation rejects with a typed error, promptly; the client's pool is left healthy (the
// same client works again once an engine is back on the socket); nothing hangs.
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionError,
  Docker,
  DockerError,
  ProtocolError,
  SocketTransport,
  parseAddress,
  saveImages,
} from '../../src/api.js';
import { client, engine, uniqueName } from '../support/engine.js';
import { removeQuietly } from '../support/images.js';
import { startScratchEngine, type ScratchEngine } from '../support/scratch-engine.js';

const BIG = 48 * 1024 * 1024;
const work = mkdtempSync(join(tmpdir(), 'dockwire-faults-'));
const bigTar = join(work, 'big-image.tar');
const shared = client();
const bigRepo = `${engine.registry}/dockwire/big-${uniqueName('f')}`;
let scratch: ScratchEngine;
let transport: SocketTransport;
let docker: Docker;

/** A single-layer image with BIG random bytes, as a `docker save` tarball on disk (made once). */
async function makeBigImage(): Promise<void> {
  const rootfs = join(work, 'rootfs.tar');
  const { pack } = await import('../../src/tar/packer.js');
  const blob = randomBytes(BIG);
  const parts: Uint8Array[] = [];
  for await (const p of pack([
    { name: 'blob', type: 'file', mode: 0o644, size: blob.length, mtime: 0, content: () => [blob] },
  ]))
    parts.push(p);
  writeFileSync(rootfs, Buffer.concat(parts));
  await shared.api.call('POST', '/images/create', {
    query: { fromSrc: '-', repo: bigRepo, tag: 'latest' }, // Podman ignores any other tag on import
    body: createReadStream(rootfs) as AsyncIterable<Uint8Array>,
    bodyTimeout: 0,
  });
  const out: Uint8Array[] = [];
  for await (const chunk of saveImages(shared, `${bigRepo}:latest`)) out.push(chunk);
  writeFileSync(bigTar, Buffer.concat(out));
  await shared.images.push(bigRepo, { tag: 'latest' });
}

async function expectTypedFailure(promise: Promise<unknown>): Promise<DockerError> {
  const started = Date.now();
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DockerError);
  expect(error instanceof ConnectionError || error instanceof ProtocolError).toBe(true);
  expect(Date.now() - started).toBeLessThan(10_000);
  return error as DockerError;
}

async function expectHealthyAfterRestart(): Promise<void> {
  expect(transport.stats.open).toBe(0);
  expect(transport.stats.waiting).toBe(0);
  await expect(docker.ping()).rejects.toBeInstanceOf(ConnectionError); // nobody home
  await scratch.restart();
  expect(await docker.ping()).toBe(true); // the same client, the same pool
}

beforeAll(async () => {
  await makeBigImage();
  scratch = await startScratchEngine();
  transport = new SocketTransport(parseAddress(scratch.host), { maxSockets: 2 });
  docker = new Docker({ transport });
}, 120_000);

afterAll(async () => {
  await docker?.close();
  scratch?.dispose();
  removeQuietly(`${bigRepo}:latest`);
  await shared.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the engine dies mid-operation', () => {
  it('during a load (upload of a 48 MiB archive)', async () => {
    let sent = 0;
    async function* slowly() {
      for await (const chunk of createReadStream(bigTar, { highWaterMark: 256 * 1024 })) {
        sent += (chunk as Buffer).length;
        if (sent > 4 * 1024 * 1024 && sent < 4.3 * 1024 * 1024) scratch.kill();
        yield chunk as Buffer;
      }
    }
    await expectTypedFailure(docker.images.load(slowly()).then((x) => x));
    await expectHealthyAfterRestart();
  });

  it('during a save (download of the archive)', async () => {
    await docker.images.load(createReadStream(bigTar));
    const reading = (async () => {
      let got = 0;
      for await (const chunk of saveImages(docker, `${bigRepo}:latest`, { chunkSize: null })) {
        got += chunk.length;
        if (got > 2 * 1024 * 1024 && got - chunk.length <= 2 * 1024 * 1024) scratch.kill();
      }
      return got;
    })();
    await expectTypedFailure(reading);
    await expectHealthyAfterRestart();
  });

  it('during a pull', async () => {
    await docker.images.remove(`${bigRepo}:latest`, { force: true }).catch(() => undefined);
    const job = docker.images.pull(`${bigRepo}:latest`);
    const pulling = (async () => {
      // killed at the first layer event: Podman reports no Downloading/Extracting progress, and
      // Docker 28 with the containerd store may still hold the blobs and go straight to the end
      for await (const event of job) if (event.id !== undefined) scratch.kill();
      return job;
    })();
    await expectTypedFailure(pulling);
    await expectTypedFailure(job.then((x) => x));
    await expectHealthyAfterRestart();
  });

  it('during a build upload', async () => {
    let sent = 0;
    async function* context() {
      // a tar stream whose first entry is huge: killed while it is still being sent
      const { pack } = await import('../../src/tar/packer.js');
      yield* pack([
        {
          name: 'Dockerfile',
          type: 'file',
          mode: 0o644,
          size: 16,
          mtime: 0,
          content: () => [Buffer.from('FROM scratch\n\n\n\n')],
        },
        {
          name: 'big',
          type: 'file',
          mode: 0o644,
          size: 64 * 1024 * 1024,
          mtime: 0,
          content: async function* () {
            for (let i = 0; i < 1024; i++) {
              sent += 65536;
              if (sent === 8 * 65536) scratch.kill();
              yield new Uint8Array(65536);
            }
          },
        },
      ]);
    }
    await expectTypedFailure(docker.images.build({ fileobj: context(), customContext: true }).then((x) => x));
    await expectHealthyAfterRestart();
  });
});
