// The images made, written without a registry: a docker-archive tar (manifest.json, the config
// and each layer under blobs/sha256/, which `docker load` reads from 20.10 on, compressed layers
// included), or an OCI image layout (oci-layout, index.json naming the image, blobs/), as a
// folder or as a tar. A tar is packed as it streams: every size is known before its bytes are
// read, so it goes to a file or straight into a stream (`docker.images.load`) with nothing kept.
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgument } from '../errors.js';
import { OCI_INDEX, type Descriptor } from '../oci.js';
import { pack, type PackEntry } from '../tar/packer.js';
import { DigestVerifier, verifiedChunks } from '../digest.js';
import type { BuiltImages } from './images.js';
import type { FileOutput, StreamOutput } from './types.js';

/** Reads a blob the images name (a base layer, or an added one), by its descriptor. */
export type BlobReader = (descriptor: Descriptor) => AsyncIterable<Uint8Array>;

/** The blob `descriptor` names, read and checked against its digest before its last chunk is handed on. */
function checkedBlob(read: BlobReader, descriptor: Descriptor): AsyncIterable<Uint8Array> {
  // (copied: a reader may reuse its chunk's memory once the next is asked for)
  return verifiedChunks(read(descriptor), new DigestVerifier(descriptor.digest), `blob ${descriptor.digest}`, {
    copy: true,
  });
}

const encoder = new TextEncoder();

/** `tag` split for the two archive formats: the full name (`repo:tag`) and the tag alone; `latest` when none is given. */
export function archiveNames(tag: string | undefined): { full: string | undefined; ref: string } {
  if (tag === undefined) return { full: undefined, ref: 'latest' };
  const slash = tag.lastIndexOf('/');
  const colon = tag.lastIndexOf(':');
  if (colon > slash) return { full: tag, ref: tag.slice(colon + 1) };
  if (slash === -1 && !tag.includes('.')) return { full: undefined, ref: tag }; // a tag alone
  return { full: `${tag}:latest`, ref: 'latest' };
}

function blobName(digest: string): string {
  return `blobs/${digest.replace(':', '/')}`;
}

/** Every blob the images name once (configs, layers, manifests when `manifests`), in order. */
function blobsOf(built: BuiltImages, manifests: boolean): Array<{ descriptor: Descriptor; bytes?: Uint8Array }> {
  const seen = new Map<string, { descriptor: Descriptor; bytes?: Uint8Array }>();
  for (const image of built.images) {
    for (const layer of image.manifest.layers)
      if (!seen.has(layer.digest)) seen.set(layer.digest, { descriptor: layer });
    seen.set(image.configDescriptor.digest, { descriptor: image.configDescriptor, bytes: image.configBytes });
    if (manifests) seen.set(image.descriptor.digest, { descriptor: image.descriptor, bytes: image.manifestBytes });
  }
  if (manifests && built.images.length > 1)
    seen.set(built.top.descriptor.digest, { descriptor: built.top.descriptor, bytes: built.top.bytes });
  return [...seen.values()];
}

function fileEntry(
  name: string,
  size: number,
  mtime: number,
  content: () => AsyncIterable<Uint8Array> | Uint8Array[],
): PackEntry {
  return { name, type: 'file', mode: 0o644, size, mtime, uid: 0, gid: 0, content };
}

function blobEntries(built: BuiltImages, read: BlobReader, manifests: boolean, mtime: number): PackEntry[] {
  const dirs: PackEntry[] = ['blobs', 'blobs/sha256'].map((name) => ({
    name,
    type: 'directory',
    mode: 0o755,
    size: 0,
    mtime,
    uid: 0,
    gid: 0,
  }));
  return [
    ...dirs,
    ...blobsOf(built, manifests).map(({ descriptor, bytes }) =>
      fileEntry(blobName(descriptor.digest), descriptor.size, mtime, () =>
        bytes ? [bytes] : checkedBlob(read, descriptor),
      ),
    ),
  ];
}

/** The OCI layout's index.json: the top manifest, named. */
function layoutIndex(built: BuiltImages, tag: string | undefined): Uint8Array {
  const names = archiveNames(tag);
  const annotations: Record<string, string> = {
    'org.opencontainers.image.ref.name': names.ref,
    ...(names.full ? { 'io.containerd.image.name': names.full } : {}),
  };
  return encoder.encode(
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ ...built.top.descriptor, annotations }] }),
  );
}

const OCI_LAYOUT = encoder.encode(JSON.stringify({ imageLayoutVersion: '1.0.0' }));

/** A docker-archive of the one image in `built`, as a tar stream. */
export function dockerArchive(
  built: BuiltImages,
  read: BlobReader,
  tag: string | undefined,
  mtime = 0,
): AsyncIterable<Uint8Array> {
  if (built.images.length !== 1)
    throw new InvalidArgument(
      `to.format: a docker-archive holds one platform's image, and this makes ${built.images.length}: narrow it with platforms`,
    );
  const image = built.images[0]!;
  const full = archiveNames(tag).full;
  const manifest = encoder.encode(
    JSON.stringify([
      {
        Config: blobName(image.configDescriptor.digest),
        RepoTags: full ? [full] : null,
        Layers: image.manifest.layers.map((l) => blobName(l.digest)),
      },
    ]),
  );
  return pack([
    ...blobEntries(built, read, false, mtime),
    fileEntry('manifest.json', manifest.length, mtime, () => [manifest]),
  ]);
}

/** An OCI layout of `built`, as a tar stream. */
export function ociLayoutTar(
  built: BuiltImages,
  read: BlobReader,
  tag: string | undefined,
  mtime = 0,
): AsyncIterable<Uint8Array> {
  const index = layoutIndex(built, tag);
  return pack([
    fileEntry('oci-layout', OCI_LAYOUT.length, mtime, () => [OCI_LAYOUT]),
    ...blobEntries(built, read, true, mtime),
    fileEntry('index.json', index.length, mtime, () => [index]),
  ]);
}

/** Writes an OCI layout of `built` into the folder `dir` (made if missing; blobs it has already are kept). */
export async function writeOciLayout(
  dir: string,
  built: BuiltImages,
  read: BlobReader,
  tag: string | undefined,
): Promise<void> {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), OCI_LAYOUT);
  for (const { descriptor, bytes } of blobsOf(built, true)) {
    const path = join(dir, blobName(descriptor.digest));
    if (existsSync(path) && statSync(path).size === descriptor.size) continue;
    const partial = `${path}.partial`;
    if (bytes) writeFileSync(partial, bytes);
    else
      await pipeline(Readable.from(checkedBlob(read, descriptor), { objectMode: false }), createWriteStream(partial));
    renameSync(partial, path);
  }
  writeFileSync(join(dir, 'index.json'), layoutIndex(built, tag));
}

/** Writes `tar` into `stream` (a Node Writable or a web WritableStream), with backpressure, and ends it. */
export async function writeToStream(tar: AsyncIterable<Uint8Array>, stream: StreamOutput['stream']): Promise<void> {
  if (typeof (stream as WritableStream<Uint8Array>).getWriter === 'function') {
    const writer = (stream as WritableStream<Uint8Array>).getWriter();
    try {
      for await (const chunk of tar) await writer.write(chunk);
      await writer.close();
    } catch (error) {
      await writer.abort(error).catch(() => {});
      throw error;
    }
    return;
  }
  await pipeline(Readable.from(tar, { objectMode: false }), stream as NodeJS.WritableStream);
}

/** Ends `stream` with `error`, so that its reader (a `docker.images.load`) fails rather than waits: for an append that failed before or while writing it. */
export function abortStream(stream: StreamOutput['stream'], error: unknown): void {
  if (typeof (stream as WritableStream<Uint8Array>).getWriter === 'function') {
    const web = stream as WritableStream<Uint8Array>;
    if (!web.locked) void web.abort(error).catch(() => {});
    return;
  }
  const node = stream as NodeJS.WritableStream & { destroy?: (error?: Error) => void; destroyed?: boolean };
  if (typeof node.destroy === 'function' && !node.destroyed)
    node.destroy(error instanceof Error ? error : new Error(String(error)));
}

/** Writes `built` where `output` says: a file (a docker-archive, an OCI layout folder, or its tar) or a stream. */
export async function writeImages(
  output: FileOutput | StreamOutput,
  built: BuiltImages,
  read: BlobReader,
  mtime = 0,
): Promise<void> {
  if ('stream' in output) {
    const format = output.format ?? 'docker';
    return writeToStream(
      format === 'docker'
        ? dockerArchive(built, read, output.tag, mtime)
        : ociLayoutTar(built, read, output.tag, mtime),
      output.stream,
    );
  }
  const format = output.format ?? 'oci';
  if (format === 'oci' && !output.path.endsWith('.tar')) return writeOciLayout(output.path, built, read, output.tag);
  const tar =
    format === 'docker' ? dockerArchive(built, read, output.tag, mtime) : ociLayoutTar(built, read, output.tag, mtime);
  const partial = `${output.path}.partial`;
  await pipeline(Readable.from(tar, { objectMode: false }), createWriteStream(partial));
  renameSync(partial, output.path);
}
