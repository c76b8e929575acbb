// registry.sign, attest, verify and verifyAttestations take every registry call's options
// (RegistryCallOptions): headersTimeout and a whole-call deadline reach each of their requests.
// Fake servers on 127.0.0.1, since a real registry cannot be made to stall.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidArgument, TimeoutError } from '../../../src/index.js';
import { client, closeFakesAfterEach, fake, INDEX } from '../../support/fake-registry.js';

closeFakesAfterEach();

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const image = `@sha256:${'a'.repeat(64)}`;

/** A registry that answers the referrers API with an empty index and holds every other request unanswered; the paths asked. */
async function stallsAfterReferrers(): Promise<{ host: string; paths: string[] }> {
  const paths: string[] = [];
  const host = await fake((req, res) => {
    paths.push(req.url ?? '');
    if (req.url?.includes('/referrers/'))
      res
        .writeHead(200, { 'Content-Type': INDEX })
        .end(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [] }));
  });
  return { host, paths };
}

describe('signing and verifying calls take the registry call options', () => {
  it('verify: the deadline stops the call at a request after the first (the legacy .sig tag, never answered)', async () => {
    const { host, paths } = await stallsAfterReferrers();
    const error = await client()
      .verify(`${host}/me/app${image}`, { key: publicKey, timeout: 600_000, deadline: 500 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).kind).toBe('deadline');
    expect((error as Error).message).toMatch(/registry\.verify took longer than its 500 ms deadline/);
    expect(paths.some((p) => p.includes('/manifests/sha256-'))).toBe(true);
  });

  it('verifyAttestations: the same deadline', async () => {
    const { host } = await stallsAfterReferrers();
    const error = await client()
      .verifyAttestations(`${host}/me/app${image}`, { key: publicKey, deadline: 500 })
      .catch((e: unknown) => e);
    expect((error as TimeoutError).kind).toBe('deadline');
  });

  it('verify: headersTimeout bounds a head that trickles', async () => {
    const host = await fake((_req, res) => {
      const socket = res.socket!;
      socket.write('HTTP/1.1 200 OK\r\n');
      const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write('X: y\r\n')), 100);
    });
    const error = await client()
      .verify(`${host}/me/app${image}`, { key: publicKey, headersTimeout: 500 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).kind).toBe('headers');
  });

  it('sign and attest: the deadline stops a push that is never answered', async () => {
    const host = await fake(() => {});
    for (const call of [
      (r: ReturnType<typeof client>) => r.sign(`${host}/me/app${image}`, { key: privateKey, deadline: 500 }),
      (r: ReturnType<typeof client>) =>
        r.attest(`${host}/me/app${image}`, {
          key: privateKey,
          deadline: 500,
          predicateType: 'https://x',
          predicate: {},
        }),
    ]) {
      const error = await call(client()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).kind).toBe('deadline');
    }
  });

  it('a misspelled option is InvalidArgument naming the right one; a bad deadline is refused', async () => {
    const r = client();
    await expect(r.verify(`127.0.0.1:9/me/app${image}`, { key: publicKey, deadLine: 5 } as never)).rejects.toThrow(
      /deadline/,
    );
    await expect(r.sign(`127.0.0.1:9/me/app${image}`, { key: privateKey, headerTimeout: 5 } as never)).rejects.toThrow(
      /headersTimeout/,
    );
    await expect(r.verify(`127.0.0.1:9/me/app${image}`, { key: publicKey, deadline: -1 })).rejects.toBeInstanceOf(
      InvalidArgument,
    );
  });
});
