// Small registries on 127.0.0.1 for the unit tests: a node:http server per test answering what a
// real registry cannot be made to send, and Registry clients closed after each test.
import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { Registry, RegistryError } from '../../src/index.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const servers: Server[] = [];
const registries: Registry[] = [];

/** Closes the servers and clients of each test after it: call once at the top of a test file. */
export function closeFakesAfterEach(): void {
  afterEach(async () => {
    await Promise.all(registries.splice(0).map((r) => r.close()));
    for (const server of servers.splice(0)) {
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
    }
  });
}

/** Starts `server` on a free port of 127.0.0.1, closed after the test; its `host:port`. */
export async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A registry on 127.0.0.1 that answers with `handler`; its `host:port`. */
export function fake(handler: Handler): Promise<string> {
  return listen(createHttpServer(handler));
}

/** A Registry with no environment and quick retries of 429 and 5xx, closed after the test. */
export function client(options: ConstructorParameters<typeof Registry>[0] = {}): Registry {
  const registry = new Registry({
    env: {},
    retry: {
      retries: 3,
      transient: (e) => e instanceof RegistryError && (e.statusCode === 429 || e.statusCode >= 500),
      delay: () => 10,
    },
    ...options,
  });
  registries.push(registry);
  return registry;
}

export const digestOf = (bytes: Uint8Array | string, algorithm = 'sha256'): string =>
  `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
export const INDEX = 'application/vnd.oci.image.index.v1+json';
export const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** Every byte of `iterable`, and in how many chunks it came. */
export async function drain(iterable: AsyncIterable<Uint8Array>): Promise<{ bytes: Buffer; chunks: number }> {
  const parts: Buffer[] = [];
  for await (const chunk of iterable) parts.push(Buffer.from(chunk));
  return { bytes: Buffer.concat(parts), chunks: parts.length };
}
