// The write half of the registry client: blobs pushed (skipped when the registry has them),
// manifests put under a tag or digest, a manifest copied under another tag, manifests deleted.
import { InvalidArgument } from '../errors.js';
import { fileChunks, stat } from '../files.js';
import type { Descriptor, Manifest } from '../oci.js';
import { toBodySource, type BinarySource } from '../stream/body-source.js';
import type { TransportResponse } from '../transport/types.js';
import { ContentHash, checkDigest, digestOf, verifyBytes } from '../digest.js';
import type { PushBlobOptions, PushManifestOptions, RegistryCallOptions } from './options.js';
import { MAX_MANIFEST_SIZE } from './bounds.js';
import { isDigest, parseJson, type Repository } from './repository.js';
import { uploadBlob, type UploadSource } from './upload.js';

/** What a manifest put gives: its descriptor, and the registry's answer (its OCI-Subject). */
export interface PutManifest {
  descriptor: Descriptor;
  response: TransportResponse;
}

/** Pushes a blob (bytes, a stream, or a file's path) to `repository`; see Registry.pushBlob. */
export async function pushBlob(
  repository: Repository,
  data: BinarySource | string,
  options: PushBlobOptions,
): Promise<Descriptor> {
  if (options.digest !== undefined) checkDigest(options.digest);
  if (options.size !== undefined && !(Number.isSafeInteger(options.size) && options.size >= 0)) {
    throw new InvalidArgument('size must be a whole number of bytes');
  }
  if (options.chunkSize !== undefined && !(Number.isSafeInteger(options.chunkSize) && options.chunkSize > 0)) {
    throw new InvalidArgument('chunkSize must be a positive whole number of bytes');
  }
  let source: UploadSource;
  if (typeof data === 'string') {
    const fail = (error: NodeJS.ErrnoException): Error =>
      new InvalidArgument(`cannot read ${data}: ${error.code ?? error.message}`);
    const size = (await stat(data).catch((error: NodeJS.ErrnoException) => Promise.reject(fail(error)))).size;
    let digest = options.digest;
    if (digest === undefined) {
      const hash = new ContentHash();
      for await (const chunk of fileChunks(data, undefined, fail)) hash.update(chunk);
      digest = hash.digest();
    }
    source = { data: fileChunks(data, undefined, fail), size, digest };
  } else {
    source = {
      data: toBodySource(data, 'data'),
      ...(options.size !== undefined ? { size: options.size } : {}),
      ...(options.digest !== undefined ? { digest: options.digest } : {}),
    };
  }
  const send = repository.uploader(`a blob to ${repository.name}`, options);
  const { digest, size } = await uploadBlob(
    send,
    repository.repository,
    source,
    (location) => repository.location(location),
    options.chunkSize,
  );
  return { mediaType: options.mediaType ?? 'application/octet-stream', digest, size };
}

/**
 * Puts a manifest (an object, sent as JSON, or its exact bytes) under `which` (a tag or a digest
 * the bytes must hash to), its media type `mediaType` or the manifest's own.
 */
export async function putManifest(
  repository: Repository,
  which: string,
  manifest: Manifest | Uint8Array,
  options: PushManifestOptions,
): Promise<PutManifest> {
  let bytes: Uint8Array;
  if (manifest instanceof Uint8Array) bytes = manifest;
  else if (manifest !== null && typeof manifest === 'object')
    bytes = new TextEncoder().encode(JSON.stringify(manifest));
  else throw new InvalidArgument('manifest must be an object or its bytes');
  if (bytes.length > MAX_MANIFEST_SIZE)
    throw new InvalidArgument(`the manifest is ${bytes.length} bytes, more than ${MAX_MANIFEST_SIZE}`);
  const own =
    manifest instanceof Uint8Array
      ? parseJson<{ mediaType?: unknown }>(bytes, 'the manifest').mediaType
      : manifest.mediaType;
  const mediaType = options.mediaType ?? own;
  if (typeof mediaType !== 'string' || mediaType === '')
    throw new InvalidArgument('the manifest has no mediaType: give one');
  if (isDigest(which)) verifyBytes(bytes, which, 'the manifest to push');
  const digest = isDigest(which) ? which : digestOf(bytes);
  const response = await repository.send(
    {
      method: 'PUT',
      path: repository.manifestPath(which),
      headers: { 'Content-Type': mediaType },
      body: bytes,
      scopes: [repository.scope('push')],
    },
    `PUT the manifest ${repository.name}:${which}`,
    options,
  );
  await response.body.dump();
  return { descriptor: { mediaType, digest, size: bytes.length }, response };
}

/** Puts `bytes` under their own digest. */
export function putManifestByDigest(
  repository: Repository,
  bytes: Uint8Array,
  mediaType: string,
  call: RegistryCallOptions,
): Promise<PutManifest> {
  return putManifest(repository, digestOf(bytes), bytes, { ...call, mediaType });
}

/** The manifest `which` of `repository` put under `tag` as it is (its exact bytes, so its digest). */
export async function retag(
  repository: Repository,
  which: string,
  tag: string,
  call: RegistryCallOptions,
): Promise<Descriptor> {
  const { bytes, descriptor } = await repository.manifest(which, call);
  return (await putManifest(repository, tag, bytes, { ...call, mediaType: descriptor.mediaType })).descriptor;
}

/** Deletes the manifest `which` (a digest, or a tag where the registry allows it). */
export async function deleteManifest(repository: Repository, which: string, call: RegistryCallOptions): Promise<void> {
  const response = await repository.send(
    { method: 'DELETE', path: repository.manifestPath(which), scopes: [repository.scope('delete')] },
    `DELETE ${repository.name}@${which}`,
    call,
  );
  await response.body.dump();
}
