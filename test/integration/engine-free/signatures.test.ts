// Image signatures and attestations against cosign 3.1.1 in the loopback registries (open,
// htpasswd, token): what cosign signs and attests in both of its formats, dockwire verifies; what
// dockwire signs and attests, `cosign verify` and `cosign verify-attestation` accept. No log.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidArgument,
  Registry,
  VerificationError,
  type ImageIndex,
  type ImageManifest,
} from '../../../src/index.js';
import {
  cosign,
  cosignWith,
  cosignAttest,
  cosignKeys,
  cosignSign,
  cosignVerify,
  cosignVerifyAttestation,
  freshImage,
  type CosignKeys,
} from '../../support/cosign.js';
import { testRegistries } from '../../support/registry-peers.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

const SLSA = 'https://slsa.dev/provenance/v0.2';
const PREDICATE = { buildType: 'https://example.com/build', builder: { id: 'dockwire-test' } };

let keys: CosignKeys;
let other: CosignKeys;
beforeAll(async () => {
  [keys, other] = await Promise.all([cosignKeys(), cosignKeys()]);
}, 60_000);
afterAll(removeTempDirs);

/** The reasons of the VerificationError `promise` rejects with. */
async function refused(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VerificationError);
  return [...(error as VerificationError).reasons];
}

describe.each(testRegistries())('the $kind registry', ({ kind, host, auth }) => {
  let registry: Registry;
  beforeAll(() => {
    registry = new Registry(auth ? { authConfig: auth } : {});
  });
  afterAll(() => registry.close());

  for (const legacy of [false, true]) {
    const format = legacy ? 'simplesigning' : 'bundle';
    it(`verifies what cosign signs (${format})`, async () => {
      const ref = await freshImage(host);
      await cosignSign(keys, ref, legacy, '-a', 'team=dockwire');
      const result = await registry.verify(ref, { key: keys.publicPem });
      expect(result.digest).toBe(ref.slice(ref.indexOf('@') + 1));
      expect(result.signatures.map((s) => s.format)).toEqual([format]);
      expect(result.signatures[0]!.checks.length).toBeGreaterThan(1);
      const reasons = await refused(registry.verify(ref, { key: other.publicPem }));
      expect(reasons).toHaveLength(1);
      // cosign's fallback index entry says application/vnd.oci.empty.v1+json: referrers gives the manifest's own type
      if (!legacy) expect((await registry.referrers(ref)).map((d) => d.artifactType)).toEqual([BUNDLE]);
    });

    it(`signs so that cosign verifies (${format})`, async () => {
      const ref = await freshImage(host);
      const signed = await registry.sign(ref, { key: keys.privatePem, format, annotations: { team: 'dockwire' } });
      expect(signed.digest).toBe(ref.slice(ref.indexOf('@') + 1));
      const { stdout } = await cosignVerify(keys, ref);
      expect(stdout).toContain(signed.digest);
      await expect(cosignVerify(other, ref)).rejects.toThrow(/cosign verify failed/);
      expect((await registry.verify(ref, { key: keys.publicPem })).signatures).toHaveLength(1);
    });

    it(`verifies what cosign attests, and attests so that cosign verifies (${format})`, async () => {
      const ref = await freshImage(host);
      await cosignAttest(keys, ref, 'slsaprovenance', PREDICATE, legacy);
      const [attestation, ...rest] = await registry.verifyAttestations(ref, {
        key: keys.publicPem,
        predicateType: SLSA,
      });
      expect(rest).toEqual([]);
      expect(attestation!.predicateType).toBe(SLSA);
      expect(attestation!.predicate).toEqual(PREDICATE);
      // a signature is not an attestation, and an attestation not a signature
      await refused(registry.verify(ref, { key: keys.publicPem }));

      const mine = await freshImage(host);
      await registry.attest(mine, { key: keys.privatePem, format, predicateType: SLSA, predicate: PREDICATE });
      const { stdout } = await cosignVerifyAttestation(keys, mine, 'slsaprovenance');
      const envelope = JSON.parse(stdout.trim().split('\n')[0]!) as { payload: string };
      expect(JSON.parse(Buffer.from(envelope.payload, 'base64').toString()).predicate).toEqual(PREDICATE);
      expect((await registry.verifyAttestations(mine, { key: keys.publicPem })).map((a) => a.predicate)).toEqual([
        PREDICATE,
      ]);
    });
  }

  // (the key types do not depend on the registry: the open one is enough)
  it.runIf(kind === 'open')(
    'takes P-384 keys: verifies what cosign signs with one (SHA-384); signs over SHA-256, which cosign verifies',
    async () => {
      const pair = await cosignKeys('p384');
      const ref = await freshImage(host);
      await cosignSign(pair, ref);
      await cosignSign(pair, ref, true);
      expect((await registry.verify(ref, { key: pair.publicPem })).signatures.map((s) => s.format).sort()).toEqual([
        'bundle',
        'simplesigning',
      ]);
      // (cosign 3.1.1 signs P-384 with SHA-384 but verifies with SHA-256, refusing its own: dockwire signs over SHA-256)
      const mine = await freshImage(host);
      await registry.sign(mine, { key: pair.privatePem });
      await cosignVerify(pair, mine);
      const legacy = await freshImage(host);
      await registry.sign(legacy, { key: pair.privatePem, format: 'simplesigning' });
      await cosignVerify(pair, legacy);
      expect((await registry.verify(mine, { key: pair.publicPem })).signatures).toHaveLength(1);
    },
  );

  it.runIf(kind === 'open')(
    'takes Ed25519 keys: signs with pure Ed25519, which cosign verifies in both formats',
    async () => {
      // (cosign 3.1.1 itself signs with Ed25519ph, which node:crypto does not have: its Ed25519 signatures are refused here)
      const pair = await cosignKeys('ed25519');
      const mine = await freshImage(host);
      await registry.sign(mine, { key: pair.privatePem });
      await cosignVerify(pair, mine);
      const legacy = await freshImage(host);
      await registry.sign(legacy, { key: pair.privatePem, format: 'simplesigning' });
      await cosignVerify(pair, legacy);
      await registry.attest(legacy, { key: pair.privatePem, predicateType: SLSA, predicate: PREDICATE });
      await cosignVerifyAttestation(pair, legacy, 'slsaprovenance');
      expect((await registry.verify(legacy, { key: pair.publicPem })).signatures).toHaveLength(1);
    },
  );

  it.runIf(kind === 'open')(
    'signs with cosign’s own cosign.key (scrypt and NaCl secretbox), with or without a password',
    async () => {
      const dir = tempDir('dockwire-cosign-key-');
      await cosignWith({ COSIGN_PASSWORD: 'pa55-word' }, 'generate-key-pair', '--output-key-prefix', join(dir, 'pw'));
      const ref = await freshImage(host);
      const pwKey = readFileSync(join(dir, 'pw.key'), 'utf8');
      await registry.sign(ref, { key: pwKey, passphrase: 'pa55-word' });
      await registry.sign(ref, { key: readFileSync(keys.cosignKey), format: 'simplesigning' }); // import-key-pair's, empty password
      await cosign('verify', '--key', join(dir, 'pw.pub'), '--insecure-ignore-tlog', '--allow-http-registry', ref);
      // (cosign 3 verify reads only the bundles when an image has any: the legacy one is checked here)
      expect((await registry.verify(ref, { key: keys.publicPem })).signatures.map((s) => s.format)).toEqual([
        'simplesigning',
      ]);
      await expect(registry.sign(ref, { key: pwKey, passphrase: 'wrong-guess' })).rejects.toThrow(
        /passphrase is wrong/,
      );
      await expect(registry.sign(ref, { key: pwKey })).rejects.toThrow(InvalidArgument);
    },
  );

  it('refuses an unsigned image: no signatures found', async () => {
    const ref = await freshImage(host);
    expect(await refused(registry.verify(ref, { key: keys.publicPem }))).toEqual(['no signatures found']);
    expect(await refused(registry.verifyAttestations(ref, { key: keys.publicPem }))).toEqual(['no attestations found']);
  });
});

describe('signatures that must not verify (the open registry)', () => {
  const [open] = testRegistries();
  const registry = new Registry();
  afterAll(() => registry.close());
  const repo = `${open!.host}/dw/hostile-${process.pid}`;
  const digestOf = (ref: string): string => ref.slice(ref.indexOf('@') + 1);
  const tagOf = (ref: string, suffix = ''): string => `${repo}:${digestOf(ref).replace(':', '-')}${suffix}`;

  it('finds each attestation type cosign writes, in both formats, and filters by predicate type', async () => {
    const ref = await freshImage(open!.host, repo.slice(open!.host.length + 1));
    const sbom = { bomFormat: 'CycloneDX', specVersion: '1.5', components: [] };
    const spdx = { spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'x' };
    await cosignAttest(keys, ref, 'cyclonedx', sbom);
    await cosignAttest(keys, ref, 'spdxjson', spdx, true);
    await cosignAttest(keys, ref, 'slsaprovenance', PREDICATE);
    await cosignSign(keys, ref);
    const all = await registry.verifyAttestations(ref, { key: keys.publicPem });
    expect(all.map((a) => a.predicateType).sort()).toEqual([
      'https://cyclonedx.org/bom',
      SLSA,
      'https://spdx.dev/Document',
    ]);
    const [bom, ...none] = await registry.verifyAttestations(ref, {
      key: keys.publicPem,
      predicateType: 'https://cyclonedx.org/bom',
    });
    expect(none).toEqual([]);
    expect(bom!.predicate).toEqual(sbom);
    expect(
      (await registry.verifyAttestations(ref, { key: keys.publicPem, predicateType: 'https://spdx.dev/Document' }))[0]!
        .predicate,
    ).toEqual(spdx);
    // the signature beside them is a signature, and only that
    expect((await registry.verify(ref, { key: keys.publicPem })).signatures).toHaveLength(1);
  });

  it('gives a reason for each hostile referrer or layer, and still finds the good signature', async () => {
    const ref = await freshImage(open!.host, repo.slice(open!.host.length + 1));
    await cosignSign(keys, ref, true);
    const sig = (await registry.manifest(tagOf(ref, '.sig'))).manifest as ImageManifest;
    const good = sig.layers[0]!;
    const junk = await registry.pushBlob(repo, Buffer.from('{"critical":'), { mediaType: good.mediaType });
    await registry.pushManifest(tagOf(ref, '.sig'), {
      ...sig,
      layers: [
        { ...good, size: 100 * 1024 * 1024 }, // a size past the bound: not read
        { ...good, size: 10 }, // shorter than the blob: refused as it streams
        { ...junk, annotations: good.annotations! }, // not a payload
        good,
      ],
    });
    await registry.attach(ref, { artifactType: BUNDLE, blobs: [] }); // no bundle layer
    await registry.attach(ref, { artifactType: BUNDLE, blobs: [{ mediaType: BUNDLE, data: Buffer.from('not json') }] });
    const result = await registry.verify(ref, { key: keys.publicPem });
    expect(result.signatures).toHaveLength(1);
    const reasons = await refused(registry.verify(ref, { key: other.publicPem }));
    expect(reasons).toHaveLength(6);
    expect(reasons.join('\n')).toMatch(/layer 0: its layer's size 104857600 is not between 0 and/);
    expect(reasons.join('\n')).toMatch(/layer 1: its layer is longer than the 10 bytes its descriptor says/);
    expect(reasons.join('\n')).toMatch(/layer 2: the simple signing payload is not JSON/);
    expect(reasons.join('\n')).toMatch(/bundle sha256:[0-9a-f]{64}: its manifest has no bundle layer/);
    expect(reasons.join('\n')).toMatch(/bundle sha256:[0-9a-f]{64}: bundle is not valid JSON/);
  });

  it('refuses keyless what was signed with a key', async () => {
    const ref = await freshImage(open!.host, repo.slice(open!.host.length + 1));
    await cosignSign(keys, ref);
    await cosignSign(keys, ref, true);
    const trustedRoot = join(
      import.meta.dirname,
      '..',
      '..',
      'fixtures',
      'sigstore-conformance',
      'public-good-trusted_root.json',
    );
    const reasons = await refused(
      registry.verify(ref, { trustedRoot, identity: 'me@example.com', issuer: 'https://accounts.example.com' }),
    );
    expect(reasons).toHaveLength(2);
    expect(reasons.find((r) => r.includes('.sig layer'))).toContain('no certificate');
  });

  it('refuses a legacy signature of another image copied under this image\u2019s .sig tag', async () => {
    const [mine, theirs] = await Promise.all([
      freshImage(open!.host, repo.slice(open!.host.length + 1)),
      freshImage(open!.host, repo.slice(open!.host.length + 1)),
    ]);
    await cosignSign(keys, theirs, true);
    await registry.tag(tagOf(theirs, '.sig'), tagOf(mine, '.sig').split(':').pop()!);
    const reasons = await refused(registry.verify(mine, { key: keys.publicPem }));
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toContain(`names ${digestOf(theirs)}, not this image`);
    expect((await registry.verify(theirs, { key: keys.publicPem })).signatures).toHaveLength(1);
  });

  it('refuses a bundle of another image, listed under this image\u2019s referrers tag or attached to it', async () => {
    const [mine, theirs] = await Promise.all([
      freshImage(open!.host, repo.slice(open!.host.length + 1)),
      freshImage(open!.host, repo.slice(open!.host.length + 1)),
    ]);
    await cosignSign(keys, theirs);
    // the whole fallback index copied: the referrer names the other image as its subject
    await registry.tag(tagOf(theirs), tagOf(mine).split(':').pop()!);
    expect((await refused(registry.verify(mine, { key: keys.publicPem })))[0]).toMatch(
      /subject is sha256:[0-9a-f]{64}, not this image/,
    );
    // its bundle attached to this image: the statement names the other digest
    const [referrer] = await registry.referrers(theirs, { artifactType: BUNDLE });
    const bundle = await blobOf(registry, repo, referrer!.digest);
    const fresh = await freshImage(open!.host, repo.slice(open!.host.length + 1));
    await registry.attach(fresh, { artifactType: BUNDLE, blobs: [{ mediaType: BUNDLE, data: bundle }] });
    expect((await refused(registry.verify(fresh, { key: keys.publicPem })))[0]).toContain(
      `no subject of the in-toto statement has the artifact's digest ${digestOf(fresh)}`,
    );
  });

  it('refuses an edited legacy payload and an edited bundle statement; a good signature beside them still verifies', async () => {
    const ref = await freshImage(open!.host, repo.slice(open!.host.length + 1));
    await cosignSign(keys, ref, true);
    await cosignSign(keys, ref);
    // the legacy payload with an annotation added, the signature kept
    const sig = (await registry.manifest(tagOf(ref, '.sig'))).manifest as ImageManifest;
    const payload = JSON.parse(Buffer.concat(await chunks(registry.blob(repo, sig.layers[0]!.digest))).toString()) as {
      optional: unknown;
    };
    payload.optional = { approved: 'yes' };
    const edited = await registry.pushBlob(repo, Buffer.from(JSON.stringify(payload)), {
      mediaType: sig.layers[0]!.mediaType,
    });
    await registry.pushManifest(tagOf(ref, '.sig'), {
      ...sig,
      layers: [...sig.layers, { ...sig.layers[0]!, digest: edited.digest, size: edited.size }],
    });
    // the bundle's statement with an annotation added, its signature kept
    const [referrer] = await registry.referrers(ref, { artifactType: BUNDLE });
    const bundle = JSON.parse(Buffer.from(await blobOf(registry, repo, referrer!.digest)).toString()) as {
      dsseEnvelope: { payload: string };
    };
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString()) as {
      subject: Array<{ annotations: Record<string, string> }>;
    };
    statement.subject[0]!.annotations = { approved: 'yes' };
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    const forged = await registry.attach(ref, {
      artifactType: BUNDLE,
      blobs: [{ mediaType: BUNDLE, data: Buffer.from(JSON.stringify(bundle)) }],
      annotations: { 'dev.sigstore.bundle.predicateType': 'https://sigstore.dev/cosign/sign/v1' },
    });

    const result = await registry.verify(ref, { key: keys.publicPem });
    expect(result.signatures.map((s) => s.format).sort()).toEqual(['bundle', 'simplesigning']);
    const reasons = await refused(registry.verify(ref, { key: other.publicPem }));
    expect(reasons).toHaveLength(4);
    // with only the edited ones left, nothing verifies, and each says why
    await registry.pushManifest(tagOf(ref, '.sig'), {
      ...sig,
      layers: [{ ...sig.layers[0]!, digest: edited.digest, size: edited.size }],
    });
    const index = (await registry.manifest(tagOf(ref))).manifest as ImageIndex;
    await registry.pushManifest(tagOf(ref), {
      ...index,
      manifests: index.manifests.filter((m) => m.digest === forged.digest),
    });
    const edits = await refused(registry.verify(ref, { key: keys.publicPem }));
    expect(edits).toHaveLength(2);
    expect(edits.find((r) => r.startsWith('bundle'))).toContain('signature');
    expect(edits.find((r) => r.includes('.sig layer'))).toContain('the signature does not verify with the key');
    await expect(cosignVerify(keys, ref)).rejects.toThrow(/cosign verify failed/);
  });
});

const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

async function chunks(source: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of source) out.push(chunk);
  return out;
}

/** The bundle layer of the referrer `digest` in `repo`. */
async function blobOf(registry: Registry, repo: string, digest: string): Promise<Uint8Array> {
  const manifest = (await registry.manifest(`${repo}@${digest}`)).manifest as ImageManifest;
  return Buffer.concat(await chunks(registry.blob(repo, manifest.layers[0]!.digest)));
}
