// Image archives made here, layer by layer, as `docker save` writes them: docker-archive (Docker
// 20.10: manifest.json, <config>.json, <id>/layer.tar) and OCI image layouts (Docker 25+: index.json,
// oci-layout, blobs/, manifest.json), layers plain or gzip-compressed.
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import type { PackEntry } from '../../src/tar/packer.js';
import { packed } from './tar.js';

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const T = 1_700_000_000;

export const file = (name: string, content: string, extra: Partial<PackEntry> = {}): PackEntry => ({
  name,
  type: 'file',
  mode: 0o644,
  size: Buffer.byteLength(content),
  mtime: T,
  content: () => [Buffer.from(content)],
  ...extra,
});
export const dir = (name: string, mode = 0o755): PackEntry => ({ name, type: 'directory', mode, size: 0, mtime: T });
export const symlink = (name: string, linkname: string): PackEntry => ({
  name,
  type: 'symlink',
  mode: 0o777,
  size: 0,
  mtime: T,
  linkname,
});
export const hardlink = (name: string, linkname: string): PackEntry => ({
  name,
  type: 'hardlink',
  mode: 0o644,
  size: 0,
  mtime: T,
  linkname,
});
export const whiteout = (path: string): PackEntry => {
  const i = path.lastIndexOf('/');
  return file(i === -1 ? `.wh.${path}` : `${path.slice(0, i)}/.wh.${path.slice(i + 1)}`, '');
};
export const opaque = (path: string): PackEntry => file(`${path}/.wh..wh..opq`, '');

/** member: a file of an archive's tar, `bytes` its content. */
export const member = (name: string, bytes: Uint8Array): PackEntry => ({
  name,
  type: 'file',
  mode: 0o644,
  size: bytes.length,
  mtime: 0,
  content: () => [bytes],
});

export interface ArchiveOptions {
  tag?: string;
  platform?: { os: string; architecture: string; variant?: string };
  compression?: 'none' | 'gzip' | 'zstd';
  /** Raw layer bytes instead of packing (for hostile or odd layers). */
  rawLayers?: Uint8Array[];
}

async function layerTars(layers: PackEntry[][], options: ArchiveOptions): Promise<Buffer[]> {
  return options.rawLayers?.map((b) => Buffer.from(b)) ?? Promise.all(layers.map((entries) => packed(entries)));
}

function configOf(tars: Buffer[], options: ArchiveOptions): Buffer {
  const platform = options.platform ?? { os: 'linux', architecture: 'amd64' };
  return Buffer.from(
    JSON.stringify({
      ...platform,
      config: {},
      rootfs: { type: 'layers', diff_ids: tars.map((t) => `sha256:${sha(t)}`) },
    }),
  );
}

/** A docker-archive of one image whose layers hold `layers`. */
export async function dockerArchive(layers: PackEntry[][], options: ArchiveOptions = {}): Promise<Buffer> {
  const tars = await layerTars(layers, options);
  const config = configOf(tars, options);
  const ids = tars.map((t, i) => sha(Buffer.concat([t, Buffer.from(String(i))])));
  const manifest = [
    {
      Config: `${sha(config)}.json`,
      RepoTags: options.tag ? [options.tag] : null,
      Layers: ids.map((id) => `${id}/layer.tar`),
    },
  ];
  return packed([
    ...ids.flatMap((id, i) => [
      { name: id, type: 'directory' as const, mode: 0o755, size: 0, mtime: 0 },
      member(`${id}/layer.tar`, tars[i]!),
    ]),
    member(`${sha(config)}.json`, config),
    member('manifest.json', Buffer.from(JSON.stringify(manifest))),
  ]);
}

/** An OCI image layout (as Docker 25+ saves) of one image, or of several platforms of one. */
export async function ociLayout(
  images: Array<{ layers: PackEntry[][]; options?: ArchiveOptions }>,
  tag = 'dockwire-test/x:1',
): Promise<Buffer> {
  const blobs = new Map<string, Uint8Array>();
  const put = (bytes: Uint8Array): { digest: string; size: number } => {
    const digest = `sha256:${sha(bytes)}`;
    blobs.set(digest, bytes);
    return { digest, size: bytes.length };
  };
  const manifests = [];
  const saved = [];
  for (const { layers, options = {} } of images) {
    const tars = await layerTars(layers, options);
    const compression = options.compression ?? 'gzip';
    const stored = tars.map((t) => (compression === 'gzip' ? zlib.gzipSync(t) : compression === 'zstd' ? zstd(t) : t));
    const config = configOf(tars, options);
    const configRef = put(config);
    const layerRefs = stored.map((b) => ({
      mediaType: `application/vnd.oci.image.layer.v1.tar${compression === 'none' ? '' : `+${compression}`}`,
      ...put(b),
    }));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...configRef },
        layers: layerRefs,
      }),
    );
    manifests.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      ...put(manifest),
      platform: options.platform ?? { os: 'linux', architecture: 'amd64' },
    });
    saved.push({
      Config: `blobs/sha256/${configRef.digest.slice(7)}`,
      RepoTags: [tag],
      Layers: layerRefs.map((l) => `blobs/sha256/${l.digest.slice(7)}`),
    });
  }
  const imageIndex = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }),
  );
  const top = {
    mediaType: 'application/vnd.oci.image.index.v1+json',
    ...put(imageIndex),
    annotations: {
      'io.containerd.image.name': `docker.io/${tag}`,
      'org.opencontainers.image.ref.name': tag.split(':')[1],
    },
  };
  return packed([
    { name: 'blobs', type: 'directory', mode: 0o755, size: 0, mtime: 0 },
    { name: 'blobs/sha256', type: 'directory', mode: 0o755, size: 0, mtime: 0 },
    ...[...blobs].map(([digest, bytes]) => member(`blobs/sha256/${digest.slice(7)}`, bytes)),
    member(
      'index.json',
      Buffer.from(
        JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [top] }),
      ),
    ),
    member('manifest.json', Buffer.from(JSON.stringify(saved))),
    member('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}')),
  ]);
}

/** zstd-compressed bytes where the runtime can make them; else the zstd magic number and garbage (enough for the error). */
function zstd(bytes: Uint8Array): Uint8Array {
  const compress = (zlib as { zstdCompressSync?: (b: Uint8Array) => Uint8Array }).zstdCompressSync;
  return typeof compress === 'function'
    ? compress(bytes)
    : Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(16)]);
}
