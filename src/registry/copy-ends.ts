// copyImage's ends: where a copy reads (a repository's manifests and blobs; an image layout's,
// registry.load's) and a repository it writes into (HEAD, cross-repository mount, upload and
// manifest put). registry.save writes into a layout instead (save.ts).
import type { Descriptor, ManifestResult } from '../oci.js';
import type { RegistryCallOptions } from './options.js';
import type { CopyEnds } from './copy.js';
import { sizeOf, type Repository } from './repository.js';
import { uploadBlob } from './upload.js';
import { putManifest, putManifestByDigest } from './write.js';

/** CopySource: what a copy reads: manifests, and blobs verified as they arrive. */
export interface CopySource {
  /** The repository, when the source is one (a mount names it); undefined for a layout. */
  repository?: Repository;
  /** The manifest copied, or the index entry `child` (bounded to its size). */
  manifest(child?: Descriptor): Promise<ManifestResult>;
  /** The blob `descriptor` names, checked against its digest before its last chunk; each chunk valid until the next is asked for. */
  blob(descriptor: Descriptor): AsyncIterable<Uint8Array>;
}

/** The repository `from` (its tag or digest `which`) as a copy's source. */
export function repositoryCopySource(from: Repository, which: string, call: RegistryCallOptions): CopySource {
  return {
    repository: from,
    manifest: (child) => (child ? from.manifest(child.digest, call, sizeOf(child)) : from.manifest(which, call)),
    // borrowed: a destination writes each chunk out before it asks for the next
    blob: (descriptor) => from.blob(descriptor.digest, call, sizeOf(descriptor), call.signal, true),
  };
}

/** The ends of a copy from `source` into the repository `to` (under `tag`). */
export function copyEnds(source: CopySource, to: Repository, tag: string, call: RegistryCallOptions): CopyEnds {
  const send = to.uploader(`to ${to.name}`, call);
  const from = source.repository;
  return {
    from: from?.repository ?? 'an image layout',
    sourceManifest: (child) => source.manifest(child),
    has: (digest) => to.hasBlob(digest, call),
    mount: async (digest) => {
      if (from === undefined || from.host !== to.host || from.repository === to.repository) return false;
      const query = `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from.repository)}`;
      const response = await to.send(
        {
          method: 'POST',
          path: `/v2/${to.repository}/blobs/uploads/${query}`,
          scopes: [to.scope('push'), from.scope('pull')],
          pass: [202],
        },
        `mount ${digest} into ${to.repository}`,
        call,
      );
      await response.body.dump();
      return response.statusCode === 201;
    },
    transfer: async (descriptor, progress) => {
      let sent = 0;
      const counted = async function* (chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
        for await (const chunk of chunks) {
          sent += chunk.length;
          progress(sent);
          yield chunk;
        }
      };
      // a registry's connection writes each chunk out before the upload asks for the next
      // (releasesChunks), so the blob's reads are passed on with no copy kept
      await uploadBlob(
        send,
        to.repository,
        { data: counted(source.blob(descriptor)), size: descriptor.size, digest: descriptor.digest, verified: true },
        (location) => to.location(location),
      );
    },
    once: (digest, put) => to.once(digest, put),
    putManifest: async (bytes, mediaType, tagged) =>
      (tagged
        ? await putManifest(to, tag, bytes, { ...call, mediaType })
        : await putManifestByDigest(to, bytes, mediaType, call)
      ).descriptor,
  };
}
