// sigstore-conformance's bundle-verify cases (test/fixtures/sigstore-conformance/NOTICE.md), each
// read as the cases' README says: the bundle; `artifact` or the shared a.txt; `identity` and
// `issuer` or their defaults; `key.pub` (then verified with the key); `trusted_root.json` or the
// public-good root. A case whose name ends in _fail must be refused with VerificationError.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VerificationError } from '../../../src/errors.js';
import { parseTrustedRoot, verifyBundle, type VerifyBundleOptions } from '../../../src/index.js';

const base = join(import.meta.dirname, '../../fixtures/sigstore-conformance');
const cases = join(base, 'bundle-verify');
const publicGood = parseTrustedRoot(readFileSync(join(base, 'public-good-trusted_root.json')));
const IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';

/** Cases out of scope, each with why (none, ideally). */
const SKIP: Record<string, string> = {};

function read(dir: string, name: string): string | undefined {
  const path = join(dir, name);
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

const names = readdirSync(cases, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('sigstore-conformance bundle-verify', () => {
  it('has the 70 cases', () => {
    expect(names.length).toBe(70);
  });
  for (const name of names) {
    const test = SKIP[name] === undefined ? it : it.skip;
    test(name, async () => {
      const dir = join(cases, name);
      const bundle = readFileSync(join(dir, 'bundle.sigstore.json'));
      const artifact = existsSync(join(dir, 'artifact')) ? join(dir, 'artifact') : join(cases, 'a.txt');
      const rootText = read(dir, 'trusted_root.json');
      let trustedRoot;
      try {
        trustedRoot = rootText === undefined ? publicGood : parseTrustedRoot(rootText);
      } catch (error) {
        // a malformed trusted root is refused before the bundle is looked at
        expect(name.endsWith('_fail'), `${name}: ${String(error)}`).toBe(true);
        expect(error).toBeInstanceOf(VerificationError);
        return;
      }
      const key = read(dir, 'key.pub');
      const options: VerifyBundleOptions =
        key !== undefined
          ? { key, trustedRoot }
          : {
              trustedRoot,
              identity: read(dir, 'identity')?.trim() ?? IDENTITY,
              issuer: read(dir, 'issuer')?.trim() ?? ISSUER,
            };
      const outcome = await verifyBundle(bundle, artifact, options).then(
        (v) => v,
        (e: unknown) => e,
      );
      if (name.endsWith('_fail')) {
        expect(outcome, `${name} verified`).toBeInstanceOf(VerificationError);
      } else {
        if (outcome instanceof Error) throw outcome;
        expect(outcome).toMatchObject({ format: 'bundle' });
      }
    });
  }
});
