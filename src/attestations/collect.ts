// Gathering the statements about an image from the two places they are kept: the attestation
// manifests of its index (BuildKit's: platform unknown/unknown, annotated with the manifest they
// are about) and the manifests that refer to it (cosign's bundles, `.att` tags, `oras attach`).
// Pure: the bytes come through an AttestationReader (a registry, an archive), checked there
// against their digests; every statement is bound to a manifest here, or counted as skipped.
import { InvalidArgument, ManifestNotFound, ProtocolError } from '../errors.js';
import { isIndex, type Descriptor, type ImageIndex, type Manifest } from '../oci.js';
import { parsePlatform, platformMatches, type Platform, type PlatformSpec } from '../platform.js';
import { isAttestationEntry } from './entry.js';
import { isStatementLayer, layerPayload } from './envelope.js';
import { ATTESTATION_LIMITS, Budget, checkCount } from './limits.js';
import { decodePredicate, type DecodedPredicate } from './predicates.js';
import { bindStatement, parseStatement, type InTotoStatement } from './statement.js';

/** AttestationReader: where the collector reads manifests and blobs, each checked against its digest by the reader. */
export interface AttestationReader {
  /** The manifest `digest` names (bounded, checked). */
  manifest(digest: string): Promise<Manifest>;
  /** The blob `descriptor` names, whole (at most its `size`, checked). */
  blob(descriptor: Descriptor): Promise<Uint8Array>;
}

/** AttestationSource: where an attestation was found: an attestation manifest of the index, or a referrer. */
export type AttestationSource = 'index' | 'referrer';

/** Attestation: one in-toto statement bound to an image manifest (or to the index), its predicate decoded (`kind` says into what). */
export type Attestation = {
  /** The platform of the manifest it is about; none when it is about the index (every platform) or a single image. */
  platform?: Platform;
  /** The digest of the manifest it is about. */
  subject: string;
  predicateType: string;
  statement: InTotoStatement;
  source: AttestationSource;
  /** Set when a signature came with it (a DSSE envelope's, a bundle's); not verified here. */
  signed?: true;
  /** The digest of the manifest that holds it. */
  manifest: string;
  /** The layer it was read from. */
  descriptor: Descriptor;
} & DecodedPredicate;

/** SkippedAttestation: a statement (or a whole manifest of them) found but not given, and why (it names another image, it is not a statement). */
export interface SkippedAttestation {
  /** The digest of the manifest holding it. */
  manifest: string;
  /** Its layer, when one statement (not the whole manifest) was skipped. */
  descriptor?: Descriptor;
  predicateType?: string;
  source: AttestationSource;
  reason: string;
}

/** AttestationList: the attestations given, with `skipped`: those found that named another image or were no statement. */
export type AttestationList = Attestation[] & { skipped: SkippedAttestation[] };

/** AttestationSubject: a manifest attestations may be about, and its platform. */
export interface AttestationSubject {
  digest: string;
  platform?: Platform;
}

const REFERENCE_DIGEST = 'vnd.docker.reference.digest';
const PREDICATE_ANNOTATION = 'in-toto.io/predicate-type';

/**
 * indexSubjects: what an index's attestations may be about: the index itself (every platform) and
 * its platform manifests (never an attestation manifest), only `platform`'s when one is given
 * (ManifestNotFound when the index has none of it).
 */
export function indexSubjects(
  indexDigest: string,
  index: ImageIndex,
  platform: PlatformSpec | undefined,
  ref: string,
): AttestationSubject[] {
  const images = index.manifests.filter(
    (d) => d !== null && typeof d === 'object' && typeof d.digest === 'string' && !isAttestationEntry(d),
  );
  checkCount(images.length, ATTESTATION_LIMITS.manifests, `${ref}'s index: manifests`);
  const want = platform === undefined ? undefined : parsePlatform(platform);
  const chosen =
    want === undefined ? images : images.filter((d) => d.platform !== undefined && platformMatches(d.platform, want));
  if (want !== undefined && chosen.length === 0) {
    const why = `no image for ${[want.os, want.architecture, want.variant].filter(Boolean).join('/')} in the index`;
    throw new ManifestNotFound(ref, 404, [{ code: 'MANIFEST_UNKNOWN', message: why }]);
  }
  return [
    { digest: indexDigest },
    ...chosen.map((d) => (d.platform ? { digest: d.digest, platform: d.platform } : { digest: d.digest })),
  ];
}

/** predicateTypeList: a `predicateType` option as a list (undefined: every type); anything but a URI or a non-empty list of them is InvalidArgument. */
export function predicateTypeList(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((t) => typeof t !== 'string' || t === ''))
    throw new InvalidArgument(`${where}: predicateType must be a predicate type URI or a non-empty list of them`);
  return list as string[];
}

/** AttestationCollector: reads statements through a reader, binds each to a subject, and keeps what it gives and what it skipped. */
export class AttestationCollector {
  readonly found: AttestationList = Object.assign([] as Attestation[], { skipped: [] as SkippedAttestation[] });
  readonly #reader: AttestationReader;
  readonly #types: readonly string[] | undefined;
  readonly #budget = new Budget();
  /** The manifests read as an index's or as a referrer of their subject: BuildKit's attestation manifests name their image as `subject` too, so a referrers list gives them again. */
  readonly #seen = new Set<string>();

  constructor(reader: AttestationReader, predicateTypes?: readonly string[]) {
    this.#reader = reader;
    this.#types = predicateTypes;
  }

  /**
   * The index's attestation manifests about `subjects` (each keyed to its manifest's platform). One
   * naming a manifest the index does not hold is skipped; one about a platform not asked for is
   * left out.
   */
  async index(index: ImageIndex, subjects: readonly AttestationSubject[]): Promise<void> {
    const entries = index.manifests.filter(
      (d) => d !== null && typeof d === 'object' && typeof d.digest === 'string' && isAttestationEntry(d),
    );
    checkCount(entries.length, ATTESTATION_LIMITS.manifests, 'the index\u2019s attestation manifests');
    for (const entry of entries) this.#seen.add(entry.digest);
    const held = new Set(index.manifests.map((d) => d?.digest));
    for (const entry of entries) {
      const about = entry.annotations?.[REFERENCE_DIGEST];
      if (about === undefined || !held.has(about) || entry.digest === about) {
        this.#skip({
          manifest: entry.digest,
          source: 'index',
          reason: `its ${REFERENCE_DIGEST} names ${about ?? 'nothing'}, no image manifest of this index`,
        });
        continue;
      }
      const subject = subjects.find((s) => s.digest === about);
      if (subject === undefined) continue; // another platform's
      this.#budget.spend(entry.size, `the attestation manifest ${entry.digest}`);
      const manifest = await this.#reader.manifest(entry.digest);
      const own = (manifest as { subject?: Descriptor }).subject?.digest;
      if (own !== undefined && own !== about) {
        this.#skip({
          manifest: entry.digest,
          source: 'index',
          reason: `its subject names ${own}, and its ${REFERENCE_DIGEST} ${about}`,
        });
        continue;
      }
      await this.#statements(entry.digest, manifest, subject, [about, own], 'index');
    }
  }

  /**
   * The statements of one referrer of `subject`: its manifest must name `subject` as its own
   * (a referrers list, or a fallback tag, that says otherwise is not believed), except a legacy
   * `.att` tag's, which has none; each statement's subject is checked either way. A manifest read
   * already (an index's attestation manifest, a referrer given for its subject) is not read again.
   */
  async referrer(
    digest: string,
    size: number,
    subject: AttestationSubject,
    options: { legacy?: boolean } = {},
  ): Promise<void> {
    if (this.#seen.has(digest)) return; // an index's attestation manifest, or given already
    this.#budget.spend(size, `the referrer ${digest}`);
    const manifest = await this.#reader.manifest(digest);
    if (isIndex(manifest)) return;
    const own = (manifest as { subject?: Descriptor }).subject?.digest;
    if (!options.legacy && own !== subject.digest) {
      this.#skip({
        manifest: digest,
        source: 'referrer',
        reason: `its subject names ${own ?? 'nothing'}, not ${subject.digest}`,
      });
      return;
    }
    // (marked only once bound: a list that names it for another subject hides nothing)
    this.#seen.add(digest);
    await this.#statements(digest, manifest, subject, [own], 'referrer');
  }

  async #statements(
    digest: string,
    manifest: Manifest,
    subject: AttestationSubject,
    holders: readonly (string | undefined)[],
    source: AttestationSource,
  ): Promise<void> {
    const layers = (manifest as { layers?: unknown }).layers;
    if (!Array.isArray(layers)) return;
    checkCount(layers.length, ATTESTATION_LIMITS.layers, `the layers of ${digest}`);
    for (const layer of layers as Descriptor[]) {
      if (
        layer === null ||
        typeof layer !== 'object' ||
        typeof layer.mediaType !== 'string' ||
        typeof layer.digest !== 'string' ||
        !isStatementLayer(layer.mediaType)
      )
        continue;
      const announced = layer.annotations?.[PREDICATE_ANNOTATION];
      if (this.#types !== undefined && announced !== undefined && !this.#types.includes(announced)) continue;
      this.#budget.spend(layer.size, `the statement ${layer.digest}`);
      const bytes = await this.#reader.blob(layer);
      let statement: InTotoStatement & { predicateType: string };
      let signed: boolean;
      try {
        const payload = layerPayload(layer.mediaType, bytes, `the layer ${layer.digest}`);
        if (payload === undefined) continue; // a bundle of a message signature, an envelope of another payload
        statement = parseStatement(payload.payload, `the statement in ${layer.digest}`);
        signed = payload.signed;
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        this.#skip({ manifest: digest, descriptor: layer, source, reason: error.message });
        continue;
      }
      if (this.#types !== undefined && !this.#types.includes(statement.predicateType)) continue;
      const unbound = bindStatement(statement, subject.digest, holders);
      if (unbound !== undefined) {
        this.#skip({
          manifest: digest,
          descriptor: layer,
          predicateType: statement.predicateType,
          source,
          reason: unbound,
        });
        continue;
      }
      this.found.push({
        ...(subject.platform ? { platform: subject.platform } : {}),
        subject: subject.digest,
        predicateType: statement.predicateType,
        statement,
        ...decodePredicate(statement.predicateType, statement.predicate),
        source,
        ...(signed ? { signed: true as const } : {}),
        manifest: digest,
        descriptor: layer,
      });
    }
  }

  #skip(entry: SkippedAttestation): void {
    checkCount(this.found.skipped.length + 1, ATTESTATION_LIMITS.manifests * 4, 'the attestations skipped');
    this.found.skipped.push(entry);
  }
}
