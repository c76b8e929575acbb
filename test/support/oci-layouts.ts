// OCI image layouts made by hand for the tests of what reads them: blobs (some may lie about
// their digest), index.json's entries, images, artifacts attached to a subject as oras attaches them.
import { createHash } from 'node:crypto';
import type { Descriptor } from '../../src/oci.js';
import { member } from './image-archives.js';
import { packed } from './tar.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const EMPTY = 'application/vnd.oci.empty.v1+json';
const sha = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
export const hex = (digest: string): string => digest.slice('sha256:'.length);

/** An OCI layout being made: blobs (some may lie about their digest) and index.json's entries. */
export class Layout {
  readonly blobs = new Map<string, Buffer>();
  readonly top: unknown[] = [];

  /** Stores `content` (JSON unless bytes) under its digest. */
  put(content: unknown, mediaType = OCI_MANIFEST): Descriptor {
    const bytes = Buffer.isBuffer(content) ? content : Buffer.from(JSON.stringify(content));
    const digest = sha(bytes);
    this.blobs.set(digest, bytes);
    return { mediaType, digest, size: bytes.length };
  }

  /** Stores `content` under `digest`, which it does not hash to. */
  lie(digest: string, content: unknown): void {
    this.blobs.set(digest, Buffer.from(JSON.stringify(content)));
  }

  /** An image of `architecture`: its config and its manifest (no layers). */
  image(architecture: string): Descriptor {
    const config = this.put({ os: 'linux', architecture, rootfs: { type: 'layers', diff_ids: [] } });
    return this.put({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { ...config, mediaType: 'application/vnd.oci.image.config.v1+json' },
      layers: [],
    });
  }

  /** An artifact manifest about `subject`, as oras attach writes it (the empty config, one blob: `layer`, or a line of text). */
  artifact(
    subject: Descriptor,
    artifactType: string | undefined,
    annotations: Record<string, string> = {},
    configType = EMPTY,
    layer?: { mediaType: string; bytes: Buffer },
  ): Descriptor {
    const config = this.put(Buffer.from('{}'), configType);
    const blob = layer
      ? this.put(layer.bytes, layer.mediaType)
      : this.put(Buffer.from(`${artifactType} of ${subject.digest}`), 'application/octet-stream');
    return this.put({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      ...(artifactType ? { artifactType } : {}),
      config,
      layers: [blob],
      subject,
      annotations,
    });
  }

  index(manifests: unknown[]): Descriptor {
    return this.put({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }, OCI_INDEX);
  }

  tar(): Promise<Buffer> {
    return packed([
      ...[...this.blobs].map(([digest, bytes]) => member(`blobs/sha256/${hex(digest)}`, bytes)),
      member(
        'index.json',
        Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: this.top })),
      ),
      member('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}')),
    ]);
  }
}

export const tagged = (d: Descriptor, tag: string): Descriptor => ({
  ...d,
  annotations: { 'org.opencontainers.image.ref.name': tag },
});
export const platform = (d: Descriptor, architecture: string): Descriptor => ({
  ...d,
  platform: { os: 'linux', architecture },
});
