// A registry without the referrers API (it answers 404, which one with it never does) is asked
// for it once per Registry: later lookups read the fallback tag at once.
import { describe, expect, it } from 'vitest';
import { client, closeFakesAfterEach, digestOf, fake, INDEX } from '../../support/fake-registry.js';

closeFakesAfterEach();

describe('registry.referrers on a registry without the API', () => {
  it('asks for the API once, then reads the fallback tag directly', async () => {
    const seen: string[] = [];
    const subject = digestOf('subject');
    const entry = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: digestOf('sig'),
      size: 3,
      artifactType: 'application/x-sig',
    };
    const host = await fake((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url!.includes('/referrers/')) {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        return void res.end('{"errors":[{"code":"NOT_FOUND"}]}');
      }
      const body = JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [entry] });
      res.writeHead(200, { 'Content-Type': INDEX, 'Docker-Content-Digest': digestOf(body) });
      res.end(body);
    });
    const registry = client();
    for (let i = 0; i < 3; i++) expect(await registry.referrers(`${host}/x@${subject}`)).toEqual([entry]);
    expect(seen.filter((s) => s.includes('/referrers/'))).toHaveLength(1);
    expect(seen.filter((s) => s.includes(`/manifests/sha256-`))).toHaveLength(3);
    // another Registry asks again
    await client().referrers(`${host}/y@${subject}`);
    expect(seen.filter((s) => s.includes('/referrers/'))).toHaveLength(2);
  });
});
