// Which entries of an image index are BuildKit's attestation manifests: what a platform's lookup
// and a copy's platform filter skip, kept apart from the collecting so that they do not load it.
import type { Descriptor } from '../oci.js';

const REFERENCE_TYPE = 'vnd.docker.reference.type';

/** True for an index entry that is an attestation manifest (BuildKit's annotation, or platform unknown/unknown). */
export function isAttestationEntry(descriptor: Descriptor): boolean {
  return (
    descriptor.annotations?.[REFERENCE_TYPE] === 'attestation-manifest' ||
    (descriptor.platform?.os === 'unknown' && descriptor.platform.architecture === 'unknown')
  );
}
