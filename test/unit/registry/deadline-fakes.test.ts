// A registry call's deadline against fakes on 127.0.0.1. registry.blob's covers the blob as it
// streams: a body that stops half-way (what no real registry can be made to send) fails the read
// waiting on it, TimeoutError kind deadline, borrowed or not; and the deadline ends with the
// stream. registry.attestations' covers each of its requests, and ends with the call.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../../../src/index.js';
import { runningCallDeadlines } from '../../../src/transport/deadline.js';
import { client, closeFakesAfterEach, digestOf, fake, MANIFEST } from '../../support/fake-registry.js';

closeFakesAfterEach();

describe('registry.blob within its deadline', () => {
  it.each([false, true])(
    'a body that stops half-way (borrowChunks %s): TimeoutError kind deadline, the deadline ended',
    async (borrowChunks) => {
      const blob = randomBytes(2 * 1024 * 1024);
      // the head and half the blob, then nothing more until the client goes away
      const host = await fake((_req, res) => {
        res.writeHead(200, { 'Content-Length': blob.length, 'Content-Type': 'application/octet-stream' });
        res.write(blob.subarray(0, blob.length / 2));
      });
      const before = runningCallDeadlines();
      let received = 0;
      const error = await (async () => {
        for await (const chunk of client().blob(`${host}/x`, digestOf(blob), { deadline: 300, borrowChunks }))
          received += chunk.length;
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).kind).toBe('deadline');
      expect(received).toBeLessThan(blob.length);
      expect(runningCallDeadlines() - before).toBe(0);
    },
  );
});

describe('registry.attestations within its deadline', () => {
  it('every request it makes runs within the call\u2019s deadline, which ends with the call', async () => {
    const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST,
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: digestOf(config),
          size: config.length,
        },
        layers: [],
      }),
    );
    const before = runningCallDeadlines();
    // the deadlines running as each request arrives (the fake runs in this process)
    const running: number[] = [];
    const host = await fake((req, res) => {
      running.push(runningCallDeadlines() - before);
      if (req.url === '/v2/x/manifests/latest')
        res.writeHead(200, { 'Content-Type': MANIFEST, 'Content-Length': manifest.length }).end(manifest);
      else res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
    });
    expect([...(await client().attestations(`${host}/x:latest`, { deadline: 60_000 }))]).toEqual([]);
    expect(running.length).toBeGreaterThan(1);
    expect(running.every((n) => n === 1)).toBe(true);
    expect(runningCallDeadlines() - before).toBe(0);
  });
});
