// Sigstore's public-good TUF repository as it was published (test/fixtures/tuf/sigstore, from
// sigstore/root-signing's history): the client walks from the embedded root through every root
// rotation, state after state, with its clock set to when each state was published.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VerificationError } from '../../../src/errors.js';
import { mirrorFolder } from '../../../src/tuf/cache.js';
import { SIGSTORE_MIRROR, SIGSTORE_ROOT } from '../../../src/tuf/sigstore-root.js';
import { DEFAULT_LIMITS, fetchTarget, parseTargetJson, type UpdateRequest } from '../../../src/tuf/updater.js';
import { folderMirror, SIGSTORE_STATES, sigstoreState } from '../../support/tuf-files.js';

const STATES = ['v10', 'v11', 'v12', 'v13', 'v14', 'v15', 'latest'];

function request(
  cacheDir: string,
  folders: () => readonly string[],
  now: number,
  seen: string[],
  overrides: Partial<UpdateRequest> = {},
): UpdateRequest {
  return {
    url: SIGSTORE_MIRROR,
    mirror: folderMirror(SIGSTORE_MIRROR, folders, seen),
    folder: mirrorFolder(cacheDir, SIGSTORE_MIRROR),
    root: new TextEncoder().encode(SIGSTORE_ROOT),
    offline: false,
    now,
    timeout: 0,
    signal: undefined,
    limits: DEFAULT_LIMITS,
    ...overrides,
  };
}

const expected = (state: string): Record<string, unknown> => {
  const folder = join(SIGSTORE_STATES, state, 'targets');
  return JSON.parse(readFileSync(join(folder, readdirSync(folder)[0]!), 'utf8')) as Record<string, unknown>;
};

describe("Sigstore's public-good repository, state after state", () => {
  it('walks from the embedded root (v5) through every rotation, reusing its cache', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'dockwire-tuf-'));
    let current: string[] = [];
    for (const state of STATES) {
      const { folders, published } = sigstoreState(state);
      current = folders;
      const seen: string[] = [];
      const bytes = await fetchTarget(
        'trusted_root.json',
        request(cacheDir, () => current, published + 60_000, seen),
      );
      expect(parseTargetJson('trusted_root.json', bytes)).toEqual(expected(state));
      const rootVersion = (JSON.parse(readFileSync(join(folders[0]!, 'state.json'), 'utf8')) as { root: number }).root;
      // each root from the cached one on was asked for, and the next (absent) one
      expect(seen.filter((p) => p.endsWith('.root.json')).at(-1)).toBe(`${rootVersion + 1}.root.json`);
      const cachedRoot = JSON.parse(
        readFileSync(join(mirrorFolder(cacheDir, SIGSTORE_MIRROR), 'root.json'), 'utf8'),
      ) as { signed: { version: number } };
      expect(cachedRoot.signed.version).toBe(rootVersion);
    }
  });

  it('goes straight from the embedded root to the latest state', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'dockwire-tuf-'));
    const { folders, published } = sigstoreState('latest');
    const seen: string[] = [];
    const bytes = await fetchTarget(
      'trusted_root.json',
      request(cacheDir, () => folders, published + 60_000, seen),
    );
    expect(parseTargetJson('trusted_root.json', bytes)).toEqual(expected('latest'));
    expect(seen.filter((p) => p.endsWith('.root.json'))).toEqual(
      [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16].map((v) => `${v}.root.json`),
    );
    // offline, from what that left in the cache
    const offline = await fetchTarget(
      'trusted_root.json',
      request(cacheDir, () => [], published, [], { offline: true, now: undefined }),
    );
    expect(offline).toEqual(bytes);
    // offline with a clock given, expiry is checked too
    const late = await fetchTarget(
      'trusted_root.json',
      request(cacheDir, () => [], published, [], { offline: true, now: Date.parse('2100-01-01T00:00:00Z') }),
    ).catch((e: unknown) => e);
    expect((late as VerificationError).reasons[0]).toMatch(/^root: version 15 expired at 2026-11-20T13:58:18Z/);
  });

  it('walks from root v1 (hex ECDSA keys, the go-tuf era) to the latest state', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'dockwire-tuf-'));
    const { folders, published } = sigstoreState('latest');
    const seen: string[] = [];
    const root = readFileSync(join(SIGSTORE_STATES, 'roots', '1.root.json'));
    await fetchTarget(
      'trusted_root.json',
      request(cacheDir, () => folders, published + 60_000, seen, { root }),
    );
    expect(seen.filter((p) => p.endsWith('.root.json'))).toHaveLength(15);
  });

  it('refuses the latest state a day after its timestamp expired, and a rollback to an older state', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'dockwire-tuf-'));
    const latest = sigstoreState('latest');
    const timestamp = JSON.parse(readFileSync(join(latest.folders[0]!, 'timestamp.json'), 'utf8')) as {
      signed: { expires: string };
    };
    const late = Date.parse(timestamp.signed.expires) + 86_400_000;
    const error = await fetchTarget(
      'trusted_root.json',
      request(cacheDir, () => latest.folders, late, []),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).reasons.join()).toMatch(/^timestamp: .*expired/);
    await fetchTarget(
      'trusted_root.json',
      request(cacheDir, () => latest.folders, latest.published + 60_000, []),
    );
    const older = sigstoreState('v14');
    const rollback = await fetchTarget(
      'trusted_root.json',
      request(cacheDir, () => older.folders, latest.published + 60_000, []),
    ).catch((e: unknown) => e);
    expect(rollback).toBeInstanceOf(VerificationError);
    expect((rollback as VerificationError).reasons.join()).toMatch(/^timestamp: rollback from version 762 to 546/);
  });
});
