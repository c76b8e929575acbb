// imageArchive.verify over OCI layouts made here: a legacy `.sig` tag signed with a key made here
// (as cosign writes one), and hostile ones: a payload for another image, a layer whose descriptor
// claims a size past the bound, a blob that lies about its digest, too many entries; and a
// docker-archive, which holds none. cosign's own layouts: test/integration/engine-free/layout-signatures.test.ts.
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ArchiveError, VerificationError } from '../../../src/errors.js';
import { openImageArchive } from '../../../src/image-archive/archive.js';
import type { Descriptor } from '../../../src/oci.js';
import { simpleSigningPayload } from '../../../src/trust/simplesigning.js';
import { dockerArchive, file } from '../../support/image-archives.js';
import { Layout, OCI_MANIFEST, tagged } from '../../support/oci-layouts.js';

const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
const SIGNATURE = 'dev.cosignproject.cosign/signature';
const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** The legacy `.sig` manifest of `signed` (its payload naming `names`, default `signed` itself), its layer as `layer` changes it. */
function sigManifest(
  layout: Layout,
  signed: Descriptor,
  names = signed.digest,
  layer: (d: Descriptor) => Descriptor = (d) => d,
): Descriptor {
  const payload = Buffer.from(simpleSigningPayload('example.test/app', names));
  const signature = sign('sha256', payload, pair.privateKey).toString('base64');
  const blob = layout.put(payload, SIMPLE_SIGNING);
  const config = layout.put(Buffer.from('{}'), 'application/vnd.oci.image.config.v1+json');
  return layout.put({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config,
    layers: [layer({ ...blob, annotations: { [SIGNATURE]: signature } } as Descriptor)],
  });
}

const sigTag = (d: Descriptor): string => `${d.digest.replace(':', '-')}.sig`;

describe('imageArchive.verify: hand-made layouts', () => {
  it('verifies a .sig tag signed with the key, and the tag is no image of the layout', async () => {
    const layout = new Layout();
    const image = layout.image('amd64');
    layout.top.push(tagged(image, 'v1'), tagged(sigManifest(layout, image), sigTag(image)));
    await using archive = await openImageArchive(await layout.tar());
    expect(archive.images).toHaveLength(1);
    const result = await archive.verify({ key: publicPem });
    expect(result.digest).toBe(image.digest);
    expect(result.signatures).toMatchObject([{ format: 'simplesigning' }]);
    expect((await archive.verify('v1', { key: publicPem })).digest).toBe(image.digest);
  });

  it('refuses a .sig whose payload names another image, copied under this image\u2019s tag', async () => {
    const layout = new Layout();
    const image = layout.image('amd64');
    const other = layout.image('arm64');
    layout.top.push(tagged(image, 'v1'), tagged(sigManifest(layout, image, other.digest), sigTag(image)));
    await using archive = await openImageArchive(await layout.tar());
    const error = await archive.verify({ key: publicPem }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).reasons).toEqual([
      `${sigTag(image)} layer 0: its payload names ${other.digest}, not this image`,
    ]);
  });

  it('refuses, before reading it, a layer whose descriptor claims more than the bound; and one that lies about its digest', async () => {
    const layout = new Layout();
    const image = layout.image('amd64');
    const huge = sigManifest(layout, image, image.digest, (d) => ({ ...d, size: 2 ** 40 }));
    const lying = sigManifest(layout, image, image.digest, (d) => {
      const digest = `sha256:${'ab'.repeat(32)}`;
      layout.blobs.set(digest, layout.blobs.get(d.digest)!);
      return { ...d, digest };
    });
    layout.top.push(tagged(image, 'v1'), tagged(huge, sigTag(image)), {
      ...lying,
      annotations: { kind: 'dev.cosignproject.cosign/sigs' },
    });
    await using archive = await openImageArchive(await layout.tar());
    const error = await archive.verify({ key: publicPem }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    const reasons = (error as VerificationError).reasons;
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toBe(`${sigTag(image)} layer 0: its layer's size ${2 ** 40} is not between 0 and 67108864`);
    expect(reasons[1]).toMatch(
      new RegExp(
        `^dev\\.cosignproject\\.cosign/sigs ${lying.digest} layer 0: .*content hashes to sha256:[0-9a-f]{64}, not sha256:(ab){32}$`,
      ),
    );
  });

  it('bounds the entries it reads (maxEntries): an ArchiveError, not a verification of part of the layout', async () => {
    const layout = new Layout();
    const image = layout.image('amd64');
    layout.top.push(tagged(image, 'v1'), tagged(sigManifest(layout, image), sigTag(image)));
    await using archive = await openImageArchive(await layout.tar());
    await expect(archive.verify({ key: publicPem, maxEntries: 1 })).rejects.toThrow(ArchiveError);
    // no options at all: what to verify against is asked for
    await expect((archive.verify as (o?: unknown) => Promise<unknown>)()).rejects.toThrow(
      /give key, or identity and issuer/,
    );
  });

  it('a docker-archive holds no signatures: VerificationError saying so', async () => {
    await using archive = await openImageArchive(await dockerArchive([[file('a.txt', 'a')]]));
    const error = await archive.verify({ key: publicPem }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).reasons[0]).toMatch(/a docker-archive holds no signatures/);
  });
});
