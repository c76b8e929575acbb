// registry.attestations: the in-toto statements about an image in a registry, from both places
// they are kept (the index's attestation manifests, and the referrers of the index and of each
// platform manifest, legacy `.att` tags included), each bound to its manifest by
// attestations/'s rule. Only the Registry's public calls are used: every manifest and blob read
// is bounded and checked against its digest there.
import { ManifestNotFound, ProtocolError } from '../errors.js';
import { checkOptions, optionNames } from '../options.js';
import type { PlatformSpec } from '../platform.js';
import { isIndex, type Descriptor } from '../oci.js';
import {
  AttestationCollector,
  indexSubjects,
  predicateTypeList,
  type AttestationList,
  type AttestationSubject,
} from '../attestations/collect.js';
import { ATTESTATION_LIMITS, checkCount } from '../attestations/limits.js';
import { formatReference, parseRegistryReference } from './name.js';
import { withinDeadline } from './call-deadline.js';
import { callOptions, type RegistryCallOptions, CALL_NAMES } from './options.js';
import type { Registry } from './registry.js';

/** RegistryAttestationsOptions: the options of `registry.attestations`. */
export interface RegistryAttestationsOptions extends RegistryCallOptions {
  /** Only the statements about this platform's manifest, and those about the index (which cover every platform). */
  platform?: PlatformSpec;
  /** Only statements of this in-toto predicate type, or of any of these. */
  predicateType?: string | readonly string[];
}

/** The option names of RegistryAttestationsOptions. */
export const REGISTRY_ATTESTATIONS_OPTIONS = optionNames<RegistryAttestationsOptions>({
  ...CALL_NAMES,
  platform: true,
  predicateType: true,
});

/** registryAttestations: what `registry.attestations(ref, options)` gives (see docs/attestations.md). */
export async function registryAttestations(
  registry: Registry,
  ref: string,
  options: RegistryAttestationsOptions = {},
): Promise<AttestationList> {
  checkOptions('registry.attestations', options, REGISTRY_ATTESTATIONS_OPTIONS);
  return withinDeadline(options, 'registry.attestations', (options) => collect(registry, ref, options));
}

/** The statements registryAttestations gives, `options` checked and its deadline already its signal. */
async function collect(
  registry: Registry,
  ref: string,
  options: RegistryAttestationsOptions,
): Promise<AttestationList> {
  const types = predicateTypeList(options.predicateType, 'registry.attestations');
  const reference = parseRegistryReference(ref);
  const repository = formatReference({
    registry: reference.registry,
    host: reference.host,
    repository: reference.repository,
  });
  const call = callOptions(options);
  const collector = new AttestationCollector(
    {
      manifest: async (digest) => (await registry.manifest(`${repository}@${digest}`, call)).manifest,
      blob: (descriptor) =>
        readWhole(registry.blob(`${repository}@${descriptor.digest}`, descriptor.digest, call), descriptor),
    },
    types,
  );
  const top = await registry.manifest(ref, call);
  let subjects: AttestationSubject[];
  if (isIndex(top.manifest, top.descriptor.mediaType)) {
    subjects = indexSubjects(top.descriptor.digest, top.manifest, options.platform, ref);
    await collector.index(top.manifest, subjects);
  } else subjects = [{ digest: top.descriptor.digest }];
  for (const subject of subjects) {
    const referrers = await registry.referrers(`${repository}@${subject.digest}`, call);
    checkCount(referrers.length, ATTESTATION_LIMITS.manifests, `the referrers of ${subject.digest}`);
    for (const d of referrers) await collector.referrer(d.digest, d.size, subject);
    const legacy = await registry
      .manifest(`${repository}:${subject.digest.replace(':', '-')}.att`, call)
      .catch((error: unknown) => {
        if (error instanceof ManifestNotFound) return undefined;
        throw error;
      });
    if (legacy !== undefined)
      await collector.referrer(legacy.descriptor.digest, legacy.descriptor.size, subject, { legacy: true });
  }
  return collector.found;
}

/** A blob whole, refused past the size its descriptor gave (the registry checks its digest). */
async function readWhole(chunks: AsyncIterable<Uint8Array>, descriptor: Descriptor): Promise<Uint8Array> {
  const out = new Uint8Array(descriptor.size);
  let length = 0;
  for await (const chunk of chunks) {
    if (length + chunk.length > descriptor.size)
      throw new ProtocolError(
        `blob ${descriptor.digest} is larger than its descriptor's ${descriptor.size} bytes: refused`,
      );
    out.set(chunk, length);
    length += chunk.length;
  }
  if (length !== descriptor.size)
    throw new ProtocolError(`blob ${descriptor.digest} is ${length} bytes, not its descriptor's ${descriptor.size}`);
  return out;
}
