// registry.attestations on a registry with the referrers API (registry 2.8, the one the
// integration tests run, has none): BuildKit 0.32's attestation manifests name their image as
// `subject`, so the API lists them among the image's referrers; they are given once, as the index's.
import { describe, expect, it } from 'vitest';
import { client, closeFakesAfterEach, digestOf, fake, INDEX, MANIFEST } from '../../support/fake-registry.js';

closeFakesAfterEach();

const IN_TOTO = 'application/vnd.in-toto+json';
const PROVENANCE = 'https://slsa.dev/provenance/v1';

/** Content by digest (and the index under tag `1`), as stored JSON or bytes. */
function store() {
  const blobs = new Map<string, Buffer>();
  const put = (content: unknown, mediaType: string) => {
    const bytes = Buffer.isBuffer(content) ? content : Buffer.from(JSON.stringify(content));
    const digest = digestOf(bytes);
    blobs.set(digest, bytes);
    return { mediaType, digest, size: bytes.length };
  };
  return { blobs, put };
}

describe('registry.attestations with the referrers API', () => {
  it('gives an attestation manifest the API lists as a referrer once, as the index\u2019s', async () => {
    const { blobs, put } = store();
    const config = put(
      { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } },
      'application/vnd.oci.image.config.v1+json',
    );
    const image = put({ schemaVersion: 2, mediaType: MANIFEST, config, layers: [] }, MANIFEST);
    const statement = put(
      {
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: 'x', digest: { sha256: image.digest.slice(7) } }],
        predicateType: PROVENANCE,
        predicate: { buildDefinition: {}, runDetails: {} },
      },
      IN_TOTO,
    );
    const attestation = put(
      {
        schemaVersion: 2,
        mediaType: MANIFEST,
        config: put(Buffer.from('{}'), 'application/vnd.oci.empty.v1+json'),
        layers: [{ ...statement, annotations: { 'in-toto.io/predicate-type': PROVENANCE } }],
        subject: image,
      },
      MANIFEST,
    );
    const index = put(
      {
        schemaVersion: 2,
        mediaType: INDEX,
        manifests: [
          { ...image, platform: { os: 'linux', architecture: 'amd64' } },
          {
            ...attestation,
            platform: { os: 'unknown', architecture: 'unknown' },
            annotations: {
              'vnd.docker.reference.type': 'attestation-manifest',
              'vnd.docker.reference.digest': image.digest,
            },
          },
        ],
      },
      INDEX,
    );
    const host = await fake((req, res) => {
      const [, , , kind, ref] = req.url!.split('?')[0]!.split('/');
      const send = (status: number, body: Buffer, type: string) => {
        res.writeHead(status, { 'Content-Type': type, 'Docker-Content-Digest': digestOf(body) });
        res.end(req.method === 'HEAD' ? undefined : body);
      };
      if (kind === 'referrers') {
        const manifests =
          ref === image.digest ? [{ ...attestation, artifactType: 'application/vnd.oci.empty.v1+json' }] : [];
        return send(200, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests })), INDEX);
      }
      const bytes = blobs.get(ref === '1' ? index.digest : ref!);
      if (bytes === undefined) {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        return void res.end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
      }
      const type =
        kind === 'manifests'
          ? ((JSON.parse(bytes.toString()) as { mediaType: string }).mediaType ?? MANIFEST)
          : 'application/octet-stream';
      send(200, bytes, type);
    });
    const list = await client().attestations(`${host}/x:1`);
    expect(list.map((a) => `${a.platform?.architecture} ${a.source} ${a.predicateType} ${a.manifest}`)).toEqual([
      `amd64 index ${PROVENANCE} ${attestation.digest}`,
    ]);
    expect(list.skipped).toEqual([]);
  });
});
