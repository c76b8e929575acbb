// What a real registry cannot be made to send, from small servers on 127.0.0.1 (test/support/fake-registry.ts):
// lying digests, cross-origin redirects, 429 and 5xx, hostile challenges and bodies, broken
// connections (Range resume), the referrers API with and without OCI-Filters-Applied, and TLS.
// No engine and no real registry: the CONNECT proxy in front of the real one stays in
// test/integration/registry/proxy.test.ts.
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { createServer as createHttpsServer } from 'node:https';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  DigestMismatch,
  ManifestNotFound,
  ProtocolError,
  RegistryError,
  TimeoutError,
} from '../../../src/index.js';
import { OriginTransport } from '../../../src/transport/origin.js';
import { makeCerts } from '../../support/certs.js';
import {
  client,
  closeFakesAfterEach,
  digestOf,
  drain,
  fake,
  INDEX,
  listen,
  MANIFEST,
  type Handler,
} from '../../support/fake-registry.js';

closeFakesAfterEach();

describe('integrity', () => {
  it('a blob that does not hash to its digest is DigestMismatch, and its last chunk is never handed out', async () => {
    const told = Buffer.alloc(300_000, 1);
    const sent = Buffer.alloc(300_000, 1);
    sent[299_999] = 2;
    const host = await fake((req, res) => {
      res.writeHead(200, { 'Content-Length': sent.length });
      // in pieces, so that the consumer sees chunks before the end
      res.write(sent.subarray(0, 100_000));
      setTimeout(() => res.end(sent.subarray(100_000)), 20);
    });
    const received: Buffer[] = [];
    const error = await (async () => {
      for await (const chunk of client().blob(`${host}/x`, digestOf(told))) received.push(Buffer.from(chunk));
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DigestMismatch);
    expect(error).toMatchObject({ expected: digestOf(told), actual: digestOf(sent) });
    const got = Buffer.concat(received);
    expect(got.length).toBeLessThan(sent.length);
    expect(got.includes(2)).toBe(false);
  });

  it('a manifest that does not hash to the digest asked for (sha256 or sha512) is DigestMismatch', async () => {
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: { mediaType: 'x', digest: digestOf('c'), size: 1 },
      layers: [],
    });
    const host = await fake((_req, res) => res.writeHead(200, { 'Content-Type': MANIFEST }).end(manifest));
    for (const algorithm of ['sha256', 'sha512']) {
      await expect(client().manifest(`${host}/x@${digestOf(`${manifest} `, algorithm)}`)).rejects.toBeInstanceOf(
        DigestMismatch,
      );
      expect((await client().manifest(`${host}/x@${digestOf(manifest, algorithm)}`)).descriptor.digest).toBe(
        digestOf(manifest, algorithm),
      );
    }
  });

  it('a manifest whose Docker-Content-Digest lies is DigestMismatch', async () => {
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, config: {}, layers: [] });
    const host = await fake((_req, res) =>
      res.writeHead(200, { 'Content-Type': MANIFEST, 'Docker-Content-Digest': digestOf('other') }).end(manifest),
    );
    await expect(client().manifest(`${host}/x:v1`)).rejects.toBeInstanceOf(DigestMismatch);
  });

  it('a manifest over 4 MiB is refused, announced or not', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024 + 1, 32);
    const host = await fake((req, res) => {
      if (req.url!.includes('announced'))
        res.writeHead(200, { 'Content-Type': MANIFEST, 'Content-Length': big.length }).end(big);
      else res.writeHead(200, { 'Content-Type': MANIFEST, 'Transfer-Encoding': 'chunked' }).end(big);
    });
    await expect(client().manifest(`${host}/x:announced`)).rejects.toThrow(/more than 4194304|larger than 4194304/);
    await expect(client().manifest(`${host}/x:streamed`)).rejects.toBeInstanceOf(ProtocolError);
  }, 30_000);

  it('a blob whose connection breaks mid-way resumes with Range, and is verified whole', async () => {
    const blob = Buffer.alloc(1_000_000);
    for (let i = 0; i < blob.length; i++) blob[i] = (i * 7) & 0xff;
    const ranges: Array<string | undefined> = [];
    const host = await fake((req, res) => {
      ranges.push(req.headers.range);
      const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
      if (from === 0) {
        res.writeHead(200, { 'Content-Length': blob.length });
        res.write(blob.subarray(0, 400_000), () => setTimeout(() => res.socket!.destroy(), 20));
        return;
      }
      res
        .writeHead(206, {
          'Content-Length': blob.length - from,
          'Content-Range': `bytes ${from}-${blob.length - 1}/${blob.length}`,
        })
        .end(blob.subarray(from));
    });
    const { bytes } = await drain(client().blob(`${host}/x`, digestOf(blob)));
    expect(bytes.equals(blob)).toBe(true);
    expect(ranges[0]).toBeUndefined();
    expect(ranges.length).toBe(2);
    expect(Number(/^bytes=(\d+)-$/.exec(ranges[1]!)![1])).toBeGreaterThan(0);
  }, 30_000);
});

describe('credentials and redirects', () => {
  it('a redirect to another origin carries no credentials; the registry got them', async () => {
    const blob = Buffer.from('the layer, from storage');
    const seen: Array<{ where: string; authorization: string | undefined }> = [];
    const storage = await fake((req, res) => {
      seen.push({ where: 'storage', authorization: req.headers.authorization });
      res.end(blob);
    });
    const host = await fake((req, res) => {
      seen.push({ where: 'registry', authorization: req.headers.authorization });
      if (req.headers.authorization !== `Basic ${Buffer.from('u:secret').toString('base64')}`)
        return res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fake"' }).end();
      // two hops: a 302 to a same-origin path, then a 307 to storage
      if (req.url!.includes('/blobs/')) return res.writeHead(302, { Location: '/redirected' }).end();
      res.writeHead(307, { Location: `http://${storage}/bucket/object?sig=abc` }).end();
    });
    const { bytes } = await drain(
      client({ authConfig: { username: 'u', password: 'secret' } }).blob(`${host}/x`, digestOf(blob)),
    );
    expect(bytes.equals(blob)).toBe(true);
    expect(seen.filter((s) => s.where === 'storage')).toEqual([{ where: 'storage', authorization: undefined }]);
    expect(seen.filter((s) => s.where === 'registry').at(-1)!.authorization).toMatch(/^Basic /);
  });

  it('redirects are bounded', async () => {
    const host = await fake((req, res) => res.writeHead(302, { Location: `/loop${req.url!.length}` }).end());
    await expect(drain(client().blob(`${host}/x`, digestOf('x')))).rejects.toThrow(/more than 5 redirects/);
  });

  it('a Bearer realm gets the credentials, the registry gets only the token', async () => {
    const seen: string[] = [];
    const realm = await fake((req, res) => {
      seen.push(`realm ${req.url} ${req.headers.authorization ?? 'none'}`);
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ token: 'tok-1', expires_in: 300 }));
    });
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, config: {}, layers: [] });
    const host = await fake((req, res) => {
      seen.push(`registry ${req.headers.authorization ?? 'none'}`);
      if (req.headers.authorization !== 'Bearer tok-1')
        return res
          .writeHead(401, {
            'WWW-Authenticate': `Bearer realm="http://${realm}/token",service="fake",scope="repository:x:pull"`,
          })
          .end();
      res.writeHead(200, { 'Content-Type': MANIFEST }).end(manifest);
    });
    const registry = client({ authConfig: { username: 'u', password: 'p' } });
    await registry.manifest(`${host}/x:a`);
    await registry.manifest(`${host}/x:b`);
    expect(seen).toEqual([
      'registry none',
      `realm /token?service=fake&scope=repository%3Ax%3Apull Basic ${Buffer.from('u:p').toString('base64')}`,
      'registry Bearer tok-1',
      'registry Bearer tok-1',
    ]);
  });

  it('hostile challenges and answers are typed errors, never a crash or a leak', async () => {
    const huge = 'x'.repeat(200_000);
    const host = await fake((req, res) => {
      if (req.url!.includes('unterminated'))
        return res.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="http://127.0.0.1:1/tok' }).end();
      if (req.url!.includes('norealm')) return res.writeHead(401, { 'WWW-Authenticate': 'Bearer service="x"' }).end();
      if (req.url!.includes('unknown')) return res.writeHead(401, { 'WWW-Authenticate': 'Digest nonce="1"' }).end();
      if (req.url!.includes('notjson'))
        return res.writeHead(200, { 'Content-Type': MANIFEST }).end('{"schemaVersion":');
      if (req.url!.includes('bigerror'))
        return res.writeHead(400, { 'Content-Type': 'application/json' }).end(`{"errors":[{"code":"${huge}"}]}`);
      res
        .writeHead(403, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ errors: [{ code: 'DENIED', message: 'no', detail: { why: 'policy' } }] }));
    });
    const registry = client({ authConfig: { username: 'u', password: 'do-not-leak' } });
    await expect(registry.manifest(`${host}/x:unterminated`)).rejects.toBeInstanceOf(ProtocolError);
    await expect(registry.manifest(`${host}/x:norealm`)).rejects.toThrow(/no realm/);
    await expect(registry.manifest(`${host}/x:unknown`)).rejects.toMatchObject({
      statusCode: 401,
      registryCode: 'UNAUTHORIZED',
    });
    await expect(registry.manifest(`${host}/x:notjson`)).rejects.toBeInstanceOf(ProtocolError);
    const big = await registry.manifest(`${host}/x:bigerror`).catch((e: unknown) => e);
    expect(big).toBeInstanceOf(RegistryError);
    expect((big as RegistryError).message.length).toBeLessThan(1000);
    const denied = await registry.manifest(`${host}/x:denied`).catch((e: unknown) => e);
    expect(denied).toMatchObject({
      code: 'ERR_DOCKER_REGISTRY',
      statusCode: 403,
      registryCode: 'DENIED',
      errors: [{ code: 'DENIED', message: 'no', detail: { why: 'policy' } }],
    });
    for (const e of [big, denied]) expect(String((e as Error).message)).not.toContain('do-not-leak');
  });

  it('a 404 for a manifest is ManifestNotFound', async () => {
    const host = await fake((_req, res) =>
      res
        .writeHead(404, { 'Content-Type': 'application/json' })
        .end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}'),
    );
    await expect(client().resolve(`${host}/x:v1`)).rejects.toBeInstanceOf(ManifestNotFound);
    // a HEAD's answer has no body: the spec's code stands in for it; a GET's is the registry's own
    await expect(client().resolve(`${host}/x:v1`)).rejects.toMatchObject({
      statusCode: 404,
      registryCode: 'MANIFEST_UNKNOWN',
    });
    await expect(client().resolve(`${host}/x:v1`)).rejects.toThrow(/x:v1: 404 MANIFEST_UNKNOWN: manifest unknown$/);
    const bare = await fake((_req, res) => res.writeHead(404).end());
    await expect(client().manifest(`${bare}/x:v1`)).rejects.toMatchObject({
      code: 'ERR_DOCKER_MANIFEST_NOT_FOUND',
      registryCode: 'MANIFEST_UNKNOWN',
    });
  });
});

describe('retries, timeouts and cancellation', () => {
  it('a 429 is waited out for its Retry-After', async () => {
    const times: number[] = [];
    const host = await fake((_req, res) => {
      times.push(Date.now());
      if (times.length === 1)
        return res
          .writeHead(429, { 'Retry-After': '1', 'Content-Type': 'application/json' })
          .end('{"errors":[{"code":"TOOMANYREQUESTS"}]}');
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"name":"x","tags":["a"]}');
    });
    expect(await client().tags(`${host}/x`)).toEqual(['a']);
    expect(times.length).toBe(2);
    // the policy's own delay is 10 ms; a call whose deadline ends within the Retry-After second
    // never sends its second request: it was waiting out the Retry-After
    times.length = 0;
    await expect(client().tags(`${host}/x`, { deadline: 300 })).rejects.toMatchObject({
      code: 'ERR_DOCKER_TIMEOUT',
      kind: 'deadline',
    });
    expect(times.length).toBe(1);
  });

  it('a 5xx is tried again through the RetryPolicy, and the last one is the error', async () => {
    let calls = 0;
    const host = await fake((_req, res) => {
      calls++;
      if (calls < 3) return res.writeHead(503).end();
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"tags":["ok"]}');
    });
    expect(await client().tags(`${host}/x`)).toEqual(['ok']);
    expect(calls).toBe(3);
    const always = await fake((_req, res) => res.writeHead(502).end());
    await expect(
      client({ retry: { retries: 1, transient: () => true, delay: () => 1 } }).tags(`${always}/x`),
    ).rejects.toMatchObject({ statusCode: 502 });
  });

  it('timeouts and AbortSignal end a call that hangs', async () => {
    const host = await fake(() => undefined); // never answers
    await expect(client({ timeout: 300 }).resolve(`${host}/x:v1`)).rejects.toBeInstanceOf(TimeoutError);
    await expect(client().resolve(`${host}/x:v1`, { timeout: 300 })).rejects.toBeInstanceOf(TimeoutError);
    await expect(client().tags(`${host}/x`, { signal: AbortSignal.timeout(300) })).rejects.toBeInstanceOf(AbortError);
    await expect(
      drain(client().blob(`${host}/x`, digestOf('x'), { signal: AbortSignal.timeout(300) })),
    ).rejects.toBeInstanceOf(AbortError);
  });
});

describe('the referrers API', () => {
  const subject = digestOf('subject');
  const referrers = [
    {
      mediaType: MANIFEST,
      digest: digestOf('a'),
      size: 1,
      artifactType: 'application/a',
      annotations: { 'org.opencontainers.image.created': 'now' },
    },
    { mediaType: MANIFEST, digest: digestOf('b'), size: 1, artifactType: 'application/b' },
  ];

  function referrersApi(filters: boolean, paths: string[]): Handler {
    return (req, res) => {
      paths.push(req.url!);
      const url = new URL(req.url!, 'http://x');
      if (url.pathname !== `/v2/x/referrers/${subject}`) return res.writeHead(404).end();
      const type = url.searchParams.get('artifactType');
      const page = url.searchParams.get('page');
      const list = filters && type ? referrers.filter((r) => r.artifactType === type) : referrers;
      const headers: Record<string, string> = {
        'Content-Type': INDEX,
        ...(filters && type ? { 'OCI-Filters-Applied': 'artifactType' } : {}),
      };
      // two pages, the second by Link
      if (!page && !type) headers['Link'] = `</v2/x/referrers/${subject}?page=2>; rel="next"`;
      const manifests = !type ? (page ? list.slice(1) : list.slice(0, 1)) : list;
      res.writeHead(200, headers).end(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests }));
    };
  }

  it('reads the API, its pages, and its artifactType filter', async () => {
    const paths: string[] = [];
    const host = await fake(referrersApi(true, paths));
    expect(await client().referrers(`${host}/x@${subject}`)).toEqual(referrers);
    expect(await client().referrers(`${host}/x@${subject}`, { artifactType: 'application/b' })).toEqual([referrers[1]]);
    expect(paths).toContain(`/v2/x/referrers/${subject}?artifactType=application%2Fb`);
    expect(paths.some((p) => p.includes('/tags/') || p.includes('sha256-'))).toBe(false);
  });

  it('filters on its own side when the registry did not (no OCI-Filters-Applied)', async () => {
    const host = await fake(referrersApi(false, []));
    expect(await client().referrers(`${host}/x@${subject}`, { artifactType: 'application/a' })).toEqual([referrers[0]]);
  });
});

describe('transport', () => {
  it('HTTPS with SNI and a given CA; an untrusted certificate is refused', async () => {
    const certs = makeCerts();
    const server = createHttpsServer(
      { key: readFileSync(certs.serverKey), cert: readFileSync(certs.serverCert) },
      (req, res) =>
        res
          .writeHead(200, { 'Content-Type': 'application/json', 'X-Sni': String((req.socket as TLSSocket).servername) })
          .end('{}'),
    );
    const port = Number((await listen(server)).split(':')[1]);
    const origin = { secure: true, host: 'localhost', port };
    const trusting = new OriginTransport({ ca: readFileSync(certs.ca, 'utf8') });
    const response = await trusting.request(origin, { method: 'GET', path: '/v2/', timeout: 10_000 });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-sni']).toBe('localhost');
    await response.body.dump();
    await trusting.close();
    const untrusting = new OriginTransport();
    await expect(untrusting.request(origin, { method: 'GET', path: '/v2/', timeout: 10_000 })).rejects.toThrow(
      /not signed by a trusted CA/,
    );
    await untrusting.close();
  }, 60_000);
});
