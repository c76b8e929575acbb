// The TUF client's one door to the network: a GET of one file from the mirror over the pooled
// HTTP/HTTPS transport (the system's CAs, HTTP proxies from the environment), its length bounded
// before a byte beyond the bound is kept.
import { concatBytes } from '../bytes.js';
import { ConnectionError, ProtocolError } from '../errors.js';
import { OriginTransport, proxyFor, splitUrl } from '../transport/origin.js';
import { refused } from './metadata.js';

/** Mirror: where metadata and targets are fetched from, and how. */
export interface Mirror {
  /** Fetches `url`: its bytes, or undefined when the mirror has no such file (404, or 403 as a bucket says it). */
  get(
    url: string,
    request: { what: string; maxLength: number; signal: AbortSignal; timeout: number },
  ): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

/** httpMirror: a Mirror over dockwire's transport; a mirror that cannot be reached is ConnectionError or TimeoutError. */
export function httpMirror(env: Record<string, string | undefined> = process.env): Mirror {
  const transport = new OriginTransport({ proxy: (origin) => proxyFor(origin, env) });
  return {
    async get(url, { what, maxLength, signal, timeout }) {
      const { origin, path } = splitUrl(url);
      const response = await transport.request(origin, {
        method: 'GET',
        path,
        headers: { Accept: '*/*' },
        signal,
        timeout,
      });
      const status = response.statusCode;
      if (status === 404 || status === 403) {
        await response.body.dump().catch(() => undefined);
        return undefined;
      }
      if (status < 200 || status >= 300) {
        response.body.cancel();
        throw new ConnectionError(`the TUF mirror answered ${status} ${response.statusMessage} for ${url}`);
      }
      const announced = response.headers['content-length'];
      if (announced !== undefined && Number(announced) > maxLength) {
        response.body.cancel();
        throw refused(
          what,
          `the mirror announces ${announced} bytes, longer than the length of ${maxLength} bytes allowed`,
        );
      }
      const parts: Uint8Array[] = [];
      let length = 0;
      for await (const chunk of response.body) {
        length += chunk.length;
        if (length > maxLength) {
          response.body.cancel();
          throw refused(what, `longer than the length of ${maxLength} bytes allowed`);
        }
        parts.push(chunk);
      }
      if (announced !== undefined && Number(announced) !== length)
        throw new ProtocolError(`${url}: ${length} bytes, not the ${announced} announced`);
      return concatBytes(parts, length);
    },
    close: () => transport.close(),
  };
}
