// Docker's schema 2 media types and their OCI counterparts: an OCI layout (and an image given
// zstd layers) uses OCI types throughout, so a Docker v2 base's manifests are converted, as
// umoci and skopeo want them. Pure.
import {
  DOCKER_CONFIG,
  DOCKER_LIST,
  DOCKER_MANIFEST,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_MANIFEST,
  type Descriptor,
} from '../oci.js';

export { DOCKER_CONFIG, OCI_CONFIG };

const TO_OCI: Record<string, string> = {
  [DOCKER_MANIFEST]: OCI_MANIFEST,
  [DOCKER_LIST]: OCI_INDEX,
  [DOCKER_CONFIG]: OCI_CONFIG,
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.docker.image.rootfs.diff.tar': 'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip':
    'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
};

/** The OCI media type for `mediaType` (an OCI one, or one without a counterpart, unchanged). */
export function ociMediaType(mediaType: string): string {
  return TO_OCI[mediaType] ?? mediaType;
}

/** True for a media type of Docker's schema 2. */
export function isDockerMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && mediaType.startsWith('application/vnd.docker.');
}

/** `descriptor` with an OCI media type. */
export function ociDescriptor(descriptor: Descriptor): Descriptor {
  return { ...descriptor, mediaType: ociMediaType(descriptor.mediaType) };
}
