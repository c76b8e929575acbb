// One image of a registry: of an index, the platform asked for (default this machine's), its
// manifest and its config, read whole and verified.
import { ManifestNotFound, ProtocolError } from '../errors.js';
import { isIndex, type Descriptor, type ImageConfig, type ImageIndex, type ImageManifest } from '../oci.js';
import { formatPlatform, parsePlatform, platformMatches, type PlatformSpec } from '../platform.js';
import { checkDigest } from '../digest.js';
import type { RegistryCallOptions } from './options.js';
import { parseJson, sizeOf, type Repository } from './repository.js';
import { isAttestationEntry } from '../attestations/entry.js';

/** Image configs bigger than this are refused (they are read whole). */
export const MAX_CONFIG_SIZE = 64 * 1024 * 1024;

/** An image's manifest, its descriptor and its config. */
export interface RegistryImage {
  manifest: ImageManifest;
  descriptor: Descriptor;
  config: ImageConfig;
}

/** The image `which` names in `repository`: of an index, `platform`'s (default: this machine's). */
export async function readImage(
  repository: Repository,
  which: string,
  ref: string,
  platform: PlatformSpec | undefined,
  call: RegistryCallOptions,
): Promise<RegistryImage> {
  let { manifest, descriptor } = await repository.manifest(which, call);
  if (isIndex(manifest, descriptor.mediaType)) {
    const chosen = choosePlatform(manifest, platform ?? hostPlatform(), ref);
    ({ manifest, descriptor } = await repository.manifest(chosen.digest, call, sizeOf(chosen)));
  }
  const configDescriptor = (manifest as { config?: Descriptor }).config;
  if (!configDescriptor || typeof configDescriptor.digest !== 'string')
    throw new ProtocolError(`${ref}: the manifest has no config`);
  const config = await readConfig(repository, configDescriptor, call, ref);
  return { manifest: manifest as ImageManifest, descriptor, config };
}

/** The image config its descriptor names, verified (and bounded to the descriptor's size) and parsed. */
export async function readConfig(
  repository: Repository,
  descriptor: Descriptor,
  call: RegistryCallOptions,
  ref: string,
): Promise<ImageConfig> {
  return parseJson<ImageConfig>(
    await repository.readBlob(descriptor.digest, MAX_CONFIG_SIZE, call, sizeOf(descriptor)),
    `${ref}'s config`,
  );
}

/** ManifestNotFound for an image `ref` that has no manifest for a platform (`why` says which, and what it has). */
export function noManifestFor(ref: string, why: string): ManifestNotFound {
  return new ManifestNotFound(ref, 404, [{ code: 'MANIFEST_UNKNOWN', message: why }]);
}

/** The descriptor of `index` for `platform` (a variant left out matches any); none is ManifestNotFound. */
export function choosePlatform(index: ImageIndex, platform: PlatformSpec, ref: string): Descriptor {
  const want = parsePlatform(platform);
  // (an attestation manifest, platform unknown/unknown, is never an image to choose)
  const found = index.manifests.find(
    (m) => m.platform !== undefined && !isAttestationEntry(m) && platformMatches(m.platform, want),
  );
  if (!found) throw noManifestFor(ref, `no image for ${formatPlatform(want)} in the index`);
  checkDigest(found.digest, 'an index entry\u2019s digest');
  return found;
}

/** This machine's platform as an image names it (linux, and Node's arch in GOARCH words). */
export function hostPlatform(): PlatformSpec {
  const arch: Record<string, string> = {
    x64: 'amd64',
    ia32: '386',
    arm: 'arm',
    arm64: 'arm64',
    ppc64: 'ppc64le',
    s390x: 's390x',
    riscv64: 'riscv64',
  };
  return { os: 'linux', architecture: arch[process.arch] ?? process.arch };
}
