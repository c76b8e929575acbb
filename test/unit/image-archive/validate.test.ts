// imageArchive.validate: every layer read whole and checked (an OCI layout's against its digest,
// compressed or not; a docker-archive's against its diff_id), where reads at offsets check sizes
// only: a layer changed in place, its size kept, lists as it is and is refused by validate.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { bufferIo } from '../../support/cli-io.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';
import { ClientClosed, DigestMismatch } from '../../../src/errors.js';
import { openImageArchive } from '../../../src/image-archive/archive.js';
import { dockerArchive, file, ociLayout } from '../../support/image-archives.js';

afterAll(removeTempDirs);

const MARKER = 'dockwire-validate-marker';
const layers = [[file('etc/a.txt', `${MARKER} one`)], [file('etc/b.txt', 'two')]];

/** `bytes` with one byte of the marker's first occurrence changed (sizes all kept). */
function changed(bytes: Buffer): Buffer {
  const at = bytes.indexOf(MARKER);
  expect(at).toBeGreaterThan(0);
  const copy = Buffer.from(bytes);
  copy.writeUInt8(copy[at]! ^ 0x20, at);
  return copy;
}

describe('imageArchive.validate', () => {
  it.each([
    ['docker-archive', () => dockerArchive(layers)],
    ['OCI layout, gzip layers', () => ociLayout([{ layers }])],
    ['OCI layout, plain layers', () => ociLayout([{ layers, options: { compression: 'none' } }])],
  ])('%s: every layer read and checked', async (_name, make) => {
    await using archive = await openImageArchive(await make());
    const result = await archive.validate();
    expect(result).toMatchObject({ images: 1, layers: 2 });
    // every stored byte of both layers (the docker-archive's are plain tars)
    expect(result.bytes).toBe(archive.images[0]!.layers.reduce((n, l) => n + l.size, 0));
    expect(await archive.validate({ platform: 'linux/amd64' })).toEqual(result);
  });

  it.each([
    ['docker-archive', () => dockerArchive(layers)],
    ['OCI layout, plain layers', () => ociLayout([{ layers, options: { compression: 'none' } }])],
  ])('%s: a layer changed in place lists as it is, and validate refuses it', async (_name, make) => {
    await using archive = await openImageArchive(changed(await make()));
    const paths: string[] = [];
    for await (const f of archive.files()) paths.push(f.path);
    expect(paths).toContain('/etc/a.txt'); // (read at offsets: the size is right, the digest unchecked)
    const error = await archive.validate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DigestMismatch);
    expect((error as DigestMismatch).message).toMatch(/layer 0 of sha256:[0-9a-f]{64}/);
  });

  it('the CLI: dockwire validate ARCHIVE exits 0, or 1 naming the changed layer', async () => {
    const dir = tempDir('dockwire-validate-');
    const good = join(dir, 'good.tar');
    const bad = join(dir, 'bad.tar');
    writeFileSync(good, await dockerArchive(layers));
    writeFileSync(bad, changed(await dockerArchive(layers)));
    const ok = bufferIo();
    expect(await main(['validate', good], ok.io)).toBe(0);
    expect(ok.out()).toBe(`${good}: 2 layers of 1 images checked, 4096 bytes\n`); // two tars of one file, 2048 bytes each
    const refused = bufferIo();
    expect(await main(['validate', bad], refused.io)).toBe(1);
    expect(refused.err()).toMatch(/layer 0 of sha256:[0-9a-f]{64}/);
  });

  it('a closed archive is ClientClosed', async () => {
    const archive = await openImageArchive(await dockerArchive(layers));
    await archive.close();
    await expect(archive.validate()).rejects.toThrow(ClientClosed);
  });
});
