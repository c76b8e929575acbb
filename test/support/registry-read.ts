// Reads what a build pushed, straight from the loopback registry (plain HTTP, no auth): manifests,
// indexes, blobs, and a layer's files, so tests compare images by content rather than by digest.
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { readTar } from './tar.js';

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface Manifest {
  mediaType?: string;
  manifests?: Descriptor[];
  layers?: Descriptor[];
  config?: Descriptor;
}

function split(ref: string): { host: string; repo: string; tag: string } {
  const slash = ref.indexOf('/');
  const host = ref.slice(0, slash);
  const rest = ref.slice(slash + 1);
  const at = rest.indexOf('@');
  if (at >= 0) return { host, repo: rest.slice(0, at), tag: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(':');
  return { host, repo: rest.slice(0, colon), tag: rest.slice(colon + 1) };
}

/** The manifest (or index) `ref` names, and its digest. */
export async function readManifest(ref: string, digest?: string): Promise<{ digest: string; manifest: Manifest }> {
  const { host, repo, tag } = split(ref);
  const response = await fetch(`http://${host}/v2/${repo}/manifests/${digest ?? tag}`, { headers: { Accept: ACCEPT } });
  if (!response.ok) throw new Error(`GET manifest ${ref}: ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, manifest: JSON.parse(bytes.toString('utf8')) as Manifest };
}

export async function readBlob(ref: string, digest: string): Promise<Buffer> {
  const { host, repo } = split(ref);
  const response = await fetch(`http://${host}/v2/${repo}/blobs/${digest}`);
  if (!response.ok) throw new Error(`GET blob ${digest}: ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** Every file of the image's layers: `layer#/path type mode sha256(content)` lines, sorted within each layer. */
export async function layerFiles(ref: string, manifest: Manifest, options: { skipBase?: number } = {}): Promise<string[][]> {
  const layers: string[][] = [];
  for (const layer of (manifest.layers ?? []).slice(options.skipBase ?? 0)) {
    const blob = await readBlob(ref, layer.digest);
    const tar = blob[0] === 0x1f && blob[1] === 0x8b ? gunzipSync(blob) : blob;
    layers.push(
      readTar(tar)
        .map((e) => `${e.name.replace(/\/$/, '')} ${e.type} ${(e.mode & 0o7777).toString(8)} ${e.type === 'file' ? createHash('sha256').update(e.content).digest('hex').slice(0, 16) : e.linkname}`)
        .sort(),
    );
  }
  return layers;
}
