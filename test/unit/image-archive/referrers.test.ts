// imageArchive.referrers over OCI layouts made here: laid out as oras writes them (every manifest
// in index.json, the referrers untagged, an index's platform manifests beside it), with a
// fallback-tag index, and hostile (a missing blob, too many entries, a subject loop of lying
// blobs, a graph of 2^40 paths); and the images of such a layout (referrers are none of them).
import { describe, expect, it } from 'vitest';
import { ArchiveError, ClientClosed, DigestMismatch, InvalidArgument } from '../../../src/errors.js';
import { openImageArchive } from '../../../src/image-archive/archive.js';
import type { Descriptor } from '../../../src/oci.js';
import { dockerArchive, file } from '../../support/image-archives.js';
import { EMPTY, hex, Layout, OCI_MANIFEST, platform, tagged } from '../../support/oci-layouts.js';

const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

/** A two-platform image as `oras cp -r --to-oci-layout` leaves it, with referrers of the index, of a platform and of a referrer. */
function orasLayout() {
  const layout = new Layout();
  const amd64 = platform(layout.image('amd64'), 'amd64');
  const arm64 = platform(layout.image('arm64'), 'arm64');
  const index = layout.index([amd64, arm64]);
  const sig = layout.artifact(index, 'application/vnd.test.sig', { 'org.example': 'sig' });
  const sbom = layout.artifact(amd64, 'application/vnd.test.sbom', { 'org.example': 'sbom' });
  // cosign's bundle: listed with the empty type (copied from a registry's fallback index), its own type in its manifest
  const bundle = layout.artifact(amd64, BUNDLE, { 'dev.sigstore.bundle.content': 'dsse-envelope' });
  // no artifactType: its config's media type is its artifact type
  const legacy = layout.artifact(amd64, undefined, {}, 'application/vnd.test.config');
  const note = layout.artifact(sbom, 'application/vnd.test.note');
  layout.top.push(
    tagged(index, 'multi'),
    { ...sig, artifactType: 'application/vnd.test.sig', annotations: { 'org.example': 'sig' } },
    amd64,
    sbom, // oras left this one's artifactType and annotations out of index.json
    { ...bundle, artifactType: EMPTY },
    legacy,
    arm64,
    note,
  );
  return { layout, amd64, arm64, index, sig, sbom, bundle, legacy, note };
}

/** An index of `entries` under five more, below the levels of indexes opening the layout reads (so that referrers reads them first). */
function deep(layout: Layout, entries: Descriptor[]): Descriptor {
  let index = layout.index(entries);
  for (let level = 0; level < 5; level++) index = layout.index([index]);
  return index;
}

const digests = (list: Descriptor[]): string[] => list.map((d) => d.digest).sort();

describe('imageArchive.referrers: layouts as oras writes them', () => {
  it('the manifests whose subject is the digest asked for, each listed as the referrers API lists it', async () => {
    const made = orasLayout();
    await using archive = await openImageArchive(await made.layout.tar());
    const ofAmd64 = await archive.referrers(made.amd64.digest);
    expect(digests(ofAmd64)).toEqual(digests([made.sbom, made.bundle, made.legacy]));
    // from the manifests themselves, not from index.json's entries
    const byDigest = new Map(ofAmd64.map((d) => [d.digest, d]));
    expect(byDigest.get(made.sbom.digest)).toEqual({
      mediaType: OCI_MANIFEST,
      digest: made.sbom.digest,
      size: made.sbom.size,
      artifactType: 'application/vnd.test.sbom',
      annotations: { 'org.example': 'sbom' },
    });
    expect(byDigest.get(made.bundle.digest)?.artifactType).toBe(BUNDLE);
    expect(byDigest.get(made.legacy.digest)?.artifactType).toBe('application/vnd.test.config');
    expect(digests(await archive.referrers(made.arm64.digest))).toEqual([]);
    // a referrer's referrers: subjects are matched, never followed
    expect(digests(await archive.referrers(made.sbom.digest))).toEqual([made.note.digest]);
    expect(digests(await archive.referrers(made.note.digest))).toEqual([]);
    // a digest the layout does not hold has none
    expect(await archive.referrers(`sha256:${'e'.repeat(64)}`)).toEqual([]);
  });

  it('by default of the layout one image (the index, not its platforms listed beside it), by name, and by artifactType', async () => {
    const made = orasLayout();
    await using archive = await openImageArchive(await made.layout.tar());
    expect(digests(await archive.referrers())).toEqual([made.sig.digest]);
    expect(digests(await archive.referrers('multi'))).toEqual([made.sig.digest]);
    expect(digests(await archive.referrers(undefined, { artifactType: 'application/vnd.test.sig' }))).toEqual([
      made.sig.digest,
    ]);
    expect(digests(await archive.referrers({ artifactType: 'application/vnd.test.sbom' }))).toEqual([]);
    expect(digests(await archive.referrers(made.amd64.digest, { artifactType: BUNDLE }))).toEqual([made.bundle.digest]);
    await expect(archive.referrers('other')).rejects.toThrow(/no manifest named "other"; it names multi/);
  });

  it('the images of such a layout: its platforms once each, no referrer among them, files() by platform', async () => {
    const made = orasLayout();
    await using archive = await openImageArchive(await made.layout.tar());
    expect(archive.images.map((i) => [i.digest, i.platform?.architecture])).toEqual([
      [made.amd64.digest, 'amd64'],
      [made.arm64.digest, 'arm64'],
    ]);
    const paths: string[] = [];
    for await (const f of archive.files({ platform: 'linux/arm64' })) paths.push(f.path);
    expect(paths).toEqual([]);
  });

  it('several images and no choice: InvalidArgument naming them', async () => {
    const layout = new Layout();
    const a = layout.image('amd64');
    const b = layout.image('arm64');
    layout.top.push(tagged(a, 'a'), tagged(b, 'b'), layout.artifact(a, 'application/vnd.test.sig'));
    await using archive = await openImageArchive(await layout.tar());
    await expect(archive.referrers()).rejects.toThrow(InvalidArgument);
    await expect(archive.referrers()).rejects.toThrow(/holds 2 images \(a, b\)/);
    expect(digests(await archive.referrers('a'))).toHaveLength(1);
  });
});

describe('imageArchive.referrers: the fallback tag', () => {
  it('an index tagged sha256-<hex>: its entries, as listed where the layout lacks them; a present one judged by its own subject', async () => {
    const layout = new Layout();
    const image = layout.image('amd64');
    const other = layout.image('arm64');
    const present = layout.artifact(image, 'application/vnd.test.sig');
    const lying = layout.artifact(other, 'application/vnd.test.sig'); // listed for image, made for other
    const absent: Descriptor = {
      mediaType: OCI_MANIFEST,
      digest: `sha256:${'a'.repeat(64)}`,
      size: 321,
      artifactType: 'application/vnd.test.sbom',
      annotations: { 'org.example': 'listed' },
    };
    const fallback = layout.index([present, lying, absent]);
    layout.top.push(tagged(image, 'latest'), tagged(fallback, `sha256-${hex(image.digest)}`));
    await using archive = await openImageArchive(await layout.tar());
    const found = await archive.referrers();
    expect(digests(found)).toEqual(digests([present, absent]));
    expect(found.find((d) => d.digest === absent.digest)).toEqual(absent);
    expect(digests(await archive.referrers({ artifactType: 'application/vnd.test.sbom' }))).toEqual([absent.digest]);
    expect(await archive.referrers(other.digest)).toHaveLength(1);
  });
});

describe('imageArchive.referrers: what it refuses', () => {
  it('a docker-archive holds none', async () => {
    await using archive = await openImageArchive(await dockerArchive([[file('a', 'a')]]));
    expect(await archive.referrers()).toEqual([]);
    expect(await archive.referrers(`sha256:${'1'.repeat(64)}`, { artifactType: 'x' })).toEqual([]);
  });

  it('options checked before anything is read: unknown names, bounds that are no positive whole number, empty strings', async () => {
    const made = orasLayout();
    await using archive = await openImageArchive(await made.layout.tar());
    await expect(archive.referrers({ artifactTyp: 'x' } as never)).rejects.toThrow(/artifactTyp.*artifactType/);
    for (const maxEntries of [0, -1, 1.5, '3'])
      await expect(archive.referrers({ maxEntries } as never)).rejects.toThrow(
        /maxEntries must be a positive whole number/,
      );
    await expect(archive.referrers({ artifactType: '' })).rejects.toThrow(InvalidArgument);
    await expect(archive.referrers('')).rejects.toThrow(InvalidArgument);
    await archive.close();
    await expect(archive.referrers()).rejects.toThrow(ClientClosed);
  });

  it('a manifest index.json names that the layout lacks: ArchiveError naming it', async () => {
    const made = orasLayout();
    const gone = `sha256:${'b'.repeat(64)}`;
    made.layout.top.push({ mediaType: OCI_MANIFEST, digest: gone, size: 100 });
    await using archive = await openImageArchive(await made.layout.tar());
    await expect(archive.referrers()).rejects.toThrow(ArchiveError);
    await expect(archive.referrers()).rejects.toThrow(`index.json lists the manifest ${gone}, which the layout lacks`);
  });

  it('more entries than maxEntries, in index.json or in the indexes it leads to: ArchiveError, never a list cut short', async () => {
    const made = orasLayout(); // 8 entries in index.json, 2 in the index
    await using archive = await openImageArchive(await made.layout.tar());
    await expect(archive.referrers({ maxEntries: 7 })).rejects.toThrow(
      /more than 7 entries \(maxEntries\), in index.json/,
    );
    await expect(archive.referrers({ maxEntries: 9 })).rejects.toThrow(ArchiveError);
    await expect(archive.referrers({ maxEntries: 9 })).rejects.toThrow(/in the index sha256:/);
    expect(await archive.referrers({ maxEntries: 10 })).toHaveLength(1);
  });

  it('a subject loop can only be made of blobs that lie about their digests: DigestMismatch', async () => {
    const layout = new Layout();
    const image = layout.image('amd64');
    const a = `sha256:${'a'.repeat(64)}`;
    const b = `sha256:${'b'.repeat(64)}`;
    const manifest = (subject: string) => ({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: EMPTY, digest: a, size: 2 },
      layers: [],
      subject: { mediaType: OCI_MANIFEST, digest: subject, size: 1 },
    });
    layout.lie(a, manifest(b));
    layout.lie(b, manifest(a));
    layout.top.push(
      tagged(image, 'latest'),
      deep(layout, [
        { mediaType: OCI_MANIFEST, digest: a, size: 1 },
        { mediaType: OCI_MANIFEST, digest: b, size: 1 },
      ]),
    );
    await using archive = await openImageArchive(await layout.tar());
    await expect(archive.referrers(a)).rejects.toThrow(DigestMismatch);
  });

  it('indexes whose paths to a manifest number 2^40 are walked once per index', async () => {
    const layout = new Layout();
    const image = layout.image('amd64');
    const sig = layout.artifact(image, 'application/vnd.test.sig');
    let level = layout.index([sig]);
    for (let i = 0; i < 40; i++) level = layout.index([level, level]);
    layout.top.push(tagged(image, 'latest'), level);
    await using archive = await openImageArchive(await layout.tar());
    expect(digests(await archive.referrers())).toEqual([sig.digest]);
  });

  it('a subject that is no descriptor, and a manifest that is no JSON object, make no referrer or an ArchiveError', async () => {
    const layout = new Layout();
    const image = layout.image('amd64');
    const config = layout.put(Buffer.from('{}'), EMPTY);
    const odd = layout.put({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [], subject: image.digest });
    const odder = layout.put({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [], subject: { digest: 5 } });
    layout.top.push(tagged(image, 'latest'), odd, odder);
    await using archive = await openImageArchive(await layout.tar());
    expect(await archive.referrers()).toEqual([]);
    layout.top.push(deep(layout, [layout.put([1, 2])]));
    await using worse = await openImageArchive(await layout.tar());
    await expect(worse.referrers()).rejects.toThrow(/the manifest sha256:[0-9a-f]+ is not a JSON object/);
  });
});
