// The predicates dockwire gives typed: SLSA provenance v0.2 (https://slsa.dev/provenance/v0.2) and
// v1 (https://slsa.dev/spec/v1.0/provenance), SPDX 2.x JSON and CycloneDX 1.4-1.6 JSON, with their
// own field names. A predicate is given typed only when its type says so and its shape agrees;
// anything else is given as the JSON it is (`kind: 'json'`).

/** SlsaResourceDescriptor: an artifact SLSA provenance names (a material, a dependency, a byproduct). */
export interface SlsaResourceDescriptor {
  uri?: string;
  digest?: Record<string, string>;
  name?: string;
  [key: string]: unknown;
}

/** SlsaProvenanceV02: the predicate of `https://slsa.dev/provenance/v0.2` (BuildKit's default). */
export interface SlsaProvenanceV02 {
  builder: { id: string; [key: string]: unknown };
  buildType: string;
  invocation?: {
    configSource?: { uri?: string; digest?: Record<string, string>; entryPoint?: string };
    parameters?: unknown;
    environment?: unknown;
  };
  buildConfig?: unknown;
  metadata?: {
    buildInvocationId?: string;
    buildStartedOn?: string;
    buildFinishedOn?: string;
    completeness?: Record<string, boolean>;
    reproducible?: boolean;
    [key: string]: unknown;
  };
  materials?: SlsaResourceDescriptor[];
  [key: string]: unknown;
}

/** SlsaProvenanceV1: the predicate of `https://slsa.dev/provenance/v1` (BuildKit's `version=v1`). */
export interface SlsaProvenanceV1 {
  buildDefinition: {
    buildType: string;
    externalParameters: unknown;
    internalParameters?: unknown;
    resolvedDependencies?: SlsaResourceDescriptor[];
  };
  runDetails: {
    builder: { id: string; version?: Record<string, string>; builderDependencies?: SlsaResourceDescriptor[] };
    metadata?: { invocationID?: string; startedOn?: string; finishedOn?: string; [key: string]: unknown };
    byproducts?: SlsaResourceDescriptor[];
  };
  [key: string]: unknown;
}

/** SpdxDocument: an SPDX 2.x JSON document (`https://spdx.dev/Document`). */
export interface SpdxDocument {
  spdxVersion: string;
  SPDXID: string;
  name: string;
  dataLicense?: string;
  documentNamespace?: string;
  creationInfo?: { created?: string; creators?: string[]; [key: string]: unknown };
  packages?: Array<{
    SPDXID: string;
    name: string;
    versionInfo?: string;
    externalRefs?: Array<{ referenceCategory?: string; referenceType?: string; referenceLocator?: string }>;
    [key: string]: unknown;
  }>;
  files?: Array<Record<string, unknown>>;
  relationships?: Array<{
    spdxElementId: string;
    relationshipType: string;
    relatedSpdxElement: string;
    [key: string]: unknown;
  }>;
  [key: string]: unknown;
}

/** CycloneDxBom: a CycloneDX 1.4-1.6 JSON BOM (`https://cyclonedx.org/bom`). */
export interface CycloneDxBom {
  bomFormat: 'CycloneDX';
  specVersion: string;
  serialNumber?: string;
  version?: number;
  metadata?: { timestamp?: string; component?: CycloneDxComponent; [key: string]: unknown };
  components?: CycloneDxComponent[];
  dependencies?: Array<{ ref: string; dependsOn?: string[] }>;
  [key: string]: unknown;
}

/** CycloneDxComponent: one component of a CycloneDX BOM. */
export interface CycloneDxComponent {
  type: string;
  name: string;
  version?: string;
  purl?: string;
  'bom-ref'?: string;
  [key: string]: unknown;
}

/** PredicateKind: which typed shape a predicate was given in. */
export type PredicateKind = DecodedPredicate['kind'];

/** DecodedPredicate: a predicate with the kind that says its shape (`kind` narrows `predicate`). */
export type DecodedPredicate =
  | { kind: 'slsa-provenance-v0.2'; predicate: SlsaProvenanceV02 }
  | { kind: 'slsa-provenance-v1'; predicate: SlsaProvenanceV1 }
  | { kind: 'spdx'; predicate: SpdxDocument }
  | { kind: 'cyclonedx'; predicate: CycloneDxBom }
  | { kind: 'json'; predicate: unknown };

/** PREDICATE_TYPES: the predicate types of SLSA provenance, SPDX and CycloneDX, as BuildKit and cosign write them. */
export const PREDICATE_TYPES = {
  slsaProvenanceV02: 'https://slsa.dev/provenance/v0.2',
  slsaProvenanceV1: 'https://slsa.dev/provenance/v1',
  spdx: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
} as const;

const record = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): value is string => typeof value === 'string';
const list = (value: unknown): boolean => value === undefined || Array.isArray(value);

/** decodePredicate: `predicate` in the typed shape `predicateType` names when its shape agrees, else as JSON. */
export function decodePredicate(predicateType: string, predicate: unknown): DecodedPredicate {
  if (record(predicate)) {
    if (
      predicateType === PREDICATE_TYPES.slsaProvenanceV02 &&
      record(predicate['builder']) &&
      text(predicate['builder']['id']) &&
      text(predicate['buildType']) &&
      list(predicate['materials'])
    ) {
      return { kind: 'slsa-provenance-v0.2', predicate: predicate as SlsaProvenanceV02 };
    }
    if (predicateType === PREDICATE_TYPES.slsaProvenanceV1) {
      const definition = predicate['buildDefinition'];
      const run = predicate['runDetails'];
      if (
        record(definition) &&
        text(definition['buildType']) &&
        record(run) &&
        record(run['builder']) &&
        text(run['builder']['id']) &&
        list(definition['resolvedDependencies'])
      ) {
        return { kind: 'slsa-provenance-v1', predicate: predicate as SlsaProvenanceV1 };
      }
    }
    if (
      /^https:\/\/spdx\.dev\/Document(\/v2\.\d+)?$/.test(predicateType) &&
      text(predicate['spdxVersion']) &&
      /^SPDX-2\.\d+$/.test(predicate['spdxVersion']) &&
      text(predicate['SPDXID']) &&
      list(predicate['packages'])
    ) {
      return { kind: 'spdx', predicate: predicate as SpdxDocument };
    }
    if (
      /^https:\/\/cyclonedx\.org\/bom(\/v1\.[456])?$/.test(predicateType) &&
      predicate['bomFormat'] === 'CycloneDX' &&
      text(predicate['specVersion']) &&
      /^1\.[456]$/.test(predicate['specVersion']) &&
      list(predicate['components'])
    ) {
      return { kind: 'cyclonedx', predicate: predicate as unknown as CycloneDxBom };
    }
  }
  return { kind: 'json', predicate };
}
