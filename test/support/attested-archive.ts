// An OCI image archive with an attestation, written by the test itself with dockwire's tar packer,
// laid out as BuildKit stores attestations: the layout's index.json names an image index whose
// manifests are a linux/amd64 image (one small layer, its config) and an attestation manifest
// (platform unknown/unknown, `vnd.docker.reference.type: attestation-manifest`, pointing at the
// image manifest) whose one layer is an in-toto statement about that image.
import { createHash } from 'node:crypto';
import { packed } from './tar.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const IN_TOTO = 'application/vnd.in-toto+json';

export interface AttestedArchive {
  archive: Buffer;
  /** The name the archive loads as (`repository:tag`). */
  name: string;
  indexDigest: string;
  imageManifestDigest: string;
  statementDigest: string;
  predicateType: string;
  /** The in-toto statement, as the archive holds it. */
  statement: {
    _type: string;
    subject: Array<{ name: string; digest: Record<string, string> }>;
    predicateType: string;
    predicate: Record<string, unknown>;
  };
}

interface Blob {
  bytes: Buffer;
  digest: string;
}

function blob(content: string | Buffer): Blob {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  return { bytes, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
}

function descriptor(mediaType: string, b: Blob, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { mediaType, digest: b.digest, size: b.bytes.length, ...extra };
}

/**
 * attestedArchive: the archive of `repository:tag` (a Docker Hub style name, which the engine
 * records fully qualified, as containerd names it), its statement's predicate carrying `marker`.
 */
export async function attestedArchive(repository: string, tag: string, marker: string): Promise<AttestedArchive> {
  const hello = Buffer.from(`${marker}\n`);
  const layer = blob(
    await packed([
      { name: 'hello.txt', type: 'file', mode: 0o644, size: hello.length, mtime: 0, content: () => [hello] },
    ]),
  );
  const config = blob(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
    }),
  );
  const image = blob(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: descriptor(OCI_CONFIG, config),
      layers: [descriptor('application/vnd.oci.image.layer.v1.tar', layer)],
    }),
  );

  const predicateType = 'https://dockwire.test/attestation/v1';
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [
      { name: `pkg:docker/${repository}@${tag}?platform=linux%2Famd64`, digest: { sha256: image.digest.slice(7) } },
    ],
    predicateType,
    predicate: { marker },
  };
  const statementBlob = blob(JSON.stringify(statement));
  const attestationConfig = blob(
    JSON.stringify({
      architecture: 'unknown',
      os: 'unknown',
      config: {},
      rootfs: { type: 'layers', diff_ids: [statementBlob.digest] },
    }),
  );
  const attestation = blob(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: descriptor(OCI_CONFIG, attestationConfig),
      layers: [descriptor(IN_TOTO, statementBlob, { annotations: { 'in-toto.io/predicate-type': predicateType } })],
    }),
  );
  const index = blob(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        descriptor(OCI_MANIFEST, image, { platform: { architecture: 'amd64', os: 'linux' } }),
        descriptor(OCI_MANIFEST, attestation, {
          platform: { architecture: 'unknown', os: 'unknown' },
          annotations: {
            'vnd.docker.reference.type': 'attestation-manifest',
            'vnd.docker.reference.digest': image.digest,
          },
        }),
      ],
    }),
  );
  const layout = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      descriptor(OCI_INDEX, index, {
        annotations: {
          'io.containerd.image.name': `docker.io/${repository}:${tag}`,
          'org.opencontainers.image.ref.name': tag,
        },
      }),
    ],
  };
  const file = (name: string, bytes: Buffer) => ({
    name,
    type: 'file' as const,
    mode: 0o644,
    size: bytes.length,
    mtime: 0,
    content: () => [bytes],
  });
  const blobs = [layer, config, image, statementBlob, attestationConfig, attestation, index];
  const archive = await packed([
    file('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' }))),
    file('index.json', Buffer.from(JSON.stringify(layout))),
    ...blobs.map((b) => file(`blobs/sha256/${b.digest.slice(7)}`, b.bytes)),
  ]);
  return {
    archive,
    name: `${repository}:${tag}`,
    indexDigest: index.digest,
    imageManifestDigest: image.digest,
    statementDigest: statementBlob.digest,
    predicateType,
    statement,
  };
}
