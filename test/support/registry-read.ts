// Reads what a build pushed from the loopback registry with dockwire's own registry client:
// manifests, indexes, blobs, and a layer's files, so tests compare images by content rather than by digest.
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { Registry } from '../../src/index.js';
import { readTar } from './tar.js';

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

// one client for the suite's reads: the loopback registries speak plain HTTP, without auth
const registry = new Registry();

/** The manifest (or index) `ref` names (or its `digest`), read with the registry client, and its digest. */
export async function readManifest(ref: string, digest?: string): Promise<{ digest: string; manifest: Manifest }> {
  const target = digest === undefined ? ref : `${ref.replace(/[:@][^/]*$/, '')}@${digest}`;
  const { descriptor, manifest } = await registry.manifest(target);
  return { digest: descriptor.digest, manifest: manifest as Manifest };
}

/** A blob of `ref`'s repository, read (and its digest checked) by the registry client. */
export async function readBlob(ref: string, digest: string): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of registry.blob(ref, digest)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Every file of the image's layers: `layer#/path type mode sha256(content)` lines, sorted within each layer. */
export async function layerFiles(
  ref: string,
  manifest: Manifest,
  options: { skipBase?: number } = {},
): Promise<string[][]> {
  const layers: string[][] = [];
  for (const layer of (manifest.layers ?? []).slice(options.skipBase ?? 0)) {
    const blob = await readBlob(ref, layer.digest);
    const tar = blob[0] === 0x1f && blob[1] === 0x8b ? gunzipSync(blob) : blob;
    layers.push(
      readTar(tar)
        .map(
          (e) =>
            `${e.name.replace(/\/$/, '')} ${e.type} ${(e.mode & 0o7777).toString(8)} ${e.type === 'file' ? createHash('sha256').update(e.content).digest('hex').slice(0, 16) : e.linkname}`,
        )
        .sort(),
    );
  }
  return layers;
}
