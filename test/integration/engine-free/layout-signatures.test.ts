// imageArchive.verify and verifyAttestations: cosign signatures and attestations kept in an OCI
// layout, verified offline, against what cosign 3.1.1 writes and verifies itself: `cosign save`'s
// layout of a signed, attested image (`cosign verify --local-image` the reference), Sigstore bundle
// referrers and a legacy `.sig` tag copied by oras, and layouts changed to lie.
import { copyFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClientClosed,
  InvalidArgument,
  openImageArchive,
  Registry,
  VerificationError,
  type ImageManifest,
} from '../../../src/index.js';
import { main } from '../../../src/cli/main.js';
import { cosign, cosignAttest, cosignKeys, cosignSign, type CosignKeys } from '../../support/cosign.js';
import { bufferIo } from '../../support/cli-io.js';
import {
  makeImages,
  orasAsGiven,
  peerConfig,
  tarFolder,
  testRegistries,
  type Made,
} from '../../support/registry-peers.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

const CYCLONEDX = 'https://cyclonedx.org/bom';
const PROVENANCE = 'https://slsa.dev/provenance/v0.2';
const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';

const registry = new Registry();
let made: Made;
let keys: CosignKeys;
let other: CosignKeys;
let work: string;
let digests: { index: string; arm64: string };
/** cosign save's layout of the index: its legacy signature and attestation beside it. */
let saved: string;
beforeAll(async () => {
  made = await makeImages(testRegistries()[0]!);
  work = tempDir('dockwire-layout-signatures-');
  [keys, other] = await Promise.all([cosignKeys(), cosignKeys()]);
  digests = {
    index: (await registry.resolve(made.index)).digest,
    arm64: (await registry.resolve(made.index, { platform: 'linux/arm64' })).digest,
  };
  const index = `${made.repo}@${digests.index}`;
  const arm64 = `${made.repo}@${digests.arm64}`;
  await cosignSign(keys, index, true); // the legacy .sig tag (what cosign save keeps)
  await cosignAttest(keys, index, 'cyclonedx', { bomFormat: 'CycloneDX', specVersion: '1.5', marker: 'saved' }, true);
  await cosignSign(keys, arm64); // a Sigstore bundle referrer
  await cosignAttest(keys, arm64, 'slsaprovenance', { builder: { id: 'layout-signatures' } });
  saved = join(work, 'saved');
  await cosign('save', '--allow-http-registry', '--dir', saved, made.index);
}, 300_000);
afterAll(() => {
  registry.close();
  removeTempDirs();
});

/** What `cosign verify --local-image` (or verify-attestation) says of `dir`: the digests its payloads name, or its failure. */
async function cosignLocal(dir: string, key: string, ...extra: string[]): Promise<string[] | 'failed'> {
  try {
    const { stdout } = await cosign(
      extra.length ? 'verify-attestation' : 'verify',
      '--key',
      key,
      '--insecure-ignore-tlog',
      '--local-image',
      ...extra,
      dir,
    );
    return stdout
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('['))
      .flatMap((line) =>
        (JSON.parse(line) as Array<{ critical: { image: { 'docker-manifest-digest': string } } }>).map(
          (s) => s.critical.image['docker-manifest-digest'],
        ),
      );
  } catch {
    return 'failed';
  }
}

describe('imageArchive.verify: cosign save', () => {
  it('verifies the saved signature with the key, as cosign verify --local-image does, from the folder and its tar', async () => {
    expect(await cosignLocal(saved, keys.cosignPub)).toEqual([digests.index]);
    for (const source of [saved, await tarFolder(saved)]) {
      await using archive = await openImageArchive(source);
      const result = await archive.verify({ key: keys.publicPem });
      expect(result.digest).toBe(digests.index);
      expect(result.signatures).toHaveLength(1);
      expect(result.signatures[0]).toMatchObject({ format: 'simplesigning' });
      expect(result.signatures[0]!.keyId).toMatch(/^[0-9a-f]{64}$/);
      // the same as the registry's own verification of the image
      const there = await registry.verify(`${made.repo}@${digests.index}`, { key: keys.publicPem });
      expect(there.signatures.map((s) => s.keyId)).toEqual(result.signatures.map((s) => s.keyId));
      // by name (index.json's) and by digest alike
      expect((await archive.verify(digests.index, { key: keys.publicPem })).digest).toBe(digests.index);
    }
  });

  it('verifies the saved attestation and gives its predicate; cosign verify-attestation --local-image agrees', async () => {
    expect(await cosignLocal(saved, keys.cosignPub, '--type', 'cyclonedx')).not.toBe('failed');
    await using archive = await openImageArchive(saved);
    const [attestation, ...rest] = await archive.verifyAttestations({ key: keys.publicPem, predicateType: CYCLONEDX });
    expect(rest).toEqual([]);
    expect(attestation!.predicateType).toBe(CYCLONEDX);
    expect(attestation!.predicate).toMatchObject({ marker: 'saved' });
    expect(attestation!.statement['subject']).toEqual([
      expect.objectContaining({ digest: { sha256: digests.index.slice('sha256:'.length) } }),
    ]);
    const none = await archive.verifyAttestations({ key: keys.publicPem, predicateType: PROVENANCE }).catch((e) => e);
    expect(none).toBeInstanceOf(VerificationError);
    expect(String(none.reasons)).toContain(`its predicate type is ${CYCLONEDX}, not ${PROVENANCE}`);
  });

  it('refuses another key, as cosign does, with a reason per signature', async () => {
    expect(await cosignLocal(saved, other.cosignPub)).toBe('failed');
    await using archive = await openImageArchive(saved);
    const error = await archive.verify({ key: other.publicPem }).catch((e) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect(error.reasons).toEqual([expect.stringMatching(/layer 0: the signature does not verify with the key$/)]);
  });

  it('refuses the signature for another manifest of the layout: its payload names the index', async () => {
    await using archive = await openImageArchive(saved);
    const error = await archive.verify(digests.arm64, { key: keys.publicPem }).catch((e) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect(error.reasons.join('\n')).toContain(`its payload names ${digests.index}, not this image`);
  });

  it('refuses a payload changed in the layout (its digest no longer matches), and loses nothing else', async () => {
    const dir = join(work, 'tampered');
    cpSync(saved, dir, { recursive: true });
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
      manifests: Array<{ digest: string; annotations?: Record<string, string> }>;
    };
    const sigs = index.manifests.find((m) => m.annotations?.['kind'] === 'dev.cosignproject.cosign/sigs')!;
    const manifest = JSON.parse(
      readFileSync(join(dir, 'blobs', 'sha256', sigs.digest.slice(7)), 'utf8'),
    ) as ImageManifest;
    const payload = manifest.layers.find((l) => l.mediaType === SIMPLE_SIGNING)!;
    const path = join(dir, 'blobs', 'sha256', payload.digest.slice(7));
    const bytes = readFileSync(path);
    bytes.writeUInt8(bytes[bytes.length - 2]! ^ 1, bytes.length - 2); // the same size, other bytes
    writeFileSync(path, bytes);
    await using archive = await openImageArchive(dir);
    const error = await archive.verify({ key: keys.publicPem }).catch((e) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect(error.reasons.join('\n')).toContain(payload.digest);
    // its attestation is untouched and still verifies
    expect(await archive.verifyAttestations({ key: keys.publicPem })).toHaveLength(1);
  });
});

describe('imageArchive.verify: what oras copies into a layout', () => {
  it('verifies the Sigstore bundle referrers of a platform manifest, as the registry does', async () => {
    const dir = join(work, 'copied');
    await orasAsGiven('cp', '-r', '--from-plain-http', '--to-oci-layout', made.index, `${dir}:multi`);
    await using archive = await openImageArchive(dir);
    const result = await archive.verify(digests.arm64, { key: keys.publicPem });
    const there = await registry.verify(`${made.repo}@${digests.arm64}`, { key: keys.publicPem });
    expect(result.signatures.map((s) => s.format)).toEqual(['bundle']);
    expect(result.signatures.map((s) => s.keyId)).toEqual(there.signatures.map((s) => s.keyId));
    const [attestation] = await archive.verifyAttestations(digests.arm64, { key: keys.publicPem });
    expect(attestation).toMatchObject({
      predicateType: PROVENANCE,
      predicate: { builder: { id: 'layout-signatures' } },
    });
    expect(attestation!.signature.format).toBe('bundle');
    // the index's legacy signature was not copied (a tag, not a referrer): none found, said so
    const error = await archive.verify('multi', { key: keys.publicPem }).catch((e) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect(error.reasons).toEqual(['no signatures found']);
  });

  it('verifies a legacy .sig tag copied in as a tag', async () => {
    const dir = join(work, 'tagged');
    const tag = `${digests.index.replace(':', '-')}.sig`;
    await orasAsGiven('cp', '--from-plain-http', '--to-oci-layout', made.index, `${dir}:multi`);
    await orasAsGiven('cp', '--from-plain-http', '--to-oci-layout', `${made.repo}:${tag}`, `${dir}:${tag}`);
    await using archive = await openImageArchive(dir);
    const result = await archive.verify('multi', { key: keys.publicPem });
    expect(result).toMatchObject({ digest: digests.index, signatures: [{ format: 'simplesigning' }] });
    // the .sig tag is no image of the layout
    expect(archive.images.map((i) => i.platform?.architecture).sort()).toEqual(['amd64', 'arm64']);
  });
});

describe('imageArchive.verify: bad input', () => {
  it('a misspelled option, no key nor identity, a closed archive: typed errors, nothing read', async () => {
    const archive = await openImageArchive(saved);
    await expect(archive.verify({ kye: keys.publicPem } as never)).rejects.toThrow(InvalidArgument);
    await expect(archive.verify({})).rejects.toThrow(InvalidArgument);
    await expect(archive.verify({ key: 'not a key' })).rejects.toThrow(InvalidArgument);
    await expect(archive.verifyAttestations({ key: keys.publicPem, predicateType: '' })).rejects.toThrow(
      InvalidArgument,
    );
    await expect(archive.verify('nothing-by-this-name', { key: keys.publicPem })).rejects.toThrow(InvalidArgument);
    await archive.close();
    await expect(archive.verify({ key: keys.publicPem })).rejects.toThrow(ClientClosed);
  });
});

describe('dockwire verify --local-image', () => {
  async function dockwire(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const io = bufferIo({ env: { DOCKER_CONFIG: peerConfig() } });
    const code = await main(argv, io.io);
    return { code, out: io.out(), err: io.err() };
  }

  it('verifies cosign save\u2019s layout and prints the attestation; a wrong key exits 1 with its reason', async () => {
    const key = join(work, 'cli.pub');
    const wrong = join(work, 'wrong.pub');
    copyFileSync(keys.cosignPub, key);
    copyFileSync(other.cosignPub, wrong);
    const ok = await dockwire('verify', '--local-image', saved, '--key', key);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain(digests.index);
    expect(ok.out).toContain('Verified OK: simplesigning signed by key');
    const att = await dockwire('verify-attestation', '--local-image', saved, '--type', 'cyclonedx', '--key', key);
    expect(att.code).toBe(0);
    expect(JSON.parse(att.out.trim())).toMatchObject({ predicateType: CYCLONEDX, predicate: { marker: 'saved' } });
    const bad = await dockwire('verify', '--local-image', saved, '--key', wrong);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('the signature does not verify with the key');
  });
});
