// Registry on its own, against a recording registry on 127.0.0.1: every misspelled option and
// malformed reference is InvalidArgument before any request, and each call sends the request the
// OCI distribution spec says (method, path, query, Accept, Content-Type, body).
import { describe, expect, it } from 'vitest';
import { InvalidArgument, Registry } from '../../../src/index.js';
import { client, closeFakesAfterEach, digestOf, drain, fake, INDEX, MANIFEST } from '../../support/fake-registry.js';

closeFakesAfterEach();

interface Seen {
  method: string;
  url: string;
  accept: string | undefined;
  contentType: string | undefined;
  authorization: string | undefined;
  body: string;
}

const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: MANIFEST,
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf('{}'), size: 2 },
  layers: [],
});
const blob = Buffer.from('a blob');

/** A registry that records each request and answers it as a registry that holds `x:v1` would. */
async function recording(): Promise<{ host: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const host = await fake((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => {
      const url = req.url!;
      seen.push({
        method: req.method!,
        url,
        accept: req.headers.accept,
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        body: Buffer.concat(parts).toString(),
      });
      if (url.includes('/manifests/') && req.method === 'DELETE') return res.writeHead(202).end();
      if (url.includes('/manifests/') && req.method === 'PUT')
        return res.writeHead(201, { 'Docker-Content-Digest': digestOf(Buffer.concat(parts)) }).end();
      if (url.includes('/manifests/'))
        return res
          .writeHead(200, {
            'Content-Type': MANIFEST,
            'Docker-Content-Digest': digestOf(manifest),
            'Content-Length': Buffer.byteLength(manifest),
          })
          .end(req.method === 'HEAD' ? undefined : manifest);
      if (url.includes('/tags/list'))
        return res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ name: 'ns/x', tags: ['v1', 'v2'] }));
      if (url.includes('/referrers/'))
        return res
          .writeHead(200, { 'Content-Type': INDEX, 'OCI-Filters-Applied': 'artifactType' })
          .end(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [] }));
      if (url.includes('/blobs/')) return res.writeHead(200, { 'Content-Length': blob.length }).end(blob);
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"NOT_FOUND"}]}');
    });
  });
  return { host, seen };
}

describe('Registry: options', () => {
  it('new Registry refuses a misspelled option (naming it, with the nearest name), a bad insecure list and a bad timeout', () => {
    expect(() => new Registry({ timeot: 1 } as never)).toThrow(InvalidArgument);
    expect(() => new Registry({ timeot: 1 } as never)).toThrow(/"timeot".*"timeout"/);
    expect(() => new Registry({ insecure: 'r.test' } as never)).toThrow(/insecure must be a list/);
    expect(() => new Registry({ insecure: [''] })).toThrow(/insecure must be a list/);
    expect(() => new Registry({ timeout: -1 })).toThrow(/timeout must be a number/);
    expect(() => new Registry({ timeout: Number.NaN })).toThrow(/timeout must be a number/);
  });

  it('every call refuses a misspelled option, naming the call and the option, before any request', async () => {
    const { host, seen } = await recording();
    const registry = client();
    const ref = `${host}/x:v1`;
    const bad = { platfrom: 'linux/amd64' } as never;
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['registry.resolve', () => registry.resolve(ref, bad)],
      ['registry.manifest', () => registry.manifest(ref, bad)],
      ['registry.config', () => registry.config(ref, bad)],
      ['registry.platforms', () => registry.platforms(ref, bad)],
      ['registry.tags', () => registry.tags(`${host}/x`, bad)],
      ['registry.referrers', () => registry.referrers(ref, bad)],
      ['registry.pushBlob', () => registry.pushBlob(`${host}/x`, blob, bad)],
      ['registry.pushManifest', () => registry.pushManifest(ref, Buffer.from(manifest), bad)],
      ['registry.tag', () => registry.tag(ref, 'v2', bad)],
      ['registry.delete', () => registry.delete(ref, bad)],
      ['registry.attach', () => registry.attach(ref, bad)],
      ['registry.blob', () => drain(registry.blob(`${host}/x`, digestOf(blob), bad))],
      ['registry.readFile', () => registry.readFile(ref, '/etc/os-release', bad)],
      ['registry.copy', async () => registry.copy(ref, `${host}/y:v1`, bad)],
    ];
    for (const [where, call] of calls) {
      const error = await call().catch((e: unknown) => e);
      expect(error, where).toBeInstanceOf(InvalidArgument);
      expect((error as Error).message, where).toContain(where);
      expect((error as Error).message, where).toContain('"platfrom"');
    }
    expect(seen).toEqual([]);
  });

  it('a bad pageSize or artifactType is refused before any request', async () => {
    const { host, seen } = await recording();
    const registry = client();
    await expect(registry.tags(`${host}/x`, { pageSize: 0 })).rejects.toThrow(
      /pageSize must be a positive whole number/,
    );
    await expect(registry.tags(`${host}/x`, { pageSize: 1.5 })).rejects.toBeInstanceOf(InvalidArgument);
    await expect(registry.referrers(`${host}/x@${digestOf('s')}`, { artifactType: '' })).rejects.toThrow(
      /artifactType must be a non-empty string/,
    );
    expect(seen).toEqual([]);
  });
});

describe('Registry: references', () => {
  it('refuses a malformed reference, digest or tag before any request', async () => {
    const { host, seen } = await recording();
    const registry = client();
    for (const ref of [`${host}/UPPER:v1`, `${host}/x:bad tag`, `${host}/x@sha256:abc`, '', `${host}/x::v1`]) {
      await expect(registry.resolve(ref), ref).rejects.toBeInstanceOf(InvalidArgument);
      expect(seen, ref).toEqual([]);
    }
    await expect(registry.tag(`${host}/x:v1`, 'bad tag')).rejects.toBeInstanceOf(InvalidArgument);
    await expect(registry.tags(`${host}/x:v1`)).rejects.toBeInstanceOf(InvalidArgument);
    await expect(drain(registry.blob(`${host}/x`, 'sha256:short'))).rejects.toBeInstanceOf(InvalidArgument);
    expect(seen).toEqual([]);
  });
});

describe('Registry: requests', () => {
  it('resolve is a HEAD of the manifest with every manifest media type accepted; manifest a GET of the same path', async () => {
    const { host, seen } = await recording();
    const registry = client();
    expect(await registry.resolve(`${host}/ns/x:v1`)).toEqual({
      mediaType: MANIFEST,
      digest: digestOf(manifest),
      size: Buffer.byteLength(manifest),
    });
    expect(Buffer.from((await registry.manifest(`${host}/ns/x@${digestOf(manifest)}`)).bytes).toString()).toBe(
      manifest,
    );
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      `HEAD /v2/ns/x/manifests/v1`,
      `GET /v2/ns/x/manifests/${digestOf(manifest)}`,
    ]);
    for (const s of seen) {
      const accepted = s.accept!.split(',').map((t) => t.trim());
      expect(accepted).toEqual(
        expect.arrayContaining([
          MANIFEST,
          INDEX,
          'application/vnd.docker.distribution.manifest.v2+json',
          'application/vnd.docker.distribution.manifest.list.v2+json',
        ]),
      );
    }
  });

  it('tags asks for a page size with n; blob, referrers and delete go to their endpoints', async () => {
    const { host, seen } = await recording();
    const registry = client();
    expect(await registry.tags(`${host}/ns/x`, { pageSize: 2 })).toEqual(['v1', 'v2']);
    expect((await drain(registry.blob(`${host}/ns/x`, digestOf(blob)))).bytes.equals(blob)).toBe(true);
    const subject = digestOf('subject');
    expect(await registry.referrers(`${host}/ns/x@${subject}`, { artifactType: 'application/a' })).toEqual([]);
    await registry.delete(`${host}/ns/x@${digestOf(manifest)}`);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /v2/ns/x/tags/list?n=2',
      `GET /v2/ns/x/blobs/${digestOf(blob)}`,
      `GET /v2/ns/x/referrers/${subject}?artifactType=application%2Fa`,
      `DELETE /v2/ns/x/manifests/${digestOf(manifest)}`,
    ]);
  });

  it('pushManifest PUTs its exact bytes with its media type, and answers their digest', async () => {
    const { host, seen } = await recording();
    const bytes = Buffer.from(manifest);
    const pushed = await client().pushManifest(`${host}/ns/x:v2`, bytes);
    expect(pushed).toMatchObject({ mediaType: MANIFEST, digest: digestOf(bytes), size: bytes.length });
    expect(seen).toEqual([
      expect.objectContaining({
        method: 'PUT',
        url: '/v2/ns/x/manifests/v2',
        contentType: MANIFEST,
        authorization: undefined,
        body: manifest,
      }),
    ]);
  });

  it('a call\u2019s authConfig answers the registry\u2019s Basic challenge, and only that call\u2019s', async () => {
    const seen: Array<string | undefined> = [];
    const host = await fake((req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization === undefined)
        return res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fake"' }).end();
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"tags":["v1"]}');
    });
    const registry = client();
    expect(await registry.tags(`${host}/x`, { authConfig: { username: 'u', password: 'p' } })).toEqual(['v1']);
    expect(seen).toEqual([undefined, `Basic ${Buffer.from('u:p').toString('base64')}`]);
    await expect(registry.tags(`${host}/x`)).rejects.toMatchObject({ statusCode: 401 });
  });
});
