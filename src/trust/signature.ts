// The signature of a bundle's content: over the artifact's bytes (a message signature), or over
// the DSSE envelope's PAE.
import type { KeyObject } from 'node:crypto';
import type { Artifact } from './artifact.js';
import type { Bundle } from './bundle.js';
import { pae } from './dsse.js';
import { verifies } from './keys.js';
import { refuse } from './refuse.js';

/** signatureOf: the signature bytes of a bundle's content. */
export function signatureOf(content: Bundle['content']): Uint8Array {
  return content.kind === 'message' ? content.signature : content.envelope.signatures[0]!.sig;
}

/** checkSignature: refuses unless `key` verifies the bundle's signature over what it signs. */
export function checkSignature(content: Bundle['content'], artifact: Artifact, key: KeyObject): void {
  if (content.kind === 'dsse') {
    const { envelope } = content;
    if (!verifies(key, pae(envelope.payloadType, envelope.payload), envelope.signatures[0]!.sig))
      refuse('the DSSE signature does not verify with the key');
    return;
  }
  if (artifact.bytes === undefined)
    refuse("a message signature is checked over the artifact's bytes: give the bytes or a path, not a digest");
  if (!verifies(key, artifact.bytes, content.signature)) refuse('the message signature does not verify with the key');
}
