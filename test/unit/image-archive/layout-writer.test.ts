// LayoutWriter (registry.save's OCI layout folder): blobs renamed in only when whole and the size
// their descriptor gives, a digest that is no digest refused before any path is made of it,
// index.json written last, entries of an existing layout kept.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgument, ProtocolError } from '../../../src/errors.js';
import { LayoutWriter } from '../../../src/image-archive/layout-writer.js';
import { openImageArchive } from '../../../src/image-archive/archive.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

afterAll(removeTempDirs);

const sha = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const everything = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();

describe('LayoutWriter', () => {
  it('refuses a blob shorter or longer than its descriptor, leaving nothing of it', async () => {
    const dir = join(tempDir('dockwire-layout-writer-'), 'out');
    const writer = await LayoutWriter.open(dir, 'test');
    const bytes = Buffer.from('hello');
    await expect(writer.write({ mediaType: 'x', digest: sha(bytes), size: 6 }, [bytes])).rejects.toThrow(ProtocolError);
    await expect(writer.write({ mediaType: 'x', digest: sha(bytes), size: 4 }, [bytes])).rejects.toThrow(/longer than/);
    expect(everything(dir)).toEqual(['blobs', 'blobs/sha256', 'oci-layout']);
    // tried again (a failure is not kept), whole this time
    expect(await writer.write({ mediaType: 'x', digest: sha(bytes), size: 5 }, [bytes])).toBe(true);
    expect(await writer.has(sha(bytes))).toBe(true);
  });

  it('refuses a digest that would make a path outside blobs/', async () => {
    const writer = await LayoutWriter.open(join(tempDir('dockwire-layout-writer-'), 'out'), 'test');
    for (const digest of ['sha256:../../../etc/passwd', `sha256:${'A'.repeat(64)}`, 'md5:abc'])
      await expect(writer.write({ mediaType: 'x', digest, size: 1 }, [Buffer.from('x')])).rejects.toThrow(
        ProtocolError,
      );
  });

  it('writes index.json last; a second writer keeps the entries, and moves a name given again', async () => {
    const dir = join(tempDir('dockwire-layout-writer-'), 'out');
    const first = await LayoutWriter.open(dir, 'test');
    const config = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
    );
    await first.writeBytes(config, 'application/vnd.oci.image.config.v1+json');
    const manifest = (n: number) =>
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
          layers: [],
          annotations: { n: String(n) },
        }),
      );
    const one = await first.writeBytes(manifest(1), 'application/vnd.oci.image.manifest.v1+json');
    first.list(one, 'v1');
    expect(existsSync(join(dir, 'index.json'))).toBe(false);
    await first.commit();
    const second = await LayoutWriter.open(dir, 'test');
    const two = await second.writeBytes(manifest(2), 'application/vnd.oci.image.manifest.v1+json');
    second.list(two, 'v2');
    second.list(two, 'v1'); // v1 moves to the second manifest
    await second.commit();
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
      manifests: Array<{ digest: string; annotations: Record<string, string> }>;
    };
    expect(index.manifests.map((m) => [m.annotations['org.opencontainers.image.ref.name'], m.digest])).toEqual([
      ['v2', two.digest],
      ['v1', two.digest],
    ]);
    await using archive = await openImageArchive(dir);
    expect(archive.images.map((i) => i.digest)).toEqual([two.digest]);
    await expect(LayoutWriter.open(join(dir, 'index.json'), 'test')).rejects.toThrow(InvalidArgument);
  });
});
