// registry.attestations and imageArchive.attestations against what the real tools make: buildkitd
// 0.32.2's two-platform build with provenance (pushed, and exported by its oci exporter), cosign
// 3.1.1's attestations (Sigstore bundles as referrers, a legacy `.att` tag), oras's attach; and
// hostile indexes and referrers pushed to the real registry 2.8.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestNotFound, openImageArchive, ProtocolError, Registry, type Attestation } from '../../../src/index.js';
import {
  attestedImages,
  CYCLONEDX,
  IN_TOTO,
  PROVENANCE_V02,
  PROVENANCE_V1,
  SPDX,
  statementFile,
  type AttestedImages,
} from '../../support/attested-images.js';
import { oras, orasLayoutTar } from '../../support/registry-peers.js';
import { tempDir } from '../../support/temp.js';
import { main } from '../../../src/cli/main.js';
import { bufferIo } from '../../support/cli-io.js';

const registry = new Registry();
let made: AttestedImages;
beforeAll(async () => {
  made = await attestedImages(registry);
}, 300_000);
afterAll(() => registry.close());

const summary = (list: Attestation[]): string[] =>
  list
    .map(
      (a) =>
        `${a.platform ? `${a.platform.os}/${a.platform.architecture}` : 'index'} ${a.source} ${a.kind}${a.signed ? ' signed' : ''}`,
    )
    .sort();

describe('registry.attestations', () => {
  it('gives BuildKit\u2019s provenance per platform, bound to that platform\u2019s manifest, typed as SLSA v1', async () => {
    for (const [platform, digest] of [
      ['linux/amd64', made.amd64],
      ['linux/arm64', made.arm64],
    ] as const) {
      const list = await registry.attestations(made.ref, { platform, predicateType: PROVENANCE_V1 });
      expect(list).toHaveLength(1);
      const [one] = list;
      expect(one!.subject).toBe(digest);
      expect(one!.source).toBe('index');
      expect(`${one!.platform?.os}/${one!.platform?.architecture}`).toBe(platform);
      if (one!.kind !== 'slsa-provenance-v1') throw new Error(`not typed: ${one!.kind}`);
      expect(one!.predicate.buildDefinition.buildType).toMatch(/buildkit/);
      expect(one!.predicate.runDetails.builder.id).toBeTypeOf('string');
      expect(one!.statement.subject?.some((s) => s.digest?.['sha256'] === digest.slice(7))).toBe(true);
      expect(list.skipped).toEqual([]);
    }
  });

  it('gives CycloneDX and SPDX by predicate type, from cosign\u2019s bundles and its legacy .att tag, marked signed', async () => {
    const amd = await registry.attestations(made.ref, { platform: 'linux/amd64', predicateType: [CYCLONEDX, SPDX] });
    // the CycloneDX bundle on the amd64 manifest, and the SPDX .att of the index (about every platform)
    expect(summary(amd)).toEqual(['index referrer spdx signed', 'linux/amd64 referrer cyclonedx signed']);
    const cdx = amd.find((a) => a.kind === 'cyclonedx')!;
    if (cdx.kind !== 'cyclonedx') throw new Error('not typed');
    expect(cdx.predicate.specVersion).toBe('1.5');
    expect(cdx.subject).toBe(made.amd64);
    expect(amd.find((a) => a.kind === 'spdx')!.subject).toBe(made.index);
    const arm = await registry.attestations(made.ref, { platform: 'linux/arm64', predicateType: SPDX });
    expect(summary(arm)).toEqual(['index referrer spdx signed', 'linux/arm64 referrer spdx signed']);
  });

  it('without a platform gives everything, the oras-attached plain statement too; never unknown/unknown', async () => {
    const all = await registry.attestations(made.ref);
    expect(summary(all)).toEqual([
      'index referrer spdx signed',
      'linux/amd64 index slsa-provenance-v1',
      'linux/amd64 referrer cyclonedx signed',
      'linux/arm64 index slsa-provenance-v1',
      'linux/arm64 referrer json',
      'linux/arm64 referrer spdx signed',
    ]);
    expect(all.find((a) => a.kind === 'json')!.predicate).toEqual({ marker: expect.any(String) });
    expect(await registry.platforms(made.ref)).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ]);
    await expect(registry.attestations(made.ref, { platform: 'unknown/unknown' })).rejects.toThrow(ManifestNotFound);
    await expect(registry.manifest(made.ref, { platform: 'unknown/unknown' })).rejects.toThrow(ManifestNotFound);
    await expect(registry.copy(made.ref, `${made.repo}:unknown`, { platforms: ['unknown/unknown'] })).rejects.toThrow(
      /none of the platforms/,
    );
    // oras sees the same referrer
    expect(await oras('discover', '--format', 'json', `${made.repo}@${made.arm64}`)).toContain(IN_TOTO);
  });

  it('of a platform manifest by digest: its referrers only', async () => {
    const list = await registry.attestations(`${made.repo}@${made.amd64}`);
    expect(summary(list)).toEqual(['index referrer cyclonedx signed']);
  });

  it('a statement about another image attached to this one is skipped, never given', async () => {
    const stranger = statementFile(
      made.dir,
      SPDX,
      { spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'stranger', packages: [] },
      made.arm64,
    );
    await oras(
      'attach',
      '--disable-path-validation',
      '--artifact-type',
      IN_TOTO,
      `${made.repo}@${made.amd64}`,
      `${stranger}:${IN_TOTO}`,
    );
    const list = await registry.attestations(`${made.repo}@${made.amd64}`, { predicateType: SPDX });
    expect(list).toHaveLength(0);
    expect(list.skipped).toEqual([
      expect.objectContaining({ source: 'referrer', predicateType: SPDX, reason: expect.stringContaining(made.arm64) }),
    ]);
  });

  it('a re-pointed attestation manifest (the amd64 provenance annotated as arm64\u2019s) is not given', async () => {
    const { manifest } = await registry.manifest(made.ref);
    const index = manifest as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
    const attestationOfAmd = index.manifests.find(
      (d) => d.annotations?.['vnd.docker.reference.digest'] === made.amd64,
    )!;
    const forged = {
      ...manifest,
      manifests: [
        ...index.manifests.filter((d) => d.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest'),
        {
          ...attestationOfAmd,
          annotations: { ...attestationOfAmd.annotations, 'vnd.docker.reference.digest': made.arm64 },
        },
      ],
    };
    const ref = `${made.repo}:repointed`;
    await registry.pushManifest(ref, forged as never);
    const list = await registry.attestations(ref, { platform: 'linux/arm64', predicateType: PROVENANCE_V1 });
    expect(list).toHaveLength(0);
    expect(list.skipped.map((s) => s.reason)).toEqual([expect.stringContaining(made.amd64)]);
  });

  it('refuses an index of more attestation manifests than the limit, and an oversized statement, with ProtocolError', async () => {
    const { manifest } = await registry.manifest(made.ref);
    const index = manifest as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
    const one = index.manifests.find((d) => d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest')!;
    const many = { ...manifest, manifests: [...index.manifests, ...Array.from({ length: 2000 }, () => one)] };
    await registry.pushManifest(`${made.repo}:many`, many as never);
    await expect(registry.attestations(`${made.repo}:many`)).rejects.toThrow(ProtocolError);

    const big = join(made.dir, 'big.json');
    writeFileSync(big, Buffer.alloc(33 * 1024 * 1024, 0x20));
    // (on an index of its own: the other tests read the built image's referrers)
    await oras(
      'attach',
      '--disable-path-validation',
      '--artifact-type',
      IN_TOTO,
      `${made.repo}:repointed`,
      `${big}:${IN_TOTO}`,
    );
    await expect(registry.attestations(`${made.repo}:repointed`)).rejects.toThrow(/more than 33554432/);
  }, 120_000);
});

describe('imageArchive.attestations', () => {
  it('gives the provenance of each platform of an OCI archive from BuildKit\u2019s oci exporter, bound to the archive\u2019s manifests', async () => {
    const archive = await openImageArchive(made.archive);
    try {
      const amd = archive.image({ platform: 'linux/amd64' });
      const list = await archive.attestations({ platform: 'linux/amd64' });
      expect(summary(list)).toEqual(['linux/amd64 index slsa-provenance-v0.2']);
      expect(list[0]!.subject).toBe(amd.digest);
      if (list[0]!.kind !== 'slsa-provenance-v0.2') throw new Error('not typed');
      expect(list[0]!.predicate.buildType).toBe('https://mobyproject.org/buildkit@v1');
      const all = await archive.attestations({ predicateType: PROVENANCE_V02 });
      expect(all.map((a) => a.subject).sort()).toEqual(archive.images.map((i) => i.digest).sort());
      await expect(archive.attestations({ platform: 'linux/s390x' })).rejects.toThrow(/no index/);
    } finally {
      await archive.close();
    }
  });
});

describe('imageArchive.attestations of an oras-copied layout', () => {
  it('gives what registry.attestations gives, referrers included, less the legacy .att tag oras does not copy', async () => {
    const dir = join(tempDir('dockwire-layout-attestations-'), 'layout');
    await using archive = await openImageArchive(await orasLayoutTar(made.ref, dir, '1'));
    const legacy = (await registry.manifest(`${made.repo}:${made.index.replace(':', '-')}.att`)).descriptor.digest;
    const expected = (await registry.attestations(made.ref)).filter((a) => a.manifest !== legacy);
    const found = await archive.attestations();
    expect(summary(found)).toEqual(summary(expected));
    expect(found.filter((a) => a.source === 'referrer').length).toBeGreaterThanOrEqual(3); // cosign's two bundles, oras's statement
    expect(summary(await archive.attestations({ platform: 'linux/arm64' }))).toEqual(
      summary(
        (await registry.attestations(made.ref, { platform: 'linux/arm64' })).filter((a) => a.manifest !== legacy),
      ),
    );
  });
});

describe('the CLI: attestations, sbom, provenance', () => {
  async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const buffers = bufferIo({ env: process.env });
    const code = await main(argv, buffers.io);
    return { code, out: buffers.out(), err: buffers.err() };
  }

  it('attestations lists them (--json with what was skipped), sbom and provenance print imagetools\u2019 shapes', async () => {
    const table = await cli('attestations', made.ref, '--platform', 'linux/amd64');
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/linux\/amd64\s+index\s+no\s+slsa-provenance-v1\s+https:\/\/slsa\.dev\/provenance\/v1/);
    expect(table.out).toMatch(/linux\/amd64\s+referrer\s+yes\s+cyclonedx/);
    const listed = await cli('attestations', made.ref, '--type', CYCLONEDX, '--json');
    expect(listed.err).toBe('');
    const json = JSON.parse(listed.out) as { attestations: Attestation[]; skipped: unknown[] };
    expect(json.attestations.map((a) => a.subject)).toEqual([made.amd64]);
    expect(json.skipped).toEqual([]);

    const sbom = JSON.parse((await cli('sbom', made.ref, '--platform', 'linux/arm64')).out) as Record<
      string,
      { name?: string }
    >;
    expect(Object.keys(sbom)).toEqual(['SPDX']);
    // the arm64 manifest's own SPDX comes before the index's
    expect(sbom['SPDX']!.name).toMatch(/-arm64$/);
    const provenance = JSON.parse((await cli('provenance', made.ref)).out) as Record<
      string,
      { SLSA?: { buildDefinition?: unknown } }
    >;
    expect(Object.keys(provenance).sort()).toEqual(['linux/amd64', 'linux/arm64']);
    for (const p of Object.values(provenance)) expect(p.SLSA?.buildDefinition).toBeDefined();
    expect((await cli('sbom')).code).toBe(2);
  });
});
