// An HTTP proxy (CONNECT) in front of the real open registry: the tunnel is asked for, NO_PROXY
// goes around it, and a proxy that cannot be reached is a ConnectionError.
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConnectionError } from '../../../src/index.js';
import { engine } from '../../support/engine.js';
import { client, closeFakesAfterEach, listen } from '../../support/fake-registry.js';

closeFakesAfterEach();

describe('transport', () => {
  it('goes through an HTTP proxy with CONNECT, unless NO_PROXY names the registry', async () => {
    const tunnels: string[] = [];
    const proxy = createHttpServer();
    proxy.on('connect', (req: IncomingMessage, socket, head) => {
      tunnels.push(req.url!);
      const [host, port] = req.url!.split(':');
      const upstream = connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    const proxyAddress = await listen(proxy);
    const via = client({ env: { HTTP_PROXY: `http://${proxyAddress}` } });
    const repository = `${engine.registry}/dw/proxied`;
    const tags = await via.tags(repository).catch((e: unknown) => e);
    // an unknown repository is the registry's own answer: it came through the tunnel
    expect(tags).toMatchObject({ registryCode: 'NAME_UNKNOWN' });
    expect(tunnels).toEqual([engine.registry]);
    const direct = client({ env: { http_proxy: `http://${proxyAddress}`, NO_PROXY: '127.0.0.1' } });
    await direct.tags(repository).catch(() => undefined);
    expect(tunnels).toEqual([engine.registry]);
    const refused = client({ env: { HTTP_PROXY: 'http://127.0.0.1:1' } });
    await expect(refused.tags(repository)).rejects.toBeInstanceOf(ConnectionError);
  });
});
