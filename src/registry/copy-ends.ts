// copyImage's ends over two repositories (of one registry or two): the source's manifests and
// blobs, the destination's HEAD, cross-repository mount, upload and manifest put.
import type { RegistryCallOptions } from './options.js';
import type { CopyEnds } from './copy.js';
import { sizeOf, type Repository } from './repository.js';
import { uploadBlob } from './upload.js';
import { putManifest, putManifestByDigest } from './write.js';

/** The ends of a copy from `from` (its tag or digest `which`) to `to` (under `tag`). */
export function copyEnds(
  from: Repository,
  which: string,
  to: Repository,
  tag: string,
  call: RegistryCallOptions,
): CopyEnds {
  const send = to.uploader(`to ${to.name}`, call);
  return {
    from: from.repository,
    sourceManifest: (child) => (child ? from.manifest(child.digest, call, sizeOf(child)) : from.manifest(which, call)),
    has: (digest) => to.hasBlob(digest, call),
    mount: async (digest) => {
      if (from.host !== to.host || from.repository === to.repository) return false;
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
      const counted = async function* (source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
        for await (const chunk of source) {
          sent += chunk.length;
          progress(sent);
          yield chunk;
        }
      };
      // borrowed: a registry's connection writes each chunk out before the upload asks for the next
      // (releasesChunks), so the blob's reads are passed on with no copy kept
      const source = counted(from.blob(descriptor.digest, call, sizeOf(descriptor), call.signal, true));
      await uploadBlob(
        send,
        to.repository,
        { data: source, size: descriptor.size, digest: descriptor.digest, verified: true },
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
