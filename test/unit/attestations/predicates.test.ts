import { describe, expect, it } from 'vitest';
import { decodePredicate, PREDICATE_TYPES } from '../../../src/attestations/predicates.js';

const v02 = {
  builder: { id: 'https://github.com/moby/buildkit' },
  buildType: 'https://mobyproject.org/buildkit@v1',
  materials: [{ uri: 'pkg:docker/x', digest: { sha256: 'a' } }],
};
const v1 = {
  buildDefinition: {
    buildType: 'https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md',
    externalParameters: {},
    resolvedDependencies: [],
  },
  runDetails: { builder: { id: '' } },
};
const spdx = {
  spdxVersion: 'SPDX-2.3',
  SPDXID: 'SPDXRef-DOCUMENT',
  name: 'x',
  packages: [{ SPDXID: 'SPDXRef-p', name: 'busybox' }],
};
const cdx = { bomFormat: 'CycloneDX', specVersion: '1.5', components: [{ type: 'library', name: 'busybox' }] };

describe('decodePredicate', () => {
  it('types SLSA provenance v0.2 and v1, SPDX 2.x and CycloneDX 1.4-1.6 by predicate type and shape', () => {
    expect(decodePredicate(PREDICATE_TYPES.slsaProvenanceV02, v02).kind).toBe('slsa-provenance-v0.2');
    expect(decodePredicate(PREDICATE_TYPES.slsaProvenanceV1, v1).kind).toBe('slsa-provenance-v1');
    expect(decodePredicate(PREDICATE_TYPES.spdx, spdx).kind).toBe('spdx');
    expect(decodePredicate('https://spdx.dev/Document/v2.3', spdx).kind).toBe('spdx');
    for (const version of ['1.4', '1.5', '1.6'])
      expect(decodePredicate(PREDICATE_TYPES.cyclonedx, { ...cdx, specVersion: version }).kind).toBe('cyclonedx');
    const decoded = decodePredicate(PREDICATE_TYPES.slsaProvenanceV02, v02);
    if (decoded.kind !== 'slsa-provenance-v0.2') throw new Error('not narrowed');
    expect(decoded.predicate.builder.id).toBe('https://github.com/moby/buildkit');
  });

  it('gives as JSON what its type names but its shape denies, and every other type', () => {
    const cases: Array<[string, unknown]> = [
      [PREDICATE_TYPES.slsaProvenanceV02, v1],
      [PREDICATE_TYPES.slsaProvenanceV02, { ...v02, materials: 'x' }],
      [PREDICATE_TYPES.slsaProvenanceV1, v02],
      [PREDICATE_TYPES.spdx, { ...spdx, spdxVersion: 'SPDX-3.0' }],
      [PREDICATE_TYPES.spdx, cdx],
      [PREDICATE_TYPES.cyclonedx, { ...cdx, specVersion: '1.3' }],
      [PREDICATE_TYPES.cyclonedx, spdx],
      ['https://example.com/custom/v1', v02],
      [PREDICATE_TYPES.slsaProvenanceV02, null],
      [PREDICATE_TYPES.spdx, [spdx]],
    ];
    for (const [type, predicate] of cases)
      expect(decodePredicate(type, predicate)).toEqual({ kind: 'json', predicate });
  });
});
