// Copies running at once in one client put a blob into a repository once: the others wait for it
// (two links of one blob at once can hide it from a manifest put between them), and try again
// themselves when it failed.
import { describe, expect, it } from 'vitest';
import { Repository } from '../../../src/registry/repository.js';
import { Requester } from '../../../src/registry/requester.js';
import { OriginTransport } from '../../../src/transport/origin.js';

/** A client's requester (nothing is sent: the puts here are the tests' own). */
const client = (): Requester =>
  new Requester({
    transport: new OriginTransport(),
    credentials: async () => undefined,
    retry: { retries: 0, transient: () => false, delay: () => 0 },
  });

function repository(requester: Requester, name: string): Repository {
  const origin = { protocol: 'http:', host: '127.0.0.1', port: 1 } as never;
  return new Repository(
    requester,
    { registry: '127.0.0.1:1', host: '127.0.0.1:1', repository: name },
    { registry: '127.0.0.1:1', origin },
    { timeout: 1000, headersTimeout: 1000 } as never,
  );
}

describe('Repository.once', () => {
  it('runs one put of a blob per repository at a time; the others wait and answer false', async () => {
    const requester = client();
    const a = repository(requester, 'a');
    const b = repository(requester, 'b');
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const put = async (): Promise<void> => {
      runs++;
      await gate;
    };
    const first = a.once('sha256:1', put);
    const second = a.once('sha256:1', put);
    const elsewhere = b.once('sha256:1', put);
    const other = a.once('sha256:2', put);
    release();
    expect(await Promise.all([first, second, elsewhere, other])).toEqual([true, false, true, true]);
    expect(runs).toBe(3);
    // once done, a later put runs again (the registry is asked afresh)
    expect(await a.once('sha256:1', async () => void runs++)).toBe(true);
    expect(runs).toBe(4);
  });

  it('runs its own put when the one it waited for failed', async () => {
    const requester = client();
    const a = repository(requester, 'a');
    const failing = a.once('sha256:1', async () => Promise.reject(new Error('mount refused')));
    const waiting = a.once('sha256:1', async () => undefined);
    await expect(failing).rejects.toThrow('mount refused');
    expect(await waiting).toBe(true);
  });
});
