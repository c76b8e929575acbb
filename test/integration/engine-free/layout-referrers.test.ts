// imageArchive.referrers against OCI layouts the real tools write: oras 1.3.3's `cp -r
// --to-oci-layout` of a two-platform image with referrers (oras attach's, cosign 3.1.1's Sigstore
// bundle, a referrer of a referrer) and `attach --oci-layout`, a fallback tag copied as a tag, and
// cosign's `save`; oras's own `discover --oci-layout` is the reference.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openImageArchive, Registry, type Descriptor } from '../../../src/index.js';
import { cosign, cosignKeys } from '../../support/attested-images.js';
import {
  makeImages,
  oras,
  orasAsGiven,
  orasDiscovered as discovered,
  orasLayoutTar,
  SBOM,
  SIG,
  tarFolder,
  testRegistries,
  type Made,
} from '../../support/registry-peers.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

const NOTE = 'application/vnd.dockwire.test.note';
const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

const sorted = (list: Descriptor[]): Descriptor[] => [...list].sort((a, b) => a.digest.localeCompare(b.digest));

const registry = new Registry();
let made: Made;
let digests: { index: string; amd64: string; arm64: string; sbom: string };
let work: string;
beforeAll(async () => {
  made = await makeImages(testRegistries()[0]!); // SBOM and SIG attached to the amd64 manifest by oras
  work = tempDir('dockwire-layout-referrers-');
  const index = (await registry.resolve(made.index)).digest;
  const amd64 = (await registry.resolve(made.index, { platform: 'linux/amd64' })).digest;
  const arm64 = (await registry.resolve(made.index, { platform: 'linux/arm64' })).digest;
  const [sbom] = await registry.referrers(`${made.repo}@${amd64}`, { artifactType: SBOM });
  digests = { index, amd64, arm64, sbom: sbom!.digest };
  writeFileSync(join(work, 'note.txt'), 'reviewed');
  const attach = (type: string, subject: string): Promise<string> =>
    oras(
      'attach',
      '--disable-path-validation',
      '--artifact-type',
      type,
      `${made.repo}@${subject}`,
      join(work, 'note.txt'),
    );
  await attach(SIG, index);
  await attach(NOTE, digests.sbom); // a referrer of a referrer
  await cosignKeys(work);
  const sign = (digest: string, ...flags: string[]) =>
    cosign(
      'sign',
      '--key',
      join(work, 'cosign.key'),
      ...flags,
      '--use-signing-config=false',
      '--tlog-upload=false',
      '--allow-http-registry',
      '-y',
      `${made.repo}@${digest}`,
    );
  await sign(arm64); // a Sigstore bundle referrer, listed with the empty type in the fallback index
  await sign(index, '--new-bundle-format=false'); // the legacy .sig tag, which cosign save keeps
}, 300_000);
afterAll(() => {
  registry.close();
  removeTempDirs();
});

describe('imageArchive.referrers: oras cp -r --to-oci-layout', () => {
  it('lists for every manifest what oras discover --oci-layout lists, artifact types and annotations included', async () => {
    const dir = join(work, 'copied');
    await using archive = await openImageArchive(await orasLayoutTar(made.index, dir, 'multi'));
    const subjects = Object.values(digests);
    let total = 0;
    for (const subject of subjects) {
      const ours = await archive.referrers(subject);
      expect(sorted(ours)).toEqual(sorted(await discovered(dir, subject)));
      // the same manifests the registry lists (oras copied them all)
      expect(ours.map((d) => d.digest).sort()).toEqual(
        (await registry.referrers(`${made.repo}@${subject}`)).map((d) => d.digest).sort(),
      );
      total += ours.length;
    }
    expect(total).toBe(5); // SIG on the index; SBOM and SIG on amd64; cosign's bundle on arm64; the note on the SBOM
    expect((await archive.referrers(digests.arm64)).map((d) => d.artifactType)).toEqual([BUNDLE]);
    // by default, of the index the layout was copied as; and by artifact type, as oras filters
    expect(sorted(await archive.referrers())).toEqual(sorted(await discovered(dir, digests.index)));
    expect(await archive.referrers('multi')).toEqual(await archive.referrers(digests.index));
    expect(sorted(await archive.referrers(digests.amd64, { artifactType: SBOM }))).toEqual(
      sorted(await discovered(dir, digests.amd64, SBOM)),
    );
    // its images: the two platforms once each, none of the referrers oras lists beside them
    expect(archive.images.map((i) => i.platform?.architecture).sort()).toEqual(['amd64', 'arm64']);
    const paths: string[] = [];
    for await (const f of archive.files({ platform: 'linux/amd64' })) paths.push(f.path);
    expect(paths).toContain('/hello.txt');
  });

  it('finds what oras attach --oci-layout adds to the layout', async () => {
    const dir = join(work, 'attached');
    await orasAsGiven('cp', '-r', '--from-plain-http', '--to-oci-layout', made.index, `${dir}:multi`);
    await orasAsGiven(
      'attach',
      '--oci-layout',
      '--disable-path-validation',
      '--artifact-type',
      'application/vnd.dockwire.test.local',
      '--annotation',
      'org.example=local',
      `${dir}@${digests.arm64}`,
      join(work, 'note.txt'),
    );
    await using archive = await openImageArchive(await tarFolder(dir));
    const ours = await archive.referrers(digests.arm64);
    expect(ours).toHaveLength(2);
    expect(ours.find((d) => d.artifactType === 'application/vnd.dockwire.test.local')?.annotations).toMatchObject({
      'org.example': 'local',
    });
    expect(sorted(ours)).toEqual(sorted(await discovered(dir, digests.arm64)));
  });
});

describe('imageArchive.referrers: other layouts', () => {
  it('a fallback tag copied as a tag: its index leads to the referrers', async () => {
    const dir = join(work, 'fallback');
    const tag = `sha256-${digests.amd64.slice('sha256:'.length)}`;
    await orasAsGiven('cp', '--from-plain-http', '--to-oci-layout', `${made.repo}:${tag}`, `${dir}:${tag}`);
    await orasAsGiven('cp', '--from-plain-http', '--to-oci-layout', made.single, `${dir}:amd64`);
    await using archive = await openImageArchive(await tarFolder(dir));
    const ours = await archive.referrers();
    expect(ours.map((d) => d.artifactType).sort()).toEqual([SBOM, SIG].sort());
    expect(sorted(ours)).toEqual(sorted(await discovered(dir, digests.amd64)));
  });

  it('cosign save: its legacy signature is no image, and the layout lists no referrer (as oras discover finds none)', async () => {
    const dir = join(work, 'saved');
    await cosign('save', '--allow-http-registry', '--dir', dir, made.index);
    await using archive = await openImageArchive(await tarFolder(dir));
    expect(archive.images.map((i) => i.platform?.architecture).sort()).toEqual(['amd64', 'arm64']);
    expect(await archive.referrers()).toEqual(await discovered(dir, digests.index));
    // (index.json lists no platform manifest, so oras cannot be asked about one; cosign save lists
    // no referrer there)
    expect(await archive.referrers(digests.arm64)).toEqual([]);
  });
});
