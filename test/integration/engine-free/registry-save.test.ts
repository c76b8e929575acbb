// registry.save and registry.load: an image out of a loopback registry into an OCI layout folder
// and back, byte for byte, with its referrers, against the tools that read and write layouts: oras
// 1.3.3 (`discover --oci-layout` lists what the registry lists; `cp --from-oci-layout` puts back
// the same digest), cosign 3.1.1 (`verify --local-image` verifies the saved legacy signature;
// `cosign save`'s layout loaded, then verified in the registry), and dockwire's own reader and
// verifier; a platform alone, a layout saved into twice, an abort, a changed blob, bad input.
import { execFileSync } from 'node:child_process';
import { cpSync, createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DigestMismatch,
  InvalidArgument,
  ManifestNotFound,
  openImageArchive,
  Registry,
  type Descriptor,
} from '../../../src/index.js';
import { main } from '../../../src/cli/main.js';
import { cosign, cosignAttest, cosignKeys, cosignSign, type CosignKeys } from '../../support/cosign.js';
import { bufferIo } from '../../support/cli-io.js';
import { dockerArchive, file } from '../../support/image-archives.js';
import {
  crane,
  makeImages,
  orasAsGiven,
  orasDiscovered,
  peerConfig,
  testRegistries,
  type Made,
} from '../../support/registry-peers.js';
import { uniqueName } from '../../support/engine.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

const registry = new Registry();
let made: Made;
let keys: CosignKeys;
let work: string;
let digests: { index: string; amd64: string; arm64: string };
beforeAll(async () => {
  made = await makeImages(testRegistries()[0]!); // an SBOM and a signature attached to amd64 by oras
  work = tempDir('dockwire-registry-save-');
  keys = await cosignKeys();
  digests = {
    index: (await registry.resolve(made.index)).digest,
    amd64: (await registry.resolve(made.index, { platform: 'linux/amd64' })).digest,
    arm64: (await registry.resolve(made.index, { platform: 'linux/arm64' })).digest,
  };
  await cosignSign(keys, `${made.repo}@${digests.index}`, true); // the legacy .sig tag
  await cosignAttest(keys, `${made.repo}@${digests.index}`, 'cyclonedx', { bomFormat: 'CycloneDX', n: 1 }, true);
  await cosignSign(keys, `${made.repo}@${digests.arm64}`); // a Sigstore bundle referrer
}, 300_000);
afterAll(() => {
  registry.close();
  removeTempDirs();
});

const digestsOf = (list: Descriptor[]): string[] => list.map((d) => d.digest).sort();

/** Every file under `dir` whose name marks a blob not yet whole. */
function partials(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.partial'));
}

describe('registry.save', () => {
  it('saves an index with its referrers: oras lists them, cosign and dockwire verify them, oras puts back the same digest', async () => {
    const dir = join(work, 'full');
    const job = registry.save(made.index, dir, { referrers: true });
    let pushed = 0;
    for await (const event of job) if (event.status === 'Pushed') pushed++;
    const saved = await job;
    expect(saved.digest).toBe(digests.index);
    expect(pushed).toBeGreaterThan(0);
    expect(partials(dir)).toEqual([]);
    // what the registry lists as each manifest's referrers, oras finds in the layout
    for (const subject of Object.values(digests)) {
      const there = await registry.referrers(`${made.repo}@${subject}`);
      expect(digestsOf(await orasDiscovered(dir, subject))).toEqual(digestsOf(there));
    }
    // cosign verifies the saved legacy signature offline, as dockwire does; dockwire verifies the bundle
    const { stdout } = await cosign('verify', '--key', keys.cosignPub, '--insecure-ignore-tlog', '--local-image', dir);
    expect(stdout).toContain(digests.index);
    await using archive = await openImageArchive(dir);
    expect((await archive.verify({ key: keys.publicPem })).digest).toBe(digests.index);
    expect((await archive.verify(digests.arm64, { key: keys.publicPem })).signatures[0]!.format).toBe('bundle');
    expect(await archive.verifyAttestations({ key: keys.publicPem })).toHaveLength(1);
    expect(archive.images.map((i) => i.platform?.architecture).sort()).toEqual(['amd64', 'arm64']);
    // the tag index.json gives, alone, names both platforms' images
    expect(archive.images.map((i) => i.names)).toEqual([['multi'], ['multi']]);
    const paths: string[] = [];
    for await (const f of archive.files({ image: 'multi', platform: 'linux/arm64' })) paths.push(f.path);
    expect(paths).toContain('/hello.txt');
    // byte for byte: oras copies it back to a registry under the same digest
    const back = `${made.repo}-back:${uniqueName('t')}`;
    await orasAsGiven('cp', '--to-plain-http', '--from-oci-layout', `${dir}:multi`, back);
    expect((await crane('digest', back)).trim()).toBe(digests.index);
  });

  it('saves one platform, without referrers, and a second image into the same layout; a tag saved again moves', async () => {
    const dir = join(work, 'platform');
    const one = await registry.save(made.index, dir, { platforms: ['linux/arm64'], tag: 'arm' });
    expect(one.digest).toBe(digests.arm64);
    await registry.save(made.single, dir);
    await registry.save(made.single, dir, { tag: 'arm', platforms: ['linux/amd64'] }); // 'arm' now names amd64
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
    const named = index.manifests.map((d) => [d.annotations?.['org.opencontainers.image.ref.name'], d.digest]);
    expect(named.sort()).toEqual(
      [
        ['amd64', digests.amd64],
        ['arm', digests.amd64],
      ].sort(),
    );
    await using archive = await openImageArchive(dir);
    expect(await archive.referrers(digests.amd64)).toEqual([]);
    expect(archive.images.map((i) => i.digest)).toEqual([digests.amd64]);
  });

  it('saves into a tar when the path ends in .tar: the same layout, nothing left beside it', async () => {
    const parent = join(work, 'tars');
    mkdirSync(parent);
    const tar = join(parent, 'multi.tar');
    writeFileSync(tar, 'an older file, replaced');
    expect((await registry.save(made.index, tar, { referrers: true })).digest).toBe(digests.index);
    expect(readdirSync(parent)).toEqual(['multi.tar']);
    const members = execFileSync('tar', ['-tf', tar], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(members.slice(0, 2)).toEqual(['oci-layout', 'index.json']);
    expect(members).toContain(`blobs/sha256/${digests.arm64.slice(7)}`);
    await using archive = await openImageArchive(tar);
    expect((await archive.verify({ key: keys.publicPem })).digest).toBe(digests.index);
    // oras reads it as it reads the folder
    expect(digestsOf(await orasDiscovered(tar, digests.arm64))).toEqual(
      digestsOf(await registry.referrers(`${made.repo}@${digests.arm64}`)),
    );
  });

  it('an abort leaves no partial blob and no index.json naming what is missing; of a tar, nothing at all', async () => {
    const aborted = async (target: string): Promise<void> => {
      const controller = new AbortController();
      const job = registry.save(made.index, target, { referrers: true, signal: controller.signal });
      const outcome = (async () => {
        for await (const event of job) if (event.status === 'Pushing' || event.status === 'Pushed') controller.abort();
        return job;
      })();
      await expect(outcome).rejects.toThrow();
    };
    const dir = join(work, 'aborted');
    await aborted(dir);
    expect(partials(dir)).toEqual([]);
    expect(existsSync(join(dir, 'index.json'))).toBe(false);
    const parent = join(work, 'aborted-tar');
    mkdirSync(parent);
    await aborted(join(parent, 'x.tar'));
    expect(readdirSync(parent)).toEqual([]);
  });

  it('refuses a destination that is a file, or a folder that is neither empty nor a layout, and a misspelled option', async () => {
    const file = join(work, 'a-file');
    writeFileSync(file, 'x');
    await expect(registry.save(made.single, file)).rejects.toThrow(InvalidArgument);
    const busy = join(work, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'notes.txt'), 'mine');
    await expect(registry.save(made.single, busy)).rejects.toThrow(/neither empty nor an OCI layout/);
    expect(readdirSync(busy)).toEqual(['notes.txt']);
    await expect(registry.save(made.single, join(work, 'x'), { referers: true } as never)).rejects.toThrow(
      /unknown option "referers"; did you mean "referrers"/,
    );
    await expect(registry.save(made.single, join(work, 'y'), { tag: 'a/b' })).rejects.toThrow(InvalidArgument);
  });

  it('dockwire cp --to-oci-layout', async () => {
    const dir = join(work, 'cli');
    const io = bufferIo({ env: { DOCKER_CONFIG: peerConfig() } });
    expect(await main(['cp', made.index, dir, '--to-oci-layout', '--referrers'], io.io)).toBe(0);
    expect(io.out()).toBe(`${dir}@${digests.index}\n`);
    await using archive = await openImageArchive(dir);
    expect((await archive.verify({ key: keys.publicPem })).digest).toBe(digests.index);
  });
});

describe('registry.load', () => {
  it('puts a saved layout into another repository: the same digest, its referrers listed there, cosign verifies there', async () => {
    const dir = join(work, 'to-load');
    await registry.save(made.index, dir, { referrers: true });
    const to = `${made.repo}-loaded`;
    const job = registry.load(dir, `${to}:v1`, { referrers: true });
    let pushed = 0;
    for await (const event of job) if (event.status === 'Pushed') pushed++;
    expect((await job).digest).toBe(digests.index);
    expect(pushed).toBeGreaterThan(0);
    for (const subject of Object.values(digests))
      expect(digestsOf(await registry.referrers(`${to}@${subject}`))).toEqual(
        digestsOf(await registry.referrers(`${made.repo}@${subject}`)),
      );
    const { stdout } = await cosign(
      'verify',
      '--key',
      keys.cosignPub,
      '--insecure-ignore-tlog',
      '--allow-http-registry',
      `${to}:v1`,
    );
    expect(stdout).toContain(digests.index);
    expect((await registry.verify(`${to}@${digests.arm64}`, { key: keys.publicPem })).signatures[0]!.format).toBe(
      'bundle',
    );
    expect(await registry.verifyAttestations(`${to}:v1`, { key: keys.publicPem })).toHaveLength(1);
  });

  it('loads a layout\u2019s tar from a stream, as `cat layout.tar |` gives it', async () => {
    const tar = join(work, 'streamed.tar');
    await registry.save(made.index, tar, { referrers: true });
    const to = `${made.repo}-streamed:v1`;
    expect((await registry.load(createReadStream(tar), to, { referrers: true })).digest).toBe(digests.index);
    expect((await registry.verify(to, { key: keys.publicPem })).digest).toBe(digests.index);
  });

  it('loads cosign save\u2019s layout as cosign load does: its legacy signature goes under its tag', async () => {
    const dir = join(work, 'cosign-saved');
    await cosign('save', '--allow-http-registry', '--dir', dir, made.index);
    const to = `${made.repo}-cosign:v1`;
    expect((await registry.load(dir, to, { referrers: true })).digest).toBe(digests.index);
    const { stdout } = await cosign(
      'verify',
      '--key',
      keys.cosignPub,
      '--insecure-ignore-tlog',
      '--allow-http-registry',
      to,
    );
    expect(stdout).toContain(digests.index);
  });

  it('a blob changed in the layout is refused before the image is pushed: no manifest names it', async () => {
    const dir = join(work, 'changed');
    await registry.save(made.single, dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'blobs', 'sha256', digests.amd64.slice(7)), 'utf8')) as {
      layers: Descriptor[];
    };
    const layer = join(dir, 'blobs', 'sha256', manifest.layers[0]!.digest.slice(7));
    const bytes = readFileSync(layer);
    bytes.writeUInt8(bytes[100]! ^ 1, 100);
    writeFileSync(layer, bytes);
    const to = `${made.repo}-changed-${uniqueName('r')}:v1`;
    await expect(registry.load(dir, to)).rejects.toThrow(DigestMismatch);
    await expect(registry.resolve(to)).rejects.toThrow(ManifestNotFound);
  });

  it('chooses among a layout\u2019s images by name; refuses a docker-archive, a broken layout, an unknown name and a misspelled option', async () => {
    const dir = join(work, 'two');
    await registry.save(`${made.repo}:amd64`, dir);
    await registry.save(`${made.repo}:arm64`, dir);
    const to = `${made.repo}-chosen:v1`;
    await expect(registry.load(dir, to)).rejects.toThrow(/holds 2 images/);
    expect((await registry.load(dir, to, { image: 'arm64' })).digest).toBe(digests.arm64);
    await expect(registry.load(dir, to, { image: 'nope' })).rejects.toThrow(InvalidArgument);
    await expect(registry.load(dir, to, { referers: true } as never)).rejects.toThrow(/did you mean "referrers"/);
    const archive = join(work, 'docker-archive.tar');
    writeFileSync(archive, await dockerArchive([[file('a.txt', 'a')]]));
    await expect(registry.load(archive, to)).rejects.toThrow(/is a docker-archive/);
    const broken = join(work, 'not-oci');
    cpSync(dir, broken, { recursive: true });
    writeFileSync(join(broken, 'oci-layout'), '{}');
    await expect(registry.load(broken, to)).rejects.toThrow(/imageLayoutVersion/);
  });

  it('dockwire cp --from-oci-layout', async () => {
    const dir = join(work, 'cli-load');
    await registry.save(made.index, dir, { referrers: true });
    const io = bufferIo({ env: { DOCKER_CONFIG: peerConfig() } });
    const to = `${made.repo}-cli:v1`;
    expect(await main(['cp', dir, to, '--from-oci-layout', '--referrers'], io.io)).toBe(0);
    expect(io.out()).toBe(`${to}@${digests.index}\n`);
    expect((await registry.verify(to, { key: keys.publicPem })).digest).toBe(digests.index);
  });
});
