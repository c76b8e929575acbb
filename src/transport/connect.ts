// The one way a connection is opened, for the engine's sockets (socket-transport.ts) and the
// registries' origins (origin.ts), as undici's connect.js is for its pools: one default timeout,
// one SNI rule, one timer and error mapping, one wording for TLS errors, one IPv6 bracketing.
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { ConnectionError, TimeoutError } from '../errors.js';

/** Milliseconds allowed for opening a connection (and its TLS, and a proxy's tunnel) unless told. */
export const DEFAULT_CONNECT_TIMEOUT = 10_000;

/** `host` as it stands in a Host field or an authority: an IPv6 address in brackets. */
export function bracketHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The TLS server name sent for `host` (SNI): none for an IP address (RFC 6066 §3). */
export function serverName(host: string): string {
  return isIP(host) ? '' : host;
}

/** Node's TLS error codes, said in words for `peer` ("the engine", "the registry at …"): which side of the certificate exchange failed. */
export function describeTlsError(error: NodeJS.ErrnoException, peer: string): string | undefined {
  const code = error.code ?? '';
  if (/UNABLE_TO_VERIFY|SELF_SIGNED|UNABLE_TO_GET_ISSUER|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE/.test(code)) {
    return `${peer}'s certificate is not signed by a trusted CA (the given one, or the system's) (${code})`;
  }
  if (/ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH|ALTNAME/.test(code))
    return `${peer}'s certificate is not for this host (${code})`;
  if (/CERT_HAS_EXPIRED|CERT_NOT_YET_VALID/.test(code)) return `${peer}'s certificate is not valid now (${code})`;
  if (/CERTIFICATE_REQUIRED|ALERT_HANDSHAKE_FAILURE|ALERT_BAD_CERTIFICATE|ALERT_UNKNOWN_CA/.test(code)) {
    return `${peer} refused our client certificate: it requires one signed by its CA (${code})`;
  }
  return undefined;
}

/** How a socket being opened settles: what it waits for, until when, and how failures are said. */
export interface Opening<S extends Duplex> {
  /** `connect` for TCP and unix sockets, `secureConnect` for TLS. */
  ready: 'connect' | 'secureConnect';
  /** ms since the epoch by which it must be ready. */
  deadline: number;
  /** The TimeoutError's message when it is not. */
  late: string;
  /** The ConnectionError's message for a socket error (`why` already put in words). */
  failed: (why: string) => string;
  /** The peer, as TLS errors name it. */
  peer: string;
  /** A last check once ready: an error refuses the socket. */
  check?: (socket: S) => Error | undefined;
}

/** Waits for `socket` to be ready: one timer, one error mapping; the socket destroyed on failure. */
export function opened<S extends Duplex & { setNoDelay?: (on: boolean) => unknown }>(
  socket: S,
  opening: Opening<S>,
): Promise<S> {
  return new Promise<S>((resolve, reject) => {
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new TimeoutError(opening.late, { kind: 'connect' })),
      Math.max(0, opening.deadline - Date.now()),
    );
    const onError = (error: NodeJS.ErrnoException): void => {
      const why = describeTlsError(error, opening.peer) ?? error.code ?? error.message;
      fail(new ConnectionError(opening.failed(why), { cause: error }));
    };
    socket.once(opening.ready, () => {
      const refused = opening.check?.(socket);
      if (refused) return fail(refused);
      clearTimeout(timer);
      socket.off('error', onError);
      socket.setNoDelay?.(true);
      resolve(socket);
    });
    socket.once('error', onError);
  });
}
