// registry.blob's deadline covers the blob as it streams: a body that stops half-way (what no real
// registry can be made to send) fails the read waiting on it, TimeoutError kind deadline, borrowed
// or not; and the deadline ends with the stream.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../../../src/index.js';
import { runningCallDeadlines } from '../../../src/transport/deadline.js';
import { client, closeFakesAfterEach, digestOf, fake } from '../../support/fake-registry.js';

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
