// Attested images in the loopback registry, made by the real tools: a two-platform COPY-only build
// on buildkitd with SLSA provenance (mode=max), pushed (v1, BuildKit's default) and exported as an
// OCI archive by buildctl (v0.2); cosign
// attestations (CycloneDX as a Sigstore bundle referrer, SPDX as one and as a legacy `.att` tag);
// a plain in-toto statement attached by oras. No SBOM generator (it is an image on Docker Hub).
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BuildKit, Registry } from '../../src/index.js';
import { buildctl, buildkitd, dockerfileBuild } from './buildkitd.js';
import { makeTree } from './contexts.js';
import { engine, uniqueName } from './engine.js';
import { oras, peerConfig } from './registry-peers.js';
import { tempDir } from './temp.js';

const run = promisify(execFile);

export const PROVENANCE_V02 = 'https://slsa.dev/provenance/v0.2';
export const PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
export const SPDX = 'https://spdx.dev/Document';
export const CYCLONEDX = 'https://cyclonedx.org/bom';
export const IN_TOTO = 'application/vnd.in-toto+json';

let config: string | undefined;

/** cosign 3.1.1 (DOCKWIRE_COSIGN), with an empty key password, against the loopback registries. */
export async function cosign(...args: string[]): Promise<string> {
  const bin = process.env['DOCKWIRE_COSIGN'];
  if (!bin) throw new Error('DOCKWIRE_COSIGN is not set: the set-up scripts fetch cosign 3.1.1 from forky');
  config ??= peerConfig();
  const { stdout, stderr } = await run(bin, args, {
    env: { ...process.env, COSIGN_PASSWORD: '', DOCKER_CONFIG: config },
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return `${stdout}${stderr}`;
}

export interface AttestedImages {
  /** The repository, registry and all. */
  repo: string;
  /** `repo:tag` of the pushed two-platform index. */
  ref: string;
  index: string;
  amd64: string;
  arm64: string;
  /** The same build (provenance v0.2), exported by BuildKit's oci exporter. */
  archive: string;
  /** The cosign key pair's folder (cosign.key, cosign.pub). */
  keys: string;
  dir: string;
}

/** A key pair cosign made in `dir`. */
export async function cosignKeys(dir: string): Promise<void> {
  await cosign('generate-key-pair', '--output-key-prefix', join(dir, 'cosign'));
}

/** `cosign attest` with the key in `keys`, no transparency log; `legacy` writes the `.att` tag instead of a bundle referrer. */
export async function cosignAttest(
  keys: string,
  ref: string,
  type: 'cyclonedx' | 'spdxjson' | 'slsaprovenance',
  predicate: unknown,
  legacy = false,
): Promise<void> {
  const file = join(keys, `${uniqueName('predicate')}.json`);
  writeFileSync(file, JSON.stringify(predicate));
  await cosign(
    'attest',
    '--key',
    join(keys, 'cosign.key'),
    '--type',
    type,
    '--predicate',
    file,
    ...(legacy ? ['--new-bundle-format=false'] : []),
    '--use-signing-config=false',
    '--tlog-upload=false',
    '--allow-http-registry',
    '-y',
    ref,
  );
}

export const cyclonedx = (marker: string): Record<string, unknown> => ({
  bomFormat: 'CycloneDX',
  specVersion: '1.5',
  version: 1,
  components: [{ type: 'library', name: marker, version: '1.0' }],
});
export const spdx = (marker: string): Record<string, unknown> => ({
  spdxVersion: 'SPDX-2.3',
  SPDXID: 'SPDXRef-DOCUMENT',
  name: marker,
  dataLicense: 'CC0-1.0',
  packages: [{ SPDXID: 'SPDXRef-p', name: marker }],
});

/** An in-toto statement about `digest`, as a file oras attaches. */
export function statementFile(dir: string, predicateType: string, predicate: unknown, digest: string): string {
  const name = `${uniqueName('statement')}.json`;
  writeFileSync(
    join(dir, name),
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'x', digest: { sha256: digest.slice(7) } }],
      predicateType,
      predicate,
    }),
  );
  return join(dir, name);
}

/**
 * attestedImages: the two-platform build with provenance, pushed and exported; CycloneDX (bundle)
 * on the amd64 manifest, SPDX as a legacy `.att` of the index and as a bundle on the arm64 manifest,
 * and a plain in-toto statement (custom predicate) attached by oras to the arm64 manifest.
 */
export async function attestedImages(registry: Registry): Promise<AttestedImages> {
  const marker = uniqueName('att');
  const repo = `${engine.registry}/dockwire-test/${marker}`;
  const ref = `${repo}:1`;
  const context = makeTree({ Dockerfile: 'FROM scratch\nCOPY a.txt /a.txt\n', 'a.txt': marker });
  const dir = tempDir('dockwire-attested-');
  const archive = join(dir, 'oci.tar');
  const buildkit = new BuildKit({ host: buildkitd.unix });
  try {
    await buildkit.build({
      path: context,
      platforms: ['linux/amd64', 'linux/arm64'],
      attest: { provenance: 'max' },
      outputs: [{ type: 'image', name: ref, push: true }],
    });
  } finally {
    buildkit.close();
  }
  // the archive by buildctl, with provenance v0.2 (BuildKit 0.32 writes v1 unless told)
  await buildctl(buildkitd.unix, [
    ...dockerfileBuild(context),
    '--opt',
    'platform=linux/amd64,linux/arm64',
    '--opt',
    'attest:provenance=mode=max,version=v0.2',
    '--output',
    `type=oci,dest=${archive}`,
  ]);
  const index = (await registry.resolve(ref)).digest;
  const amd64 = (await registry.resolve(ref, { platform: 'linux/amd64' })).digest;
  const arm64 = (await registry.resolve(ref, { platform: 'linux/arm64' })).digest;
  await cosignKeys(dir);
  await cosignAttest(dir, `${repo}@${amd64}`, 'cyclonedx', cyclonedx(marker));
  await cosignAttest(dir, `${repo}@${index}`, 'spdxjson', spdx(`${marker}-index`), true);
  await cosignAttest(dir, `${repo}@${arm64}`, 'spdxjson', spdx(`${marker}-arm64`));
  const file = statementFile(dir, 'https://dockwire.test/custom/v1', { marker }, arm64);
  await oras(
    'attach',
    '--disable-path-validation',
    '--artifact-type',
    IN_TOTO,
    `${repo}@${arm64}`,
    `${file}:${IN_TOTO}`,
  );
  return { repo, ref, index, amd64, arm64, archive, keys: dir, dir };
}
