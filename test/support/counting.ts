// A client whose transport records every request it sends, over the test engine's socket: for
// showing that a call refused its input before anything went out.
import { Docker, SocketTransport, parseAddress, type TransportRequest } from '../../src/api.js';
import { engine } from './engine.js';

/** countingClient: a Docker client to the test engine, and the requests it has sent so far. */
export function countingClient(): { docker: Docker; sent: TransportRequest[] } {
  const inner = new SocketTransport(parseAddress(engine.host));
  const sent: TransportRequest[] = [];
  const docker = new Docker({
    transport: {
      releasesChunks: inner.releasesChunks,
      request: (request) => {
        sent.push(request);
        return inner.request(request);
      },
      close: () => inner.close(),
    },
  });
  return { docker, sent };
}
