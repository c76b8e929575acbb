// A two-platform image in the open loopback registry, made as a registry holds one: an image for
// linux/amd64 and one for linux/arm64 (each imported with that platform and pushed by tag), then
// an OCI index naming both, PUT through the registry's own API. Nothing is pulled from outside.
import { engine, uniqueName } from './engine.js';
import { dockerCli, importImage, removeQuietly } from './images.js';

export interface MultiPlatformImage {
  repository: string;
  /** `repository:index`, the index's tag. */
  reference: string;
  indexDigest: string;
  /** Each platform's manifest digest, by `os/arch`. */
  manifests: Record<'linux/amd64' | 'linux/arm64', string>;
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

async function registry(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(`http://${engine.registry}/v2/${path}`, init);
  if (!response.ok)
    throw new Error(`registry ${init.method ?? 'GET'} ${path}: ${response.status} ${await response.text()}`);
  return response;
}

export async function pushMultiPlatformImage(): Promise<MultiPlatformImage> {
  const name = `dockwire/multi-${uniqueName('m')}`;
  const repository = `${engine.registry}/${name}`;
  const manifests: Array<{
    mediaType: string;
    digest: string;
    size: number;
    platform: { os: string; architecture: string };
  }> = [];
  for (const architecture of ['amd64', 'arm64']) {
    const tag = `${repository}:${architecture}`;
    importImage({ tag, platform: `linux/${architecture}` });
    dockerCli(['push', tag]);
    removeQuietly(tag);
    const head = await registry(`${name}/manifests/${architecture}`, {
      method: 'HEAD',
      headers: { Accept: MANIFEST_TYPES.join(', ') },
    });
    manifests.push({
      mediaType: head.headers.get('content-type')!,
      digest: head.headers.get('docker-content-digest')!,
      size: Number(head.headers.get('content-length')),
      platform: { os: 'linux', architecture },
    });
  }
  const index = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests });
  const put = await registry(`${name}/manifests/index`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' },
    body: index,
  });
  return {
    repository,
    reference: `${repository}:index`,
    indexDigest: put.headers.get('docker-content-digest')!,
    manifests: { 'linux/amd64': manifests[0]!.digest, 'linux/arm64': manifests[1]!.digest },
  };
}
