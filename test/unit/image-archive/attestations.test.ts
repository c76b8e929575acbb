// imageArchive.attestations from the referrers an OCI layout keeps (what oras attach and cosign
// write beside an image), over layouts made here: a single image's, bound to it or skipped.
import { describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../../src/errors.js';
import { openImageArchive } from '../../../src/image-archive/archive.js';
import type { Descriptor } from '../../../src/oci.js';
import { hex, Layout, tagged } from '../../support/oci-layouts.js';

const IN_TOTO = 'application/vnd.in-toto+json';
const PREDICATE = 'https://dockwire.test/custom/v1';

/** An in-toto statement about `about`, attached to `subject` as oras attach does. */
function attachStatement(layout: Layout, subject: Descriptor, about: string, marker: string): Descriptor {
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'x', digest: { sha256: hex(about) } }],
    predicateType: PREDICATE,
    predicate: { marker },
  };
  return layout.artifact(subject, IN_TOTO, {}, undefined, {
    mediaType: IN_TOTO,
    bytes: Buffer.from(JSON.stringify(statement)),
  });
}

describe('imageArchive.attestations: a layout\u2019s referrers', () => {
  it('a single image\u2019s: the statements bound to it given, one about another image skipped', async () => {
    const layout = new Layout();
    const image = layout.image('amd64');
    const other = layout.image('arm64');
    const bound = attachStatement(layout, image, image.digest, 'bound');
    const stray = attachStatement(layout, image, other.digest, 'stray');
    layout.top.push(tagged(image, 'latest'), bound, stray);
    await using archive = await openImageArchive(await layout.tar());
    const list = await archive.attestations();
    expect(list.map((a) => [a.source, a.subject, a.predicateType, a.manifest])).toEqual([
      ['referrer', image.digest, PREDICATE, bound.digest],
    ]);
    expect(list.skipped.map((s) => s.manifest)).toEqual([stray.digest]);
    expect(await archive.attestations({ predicateType: 'https://example.invalid/other' })).toHaveLength(0);
    expect(await archive.attestations({ platform: 'linux/amd64' })).toHaveLength(1);
    await expect(archive.attestations({ platform: 'linux/arm64' })).rejects.toThrow(InvalidArgument);
  });
});
