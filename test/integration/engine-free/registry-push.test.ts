// The write path (#28's first part) against the open, htpasswd and token registries, crane and
// oras reading back what was written: pushBlob (12 MiB in one PUT and in chunks), pushManifest,
// tag, delete, and attach (kept beside the referrers oras attached before).
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DigestMismatch, ManifestNotFound, Registry, RegistryError } from '../../../src/index.js';
import { SBOM, SIG, crane, craneBytes, imagesFor, oras, testRegistries } from '../../support/registry-peers.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

afterAll(removeTempDirs);
const MiB = 1024 * 1024;

async function* pieces(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

describe.each(testRegistries())('pushing to the $kind registry', (target) => {
  const made = imagesFor(target);
  const registry = new Registry(target.auth ? { authConfig: target.auth } : {});
  afterAll(() => registry.close());

  it('pushBlob: 12 MiB in one PUT, in chunks, and from a file; crane blob reads each back', async () => {
    const one = randomBytes(12 * MiB);
    const pushed = await registry.pushBlob(made.repo, one);
    expect(pushed.size).toBe(one.length);
    expect((await craneBytes('blob', `${made.repo}@${pushed.digest}`)).equals(one)).toBe(true);
    // again: the registry has it, nothing is sent
    expect(await registry.pushBlob(made.repo, one)).toEqual(pushed);
    const chunked = randomBytes(12 * MiB);
    const viaChunks = await registry.pushBlob(made.repo, pieces(chunked, 1_000_000), { chunkSize: 5 * MiB });
    expect((await craneBytes('blob', `${made.repo}@${viaChunks.digest}`)).equals(chunked)).toBe(true);
    const file = join(tempDir('dockwire-push-'), 'blob');
    const fromFile = randomBytes(3 * MiB + 17);
    writeFileSync(file, fromFile);
    const viaFile = await registry.pushBlob(made.repo, file);
    expect((await craneBytes('blob', `${made.repo}@${viaFile.digest}`)).equals(fromFile)).toBe(true);
  }, 120_000);

  it('a blob that does not hash to its stated digest is refused, and never completed at the registry', async () => {
    const fresh = randomBytes(2 * MiB);
    const lie = Buffer.from(fresh);
    lie.writeUInt8(lie.readUInt8(0) ^ 1, 0);
    const claimed = `sha256:${createHash('sha256').update(fresh).digest('hex')}`;
    for (const data of [pieces(lie, 300_000), lie]) {
      const size = data instanceof Uint8Array ? undefined : lie.length;
      await expect(
        registry.pushBlob(made.repo, data, { digest: claimed, ...(size !== undefined ? { size } : {}) }),
      ).rejects.toBeInstanceOf(DigestMismatch);
    }
    await expect(
      registry.pushBlob(made.repo, pieces(lie, 300_000), { digest: claimed, chunkSize: MiB }),
    ).rejects.toBeInstanceOf(DigestMismatch);
    const error = await (async () => {
      for await (const _ of registry.blob(made.repo, claimed));
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 404 });
  }, 120_000);

  it('pushManifest, tag and delete make what crane reads', async () => {
    const config = new TextEncoder().encode(
      JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: {} }),
    );
    const configDescriptor = await registry.pushBlob(made.repo, config, {
      mediaType: 'application/vnd.oci.image.config.v1+json',
    });
    const manifest = {
      schemaVersion: 2 as const,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: configDescriptor,
      layers: [],
    };
    const pushed = await registry.pushManifest(`${made.repo}:pushed`, manifest);
    expect((await crane('digest', `${made.repo}:pushed`)).trim()).toBe(pushed.digest);
    expect(JSON.parse(await crane('manifest', `${made.repo}:pushed`))).toEqual(manifest);
    expect(JSON.parse(await crane('config', `${made.repo}:pushed`))).toEqual(
      JSON.parse(new TextDecoder().decode(config)),
    );
    const tagged = await registry.tag(made.index, 'copied-tag');
    expect(tagged.digest).toBe((await crane('digest', made.index)).trim());
    expect((await crane('digest', `${made.repo}:copied-tag`)).trim()).toBe(tagged.digest);
    await registry.delete(`${made.repo}@${pushed.digest}`);
    await expect(registry.resolve(`${made.repo}:pushed`)).rejects.toBeInstanceOf(ManifestNotFound);
    await expect(crane('digest', `${made.repo}:pushed`)).rejects.toThrow(/MANIFEST_UNKNOWN|not found|unknown/i);
    // registry 2.8 deletes by digest only
    await expect(registry.delete(`${made.repo}:copied-tag`)).rejects.toBeInstanceOf(RegistryError);
  }, 120_000);

  it('attach is found by oras discover and registry.referrers, beside what oras attached before', async () => {
    const ATTACHED = 'application/vnd.dockwire.test.attached';
    const pushed = await registry.attach(made.single, {
      artifactType: ATTACHED,
      blobs: [{ mediaType: 'text/plain', data: new TextEncoder().encode('attached by dockwire') }],
      annotations: { 'org.example.by': 'dockwire' },
    });
    const discovered = JSON.parse(await oras('discover', '--format', 'json', made.single)) as {
      referrers: Array<{ digest: string; artifactType: string }>;
    };
    expect(discovered.referrers.map((r) => r.artifactType).sort()).toEqual([ATTACHED, SBOM, SIG].sort());
    expect(discovered.referrers.find((r) => r.artifactType === ATTACHED)!.digest).toBe(pushed.digest);
    const referrers = await registry.referrers(made.single);
    expect(referrers.map((r) => r.digest).sort()).toEqual(discovered.referrers.map((r) => r.digest).sort());
    expect(referrers.find((r) => r.digest === pushed.digest)).toMatchObject({
      artifactType: ATTACHED,
      annotations: { 'org.example.by': 'dockwire' },
    });
    const fetched = await oras(
      'blob',
      'fetch',
      '--output',
      '-',
      `${made.repo}@${JSON.parse(await crane('manifest', `${made.repo}@${pushed.digest}`)).layers[0].digest}`,
    );
    expect(fetched).toBe('attached by dockwire');
  }, 120_000);
});
