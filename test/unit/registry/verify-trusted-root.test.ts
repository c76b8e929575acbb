// registry.verify keyless with no trustedRoot takes Sigstore's trusted root through TUF
// (fetchTrustedRoot, with the `tuf` options given) before it asks the registry anything.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Registry, VerificationError } from '../../../src/index.js';
import { SIGSTORE_MIRROR } from '../../../src/tuf/sigstore-root.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'dockwire-tuf-empty-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('registry.verify without a trusted root', () => {
  it("asks TUF for Sigstore's (offline here, from an empty cache: refused naming the cache), and never the registry", async () => {
    // 127.0.0.1:9 (discard) answers nothing: had the registry been asked first, this would be a ConnectionError
    const registry = new Registry();
    const verifying = registry.verify('127.0.0.1:9/me/app@sha256:' + 'a'.repeat(64), {
      identity: 'me',
      issuer: 'https://issuer',
      tuf: { offline: true, cacheDir },
    });
    await expect(verifying).rejects.toBeInstanceOf(VerificationError);
    await expect(verifying).rejects.toThrow(`TUF: offline, and the cache of ${SIGSTORE_MIRROR} is incomplete`);
    await registry.close();
  });
});
