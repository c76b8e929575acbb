// An in-memory content store for the attestations unit's tests: documents by digest, read
// through the AttestationReader the collector takes, every read counted.
import { createHash } from 'node:crypto';
import type { AttestationReader } from '../../../src/attestations/collect.js';
import type { Descriptor, Manifest } from '../../../src/oci.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const IN_TOTO = 'application/vnd.in-toto+json';

export class Store {
  readonly blobs = new Map<string, Uint8Array>();
  reads = 0;

  put(content: unknown, mediaType: string, extra: Partial<Descriptor> = {}): Descriptor {
    const bytes =
      content instanceof Uint8Array
        ? content
        : new TextEncoder().encode(typeof content === 'string' ? content : JSON.stringify(content));
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    this.blobs.set(digest, bytes);
    return { mediaType, digest, size: bytes.length, ...extra };
  }

  get reader(): AttestationReader {
    return {
      manifest: async (digest) => {
        this.reads++;
        const bytes = this.blobs.get(digest);
        if (!bytes) throw new Error(`no ${digest}`);
        return JSON.parse(new TextDecoder().decode(bytes)) as Manifest;
      },
      blob: async (descriptor) => {
        this.reads++;
        const bytes = this.blobs.get(descriptor.digest);
        if (!bytes) throw new Error(`no ${descriptor.digest}`);
        return bytes;
      },
    };
  }
}

/** An in-toto v1 statement about `digests`. */
export function statement(predicateType: string, predicate: unknown, digests: string[]): Record<string, unknown> {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: digests.map((d) => ({ name: 'pkg:docker/x', digest: { [d.split(':')[0]!]: d.split(':')[1]! } })),
    predicateType,
    predicate,
  };
}

/** A DSSE envelope of `payload`, with a signature or none. */
export function envelope(payload: unknown, signed = true, payloadType = IN_TOTO): Record<string, unknown> {
  return {
    payloadType,
    payload: Buffer.from(JSON.stringify(payload)).toString('base64'),
    signatures: signed ? [{ keyid: '', sig: 'c2lnbmF0dXJl' }] : [],
  };
}

/** A manifest holding `layers`, optionally naming `subject`. */
export function manifest(
  store: Store,
  layers: Descriptor[],
  subject?: Descriptor,
  extra: Record<string, unknown> = {},
): Descriptor {
  const config = store.put('{}', 'application/vnd.oci.empty.v1+json');
  return store.put(
    {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config,
      layers,
      ...(subject ? { subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size } } : {}),
      ...extra,
    },
    OCI_MANIFEST,
  );
}
