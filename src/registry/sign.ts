// Signing and attesting images in their registry with a key, as cosign 3.1.1 writes them: a
// Sigstore bundle v0.3 as an OCI 1.1 referrer (the default), or cosign's legacy tags
// (`sha256-<hex>.sig` of simple signing payloads, `sha256-<hex>.att` of DSSE envelopes).
import type { KeyObject } from 'node:crypto';
import { ManifestNotFound, InvalidArgument } from '../errors.js';
import { checkOptions, optionNames } from '../options.js';
import { OCI_MANIFEST, type Descriptor, type ImageManifest } from '../oci.js';
import { loadPrivateKey, signBytes, type KeySource } from '../trust/signing-keys.js';
import { SIMPLE_SIGNING, simpleSigningPayload } from '../trust/simplesigning.js';
import {
  BUNDLE_V03,
  COSIGN_SIGN_PREDICATE,
  DSSE_ENVELOPE,
  SIGNATURE_ANNOTATION,
  attestationStatement,
  keyBundle,
  signEnvelope,
  signatureStatement,
} from '../trust/sign.js';
import { IN_TOTO } from '../trust/artifact.js';
import { endDeadline, withDeadline } from './call-deadline.js';
import { parseRegistryReference } from './name.js';
import { callOptions, type RegistryCallOptions, CALL_NAMES } from './options.js';
import type { Registry } from './registry.js';

/** SigningCallOptions: what `registry.sign` and `registry.attest` both take: the key and the format. */
export interface SigningCallOptions extends RegistryCallOptions {
  /** The private key: PKCS#8 PEM (encrypted with `passphrase`, or not), cosign's own `cosign.key` (its password in `passphrase`), or a KeyObject. */
  key: KeySource;
  /** The passphrase of an encrypted PKCS#8 key, or cosign.key's password (none: empty). */
  passphrase?: string;
  /** 'bundle' (cosign 3's default: a Sigstore bundle as a referrer) or 'simplesigning' (the legacy tags). */
  format?: 'bundle' | 'simplesigning';
}

/** SignOptions: the options of `registry.sign`. */
export interface SignOptions extends SigningCallOptions {
  /** Annotations signed with the image (`cosign sign -a K=V`). */
  annotations?: Record<string, string>;
}

/** AttestOptions: the options of `registry.attest`. */
export interface AttestOptions extends SigningCallOptions {
  /** The predicate's type (a URI, as `cosign attest --type` gives it: `https://slsa.dev/provenance/v0.2`). */
  predicateType: string;
  /** The predicate: any JSON value. */
  predicate: unknown;
}

/** SignResult: what `registry.sign` and `registry.attest` wrote: the image's digest and the manifest holding the signature. */
export interface SignResult {
  /** The digest of the image signed. */
  digest: string;
  /** The referrer, or the `.sig` / `.att` manifest, that now holds the signature. */
  descriptor: Descriptor;
}

const SIGN_OPTIONS = optionNames<SignOptions>({
  ...CALL_NAMES,
  key: true,
  passphrase: true,
  format: true,
  annotations: true,
});
const ATTEST_OPTIONS = optionNames<AttestOptions>({
  ...CALL_NAMES,
  key: true,
  passphrase: true,
  format: true,
  predicateType: true,
  predicate: true,
});

/** Signs the image `ref` names (its manifest or index digest) with a key, as `cosign sign --key` does. */
export async function signImage(registry: Registry, ref: string, options: SignOptions): Promise<SignResult> {
  checkOptions('registry.sign', options, SIGN_OPTIONS);
  const { key, format, call } = await signingInput('registry.sign', options);
  try {
    const annotations = options.annotations ?? {};
    if (
      annotations === null ||
      typeof annotations !== 'object' ||
      Object.values(annotations).some((v) => typeof v !== 'string')
    )
      throw new InvalidArgument('registry.sign: annotations must be an object of strings');
    const { name, digest } = await subjectOf(registry, ref, call);
    if (format === 'bundle') {
      const statement = new TextEncoder().encode(JSON.stringify(signatureStatement(digest, annotations)));
      return {
        digest,
        descriptor: await attachBundle(
          registry,
          `${name}@${digest}`,
          keyBundle(signEnvelope(statement, IN_TOTO, key), key),
          COSIGN_SIGN_PREDICATE,
          call,
        ),
      };
    }
    const payload = simpleSigningPayload(name, digest, annotations);
    const signature = Buffer.from(signBytes(key, payload)).toString('base64');
    return {
      digest,
      descriptor: await appendLayer(
        registry,
        name,
        digest,
        'sig',
        { mediaType: SIMPLE_SIGNING, data: payload, annotations: { [SIGNATURE_ANNOTATION]: signature } },
        call,
      ),
    };
  } finally {
    endDeadline(call);
  }
}

/** Attests the image `ref` names with an in-toto statement of `predicateType`, signed with a key, as `cosign attest --key` does. */
export async function attestImage(registry: Registry, ref: string, options: AttestOptions): Promise<SignResult> {
  checkOptions('registry.attest', options, ATTEST_OPTIONS);
  const { key, format, call } = await signingInput('registry.attest', options);
  try {
    if (typeof options.predicateType !== 'string' || options.predicateType === '')
      throw new InvalidArgument('registry.attest needs a predicateType');
    if (options.predicate === undefined) throw new InvalidArgument('registry.attest needs a predicate');
    const { name, digest } = await subjectOf(registry, ref, call);
    const statement = new TextEncoder().encode(
      JSON.stringify(attestationStatement(name, digest, options.predicateType, options.predicate)),
    );
    const envelope = signEnvelope(statement, IN_TOTO, key);
    if (format === 'bundle')
      return {
        digest,
        descriptor: await attachBundle(
          registry,
          `${name}@${digest}`,
          keyBundle(envelope, key),
          options.predicateType,
          call,
        ),
      };
    const layer = {
      mediaType: DSSE_ENVELOPE,
      data: new TextEncoder().encode(JSON.stringify(envelope)),
      annotations: { [SIGNATURE_ANNOTATION]: '', predicateType: options.predicateType },
    };
    return { digest, descriptor: await appendLayer(registry, name, digest, 'att', layer, call) };
  } finally {
    endDeadline(call);
  }
}

type Call = RegistryCallOptions;

async function signingInput(
  where: string,
  options: SigningCallOptions,
): Promise<{ key: KeyObject; format: 'bundle' | 'simplesigning'; call: Call }> {
  if (options?.key === undefined) throw new InvalidArgument(`${where} needs a key (a PKCS#8 PEM private key)`);
  const format = options.format ?? 'bundle';
  if (format !== 'bundle' && format !== 'simplesigning')
    throw new InvalidArgument(`${where}: format must be 'bundle' or 'simplesigning'`);
  const key = await loadPrivateKey(options.key, options.passphrase, `${where}'s key`);
  return { key, format, call: callOptions(withDeadline(options, where)) };
}

/** The repository (as cosign names it in payloads: `host/path`) and the digest `ref` resolves to. */
async function subjectOf(registry: Registry, ref: string, call: Call): Promise<{ name: string; digest: string }> {
  const reference = parseRegistryReference(ref);
  const name = `${reference.registry === 'docker.io' ? 'index.docker.io' : reference.registry}/${reference.repository}`;
  const digest = reference.digest ?? (await registry.resolve(ref, call)).digest;
  return { name, digest };
}

/** A bundle attached to `subject` as cosign 3 attaches it: one layer, the bundle, and its annotations. */
function attachBundle(
  registry: Registry,
  subject: string,
  bundle: object,
  predicateType: string,
  call: Call,
): Promise<Descriptor> {
  return registry.attach(subject, {
    ...call,
    artifactType: BUNDLE_V03,
    blobs: [{ mediaType: BUNDLE_V03, data: new TextEncoder().encode(JSON.stringify(bundle)) }],
    annotations: {
      'dev.sigstore.bundle.content': 'dsse-envelope',
      'dev.sigstore.bundle.predicateType': predicateType,
      'org.opencontainers.image.created': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
  });
}

/**
 * A layer added to the legacy `sha256-<hex>.<suffix>` manifest (made when there is none): the
 * earlier signatures kept, one that is already there not added twice, and the config's diff_ids
 * listing the layers, as cosign's config does.
 */
async function appendLayer(
  registry: Registry,
  name: string,
  digest: string,
  suffix: 'sig' | 'att',
  layer: { mediaType: string; data: Uint8Array; annotations: Record<string, string> },
  call: Call,
): Promise<Descriptor> {
  const tag = `${name}:${digest.replace(':', '-')}.${suffix}`;
  let layers: Descriptor[] = [];
  try {
    const existing = (await registry.manifest(tag, call)).manifest as Partial<ImageManifest>;
    if (Array.isArray(existing.layers)) layers = existing.layers;
  } catch (error) {
    if (!(error instanceof ManifestNotFound)) throw error;
  }
  const pushed = await registry.pushBlob(name, layer.data, { ...call, mediaType: layer.mediaType });
  const added: Descriptor = {
    mediaType: layer.mediaType,
    size: pushed.size,
    digest: pushed.digest,
    annotations: layer.annotations,
  };
  const same = (d: Descriptor): boolean =>
    d.digest === added.digest && d.annotations?.[SIGNATURE_ANNOTATION] === layer.annotations[SIGNATURE_ANNOTATION];
  if (!layers.some(same)) layers = [...layers, added];
  const config = {
    architecture: '',
    created: '0001-01-01T00:00:00Z',
    history: [{ created: '0001-01-01T00:00:00Z' }],
    os: '',
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    config: {},
  };
  const configDescriptor = await registry.pushBlob(name, new TextEncoder().encode(JSON.stringify(config)), {
    ...call,
    mediaType: 'application/vnd.oci.image.config.v1+json',
  });
  const manifest: ImageManifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: configDescriptor, layers };
  return registry.pushManifest(tag, manifest, { ...call, mediaType: OCI_MANIFEST });
}
