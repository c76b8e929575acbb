// Every field of real bundles replaced with hostile values (cut short, emptied, another type,
// huge): verifyBundle refuses with VerificationError whose reason comes from the check that read
// the field (never an "unexpected input" caught by the last guard), or still verifies when the
// field is one verification does not read.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VerificationError } from '../../../src/errors.js';
import { parseTrustedRoot, verifyBundle } from '../../../src/index.js';

const base = join(import.meta.dirname, '../../fixtures/sigstore-conformance/bundle-verify');
const identity =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const issuer = 'https://token.actions.githubusercontent.com';

/** Every path to a leaf (string, number, boolean) of a JSON value. */
function leaves(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, Array.isArray(value) ? Number(k) : k]));
  return [path];
}

function replaced(json: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(json) as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path.at(-1)!] = value;
  return copy;
}

describe('hostile bundle fields', () => {
  for (const name of ['happy-path-v0.3', 'rekor2-happy-path', 'happy-path-intoto-in-dsse-v3']) {
    it(`${name}: every field cut, emptied, retyped or swollen is refused by the check that reads it`, async () => {
      const dir = join(base, name);
      const json = JSON.parse(readFileSync(join(dir, 'bundle.sigstore.json'), 'utf8')) as unknown;
      let trustedRoot;
      try {
        trustedRoot = parseTrustedRoot(readFileSync(join(dir, 'trusted_root.json')));
      } catch {
        trustedRoot = parseTrustedRoot(readFileSync(join(base, '../public-good-trusted_root.json')));
      }
      const artifact = name.includes('dsse')
        ? `sha256:${(JSON.parse(Buffer.from((json as { dsseEnvelope: { payload: string } }).dsseEnvelope.payload, 'base64').toString()) as { subject: { digest: { sha256: string } }[] }).subject[0]!.digest.sha256}`
        : join(base, 'a.txt');
      let refusals = 0;
      for (const path of leaves(json)) {
        const original = path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], json);
        const variants = [
          typeof original === 'string' ? original.slice(0, Math.floor(original.length / 2)) : 0,
          '',
          12,
          null,
          { a: 1 },
          'A'.repeat(100_000),
        ];
        for (const value of variants) {
          const outcome = await verifyBundle(replaced(json, path, value), artifact, {
            trustedRoot,
            identity,
            issuer,
          }).then(
            () => 'verified',
            (e: unknown) => e,
          );
          if (outcome === 'verified') continue;
          expect(outcome, `${path.join('.')} = ${JSON.stringify(value)?.slice(0, 20)}`).toBeInstanceOf(
            VerificationError,
          );
          expect(
            (outcome as VerificationError).message,
            `${path.join('.')} = ${JSON.stringify(value)?.slice(0, 20)}`,
          ).not.toMatch(/unexpected input/);
          refusals++;
        }
      }
      expect(refusals).toBeGreaterThan(0);
    }, 60_000);
  }
});
