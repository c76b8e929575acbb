// A connection to a local ssh agent (SSH_AUTH_SOCK: a unix socket), for a BuildKit session's ssh
// forwarding: the agent's protocol passes through it, unread.
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { ConnectionError } from '../errors.js';

export function connectAgent(path: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path });
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(socket);
    });
    const onError = (error: NodeJS.ErrnoException): void =>
      reject(
        new ConnectionError(`cannot reach the ssh agent at ${path}: ${error.code ?? error.message}`, { cause: error }),
      );
    socket.once('error', onError);
  });
}
