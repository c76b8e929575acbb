// The TUF cache: where it is, one folder per mirror, files replaced whole; and fetchTrustedRoot's
// defaults seen through an offline call with an empty cache (no network).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VerificationError, fetchTrustedRoot } from '../../../src/index.js';
import { SIGSTORE_MIRROR } from '../../../src/tuf/sigstore-root.js';
import { defaultCacheDir, mirrorFolder, readCached, targetPath, writeCached } from '../../../src/tuf/cache.js';

describe('the TUF cache', () => {
  it('lives under XDG_CACHE_HOME (an absolute one) or ~/.cache, one folder per mirror URL', () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/var/cache/me' })).toBe('/var/cache/me/dockwire/tuf');
    expect(defaultCacheDir({ XDG_CACHE_HOME: 'relative' })).toBe(join(homedir(), '.cache', 'dockwire', 'tuf'));
    expect(defaultCacheDir({})).toBe(join(homedir(), '.cache', 'dockwire', 'tuf'));
    expect(mirrorFolder('/c', 'http://127.0.0.1:8080/tuf')).toBe('/c/http%3A%2F%2F127.0.0.1%3A8080%2Ftuf');
    expect(targetPath('registry.npmjs.org/keys.json')).toBe('targets/registry.npmjs.org%2Fkeys.json');
  });

  it('replaces files whole (a temporary file renamed over the old), leaving no temporary file', async () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'dockwire-tuf-')), 'mirror');
    await writeCached(
      folder,
      new Map([
        ['root.json', new TextEncoder().encode('one')],
        [targetPath('trusted_root.json'), new TextEncoder().encode('t')],
      ]),
    );
    writeFileSync(join(folder, 'other'), 'kept');
    await writeCached(folder, new Map([['root.json', new TextEncoder().encode('two')]]));
    expect(readFileSync(join(folder, 'root.json'), 'utf8')).toBe('two');
    expect(readdirSync(folder).sort()).toEqual(['other', 'root.json', 'targets']);
    expect(readdirSync(join(folder, 'targets'))).toEqual(['trusted_root.json']);
    expect(await readCached(folder, 'timestamp.json')).toBeUndefined();
  });

  it('fetchTrustedRoot offline with nothing cached: Sigstore\u2019s repository by default, refused naming the folder', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'dockwire-tuf-'));
    const error = await fetchTrustedRoot({ cacheDir, offline: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as Error).message).toContain(`offline, and the cache of ${SIGSTORE_MIRROR} is incomplete`);
    expect((error as VerificationError).reasons[0]).toBe(
      `root: root.json is not cached in ${join(cacheDir, encodeURIComponent(SIGSTORE_MIRROR))}`,
    );
  });
});
