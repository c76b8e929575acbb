// One contender's keyless verification in a fresh process (bench/scenarios/trust.mjs runs it):
//   node verify-child.mjs CONTENDER ROUNDS
// CONTENDER: dockwire (verifyBundle), sigstore-js (@sigstore/verify's Verifier, the steps the
// `sigstore` package's verify takes once it has its trusted root), or none (reads the same files
// and verifies nothing: the bare process the others are compared with). It reads the bundle, the
// artifact and the trusted root, imports the library, verifies once (setup included: the trusted
// root parsed, a verifier made), then ROUNDS more times; prints the import's and the first
// verify's ms, each later verify's ms, and the process's peak RSS, as JSON.
import { readFileSync } from 'node:fs';

const [contender, rounds = '0'] = process.argv.slice(2);
const fixtures = new URL('../../test/fixtures/', import.meta.url);
const rootText = readFileSync(new URL('sigstore-conformance/public-good-trusted_root.json', fixtures), 'utf8');
const bundle = JSON.parse(readFileSync(new URL('sigstore-python/bundle_v3_github.whl.sigstore', fixtures), 'utf8'));
const artifact = readFileSync(new URL('sigstore-python/bundle_v3_github.whl', fixtures));
const identity = 'https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2';
const issuer = 'https://token.actions.githubusercontent.com';

/** The contender's import, then a function that makes its verify (setup) and returns it. */
const contenders = {
  async dockwire() {
    const { parseTrustedRoot, verifyBundle } = await import('../../dist/index.js');
    return () => {
      const trustedRoot = parseTrustedRoot(rootText);
      return () => verifyBundle(bundle, artifact, { trustedRoot, identity, issuer });
    };
  },
  async 'sigstore-js'() {
    const [{ Verifier, toSignedEntity, toTrustMaterial }, { bundleFromJSON }, { TrustedRoot }] = await Promise.all([
      import('@sigstore/verify'),
      import('@sigstore/bundle'),
      import('@sigstore/protobuf-specs'),
    ]);
    return () => {
      const verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(rootText))));
      const policy = { subjectAlternativeName: identity, extensions: { issuer } };
      return async () => verifier.verify(toSignedEntity(bundleFromJSON(bundle), artifact), policy);
    };
  },
  async none() {
    return () => async () => {};
  },
};

const ms = (t) => performance.now() - t;
let t = performance.now();
const setup = await contenders[contender]();
const importMs = ms(t);
t = performance.now();
const verify = setup();
await verify();
const firstMs = ms(t);
const eachMs = [];
for (let i = 0; i < Number(rounds); i++) {
  t = performance.now();
  await verify();
  eachMs.push(ms(t));
}
process.stdout.write(JSON.stringify({ importMs, firstMs, eachMs, rssMb: process.resourceUsage().maxRSS / 1024 }));
