// images.getRegistryData when the registry cannot be reached from the client (the engine often can
// when the client cannot): it resolves with the engine's answer, and where the engine sent no
// platforms, hasPlatform throws PlatformsUnknown saying why, never a `false` the registry did not
// say. The engine is a recording transport; the registry is a loopback port nothing listens on.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  ConnectionError,
  Docker,
  InvalidArgument,
  PlatformsUnknown,
  type Transport,
} from '../../../src/index.js';
import { textBody } from '../../support/text-body.js';

const DIGEST = `sha256:${'b'.repeat(64)}`;

/** An engine that answers the distribution inspect with `platforms`, and records every request. */
function engine(platforms: unknown): { docker: Docker; sent: string[] } {
  const sent: string[] = [];
  const transport: Transport = {
    request: async (request) => {
      sent.push(`${request.method} ${request.path.replace(/^\/v[\d.]+/, '')}`);
      const answer = request.path.includes('/distribution/')
        ? {
            Descriptor: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: DIGEST, size: 1 },
            Platforms: platforms,
          }
        : { Version: '28.0.0', ApiVersion: '1.48', Os: 'linux', Arch: 'amd64' };
      return { statusCode: 200, statusMessage: 'OK', headers: {}, body: textBody(JSON.stringify(answer)) };
    },
    close: async () => {},
  };
  return { docker: new Docker({ transport, version: '1.48', configDir: '/nonexistent' }), sent };
}

/** A loopback port that refuses connections (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('getRegistryData when the registry cannot be reached from the client', () => {
  it('resolves with the engine’s platforms, and answers from them', async () => {
    const { docker, sent } = engine([{ os: 'linux', architecture: 'arm64', variant: 'v8' }]);
    const data = await docker.images.getRegistryData(`127.0.0.1:${await closedPort()}/me/app:1`);
    expect(data.id).toBe(DIGEST);
    expect(data.hasPlatform('linux/arm64')).toBe(true);
    expect(data.hasPlatform('linux/amd64')).toBe(false);
    expect(sent.sort()).toEqual([
      expect.stringMatching(
        /^GET \/distribution\/127\.0\.0\.1%3A\d+%2Fme%2Fapp%3A1\/json$|^GET \/distribution\/127\.0\.0\.1:\d+\/me\/app:1\/json$/,
      ),
      'GET /version',
    ]);
  });

  it('resolves with the engine’s answer when it sent no platforms; hasPlatform then throws PlatformsUnknown saying why', async () => {
    const { docker } = engine(null);
    const data = await docker.images.getRegistryData(`127.0.0.1:${await closedPort()}/me/app:1`);
    expect(data.id).toBe(DIGEST);
    expect(data.platforms).toEqual([]);
    const error = (() => {
      try {
        return data.hasPlatform('linux/amd64');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(PlatformsUnknown);
    expect((error as PlatformsUnknown).imageName).toMatch(/\/me\/app:1$/);
    expect((error as Error).message).toMatch(/engine sent none.*registry could not be asked/);
    expect((error as Error).cause).toBeInstanceOf(ConnectionError);
    // bad input is still InvalidArgument first
    expect(() => data.hasPlatform('a/b/c/d')).toThrow(InvalidArgument);
    // reload asks again, and says the same
    await data.reload();
    expect(() => data.hasPlatform('linux')).toThrow(PlatformsUnknown);
  });

  it('still rejects when the caller aborts', async () => {
    const { docker } = engine(null);
    const controller = new AbortController();
    const data = await docker.images.getRegistryData(`127.0.0.1:${await closedPort()}/me/app:1`);
    controller.abort();
    await expect(data.reload({ signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
  });
});
