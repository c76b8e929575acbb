// The TUF client against repositories made by python-tuf 7.0.0 in Sigstore's layout, served on
// loopback, state after state, each state also fetched by python-tuf's own ngclient.Updater with a
// cache of its own: both must accept, or both refuse (the differential). Then Sigstore's published
// states, the bound on root rotations, and a mirror that is down, online and offline.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, ConnectionError, TimeoutError, VerificationError, fetchTrustedRoot } from '../../../src/index.js';
import { mirrorFolder } from '../../../src/tuf/cache.js';
import { httpMirror } from '../../../src/tuf/download.js';
import { DEFAULT_LIMITS, fetchTarget } from '../../../src/tuf/updater.js';
import { SIGSTORE_ROOT } from '../../../src/tuf/sigstore-root.js';
import { sigstoreState } from '../../support/tuf-files.js';
import { FileServer, folderDigest, makeRepositories, PythonTuf, type ScenarioState } from '../../support/tuf-peers.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

const server = new FileServer();
let url: string;
let repos: string;
let scenarios: Record<string, ScenarioState[]>;
let compared = 0;
let pythonTuf: PythonTuf;
const pythonFetch = (...args: Parameters<PythonTuf['fetch']>): ReturnType<PythonTuf['fetch']> =>
  pythonTuf.fetch(...args);

beforeAll(async () => {
  url = await server.start();
  pythonTuf = new PythonTuf();
  repos = tempDir('dockwire-tuf-repos-');
  scenarios = await makeRepositories(repos);
}, 300_000);

afterAll(async () => {
  pythonTuf.close();
  await server.stop();
  removeTempDirs();
  console.log(`TUF differential: ${compared} repository states compared with python-tuf's ngclient`);
});

type Outcome = { ok: true; sha256: string } | { ok: false; error: unknown };

async function dockwire(options: Parameters<typeof fetchTrustedRoot>[0]): Promise<Outcome> {
  try {
    const doc = await fetchTrustedRoot(options);
    return { ok: true, sha256: createHash('sha256').update(JSON.stringify(doc)).digest('hex') };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Runs both clients through `name`'s states in order, each with a cache of its own kept between states. */
async function runScenario(name: string): Promise<void> {
  const states = scenarios[name]!;
  const cacheDir = tempDir('dockwire-tuf-cache-');
  const python = tempDir('dockwire-tuf-python-');
  const bootstrap = join(repos, name, '1.root.json');
  const root = readFileSync(bootstrap);
  for (const [n, state] of states.entries()) {
    server.folders = [join(repos, name, String(n))];
    const before = folderDigest(cacheDir);
    const ours = await dockwire({ mirror: url, root, cacheDir, timeout: 30_000 });
    const where = `${name}, state ${n}`;
    if (state.expect === 'accept') {
      expect(ours.ok ? 'accept' : String((ours.error as Error).message), where).toBe('accept');
      expect(ours.ok && ours.sha256, where).toBe(servedTarget(join(repos, name, String(n))));
    } else {
      const word = state.expect.slice('refuse:'.length);
      expect(ours.ok, where).toBe(false);
      const error = (ours as { error: unknown }).error;
      expect(error, where).toBeInstanceOf(VerificationError);
      expect((error as VerificationError).reasons.join('; '), where).toMatch(
        new RegExp(`^(root|timestamp|snapshot|targets|target trusted_root\\.json): .*${word}`),
      );
      // nothing written
      expect(folderDigest(cacheDir), where).toEqual(before);
    }
    if (!state.differential) continue;
    const theirs = await pythonFetch(url, python, bootstrap);
    expect(theirs.ok ? 'accept' : 'refuse', `python-tuf on ${where}: ${theirs.ok ? '' : theirs.error}`).toBe(
      ours.ok ? 'accept' : 'refuse',
    );
    compared++;
  }
}

/** The sha256 of the trusted_root.json a state serves, as dockwire's result is hashed. */
function servedTarget(folder: string): string {
  const name = readdirSync(join(folder, 'targets')).find((n) => n.endsWith('trusted_root.json'))!;
  const doc = JSON.parse(readFileSync(join(folder, 'targets', name), 'utf8')) as unknown;
  return createHash('sha256').update(JSON.stringify(doc)).digest('hex');
}

describe('python-tuf repositories in Sigstore\u2019s layout, both clients state after state', () => {
  const names = [
    'first-fetch',
    'ed25519-keys',
    'not-consistent',
    'root-rotation',
    'rotations-at-once',
    'final-root-expired',
    'timestamp-key-rotation-reset',
    'root-old-threshold',
    'root-own-threshold',
    'timestamp-foreign-key',
    'targets-unsigned',
    'expired-timestamp',
    'expired-timestamp-first',
    'expired-snapshot',
    'expired-targets',
    'rollback-timestamp',
    'rollback-snapshot',
    'rollback-targets-in-snapshot',
    'rollback-targets-file',
    'changed-target',
    'changed-target-later',
    'oversized-root',
    'oversized-timestamp',
    'oversized-target',
    'snapshot-longer-than-signed',
    'snapshot-other-hash',
    'many-rotations',
    'delegations-beside',
    'delegated-target',
  ];
  it('makes every scenario the test names, and no other', () => {
    expect(Object.keys(scenarios).sort()).toEqual([...names].sort());
  });
  it.each(names)(
    '%s',
    async (name) => {
      await runScenario(name);
    },
    120_000,
  );
});

describe("Sigstore's published repository states, served on loopback", () => {
  it('both clients walk from the embedded root v5 through every rotation, with the clock at each publication', async () => {
    const cacheDir = tempDir('dockwire-tuf-cache-');
    const python = tempDir('dockwire-tuf-python-');
    const bootstrap = join(tempDir('dockwire-tuf-root-'), 'root.json');
    (await import('node:fs')).writeFileSync(bootstrap, SIGSTORE_ROOT);
    for (const name of ['v10', 'v11', 'v12', 'v13', 'v14', 'v15', 'latest']) {
      const { folders, published } = sigstoreState(name);
      server.folders = folders;
      const now = published + 60_000;
      const ours = await dockwire({ mirror: url, cacheDir, root: SIGSTORE_ROOT, now: new Date(now) });
      expect(ours.ok ? 'accept' : String((ours.error as Error).message), name).toBe('accept');
      expect(ours.ok && ours.sha256, name).toBe(servedTarget(folders[0]!));
      const theirs = await pythonFetch(url, python, bootstrap, now);
      expect(theirs.ok ? 'accept' : theirs.error, `python-tuf on ${name}`).toBe('accept');
      compared++;
    }
    // after the latest, the state of v14 again: a rollback both refuse
    const { folders, published } = sigstoreState('v14');
    server.folders = folders;
    const latest = sigstoreState('latest').published + 60_000;
    const ours = await dockwire({ mirror: url, cacheDir, root: SIGSTORE_ROOT, now: latest });
    expect(ours.ok || (ours.error as VerificationError).reasons[0]).toMatch(/^timestamp: rollback/);
    const theirs = await pythonFetch(url, python, bootstrap, latest);
    expect(theirs.ok).toBe(false);
    compared++;
    expect(published).toBeLessThan(latest);
  }, 300_000);
});

describe('limits', () => {
  it('refuses more root rotations than its bound, naming it, and writes nothing', async () => {
    const name = 'many-rotations';
    server.folders = [join(repos, name, '1')];
    const cacheDir = tempDir('dockwire-tuf-cache-');
    const mirror = httpMirror();
    const request = {
      url,
      mirror,
      folder: mirrorFolder(cacheDir, url),
      root: readFileSync(join(repos, name, '1.root.json')),
      offline: false,
      now: undefined,
      timeout: 30_000,
      signal: undefined,
    };
    try {
      const error = await fetchTarget('trusted_root.json', {
        ...request,
        limits: { ...DEFAULT_LIMITS, maxRootRotations: 3 },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VerificationError);
      expect((error as VerificationError).reasons[0]).toMatch(
        /^root: too many rotations: more than 3 versions after version 1/,
      );
      expect(folderDigest(cacheDir)).toEqual({});
      // the same repository within the bound
      await fetchTarget('trusted_root.json', { ...request, limits: { ...DEFAULT_LIMITS, maxRootRotations: 5 } });
    } finally {
      await mirror.close();
    }
  });

  it('times out on a mirror that never answers (TimeoutError), and stops on its signal (AbortError)', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const mirror = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    const root = readFileSync(join(repos, 'first-fetch', '1.root.json'));
    try {
      await expect(
        fetchTrustedRoot({ mirror, root, cacheDir: tempDir('dockwire-tuf-cache-'), timeout: 300 }),
      ).rejects.toBeInstanceOf(TimeoutError);
      const controller = new AbortController();
      const call = fetchTrustedRoot({
        mirror,
        root,
        cacheDir: tempDir('dockwire-tuf-cache-'),
        timeout: 0,
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 100);
      await expect(call).rejects.toBeInstanceOf(AbortError);
    } finally {
      silent.close();
    }
  });
});

describe('a mirror that is down', () => {
  it('online: ConnectionError for both clients, never the cached root; offline: the cached root, checked again', async () => {
    const name = 'first-fetch';
    server.folders = [join(repos, name, '0')];
    const cacheDir = tempDir('dockwire-tuf-cache-');
    const python = tempDir('dockwire-tuf-python-');
    const bootstrap = join(repos, name, '1.root.json');
    const root = readFileSync(bootstrap);
    const first = await fetchTrustedRoot({ mirror: url, root, cacheDir });
    expect((await pythonFetch(url, python, bootstrap)).ok).toBe(true);
    // a port nobody listens on stands for the mirror, down; the cache is that mirror's
    const down = await closedPort();
    const folder = mirrorFolder(cacheDir, url);
    const downFolder = mirrorFolder(cacheDir, down);
    (await import('node:fs')).cpSync(folder, downFolder, { recursive: true });
    const before = folderDigest(cacheDir);
    await expect(fetchTrustedRoot({ mirror: down, root, cacheDir })).rejects.toBeInstanceOf(ConnectionError);
    expect(folderDigest(cacheDir)).toEqual(before);
    const theirs = await pythonFetch(down, python, bootstrap);
    expect(theirs.ok).toBe(false);
    compared++;
    // offline: no request at all, the same trusted root
    const asked = server.requests.length;
    expect(await fetchTrustedRoot({ mirror: down, root, cacheDir, offline: true })).toEqual(first);
    expect(await fetchTrustedRoot({ mirror: url, cacheDir, offline: true })).toEqual(first);
    expect(server.requests.length).toBe(asked);
    // offline with nothing cached, and with a cached target changed on disk
    await expect(
      fetchTrustedRoot({ mirror: down, root, cacheDir: tempDir('dockwire-tuf-cache-'), offline: true }),
    ).rejects.toThrow(/offline/);
    const target = join(downFolder, 'targets', 'trusted_root.json');
    const bytes = readFileSync(target);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 1;
    (await import('node:fs')).writeFileSync(target, bytes);
    const error = await fetchTrustedRoot({ mirror: down, root, cacheDir, offline: true }).catch((e: unknown) => e);
    expect((error as VerificationError).reasons[0]).toMatch(/^target trusted_root\.json: sha256 hash/);
  });
});

describe('a mirror that answers 503', () => {
  it('is ConnectionError, with the cache left as it was; python-tuf refuses too', async () => {
    const failing = createHttpServer((_request, response) => response.writeHead(503).end('down for maintenance'));
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const mirror = `http://127.0.0.1:${(failing.address() as { port: number }).port}`;
    const bootstrap = join(repos, 'first-fetch', '1.root.json');
    const cacheDir = tempDir('dockwire-tuf-cache-');
    try {
      const error = await fetchTrustedRoot({ mirror, root: readFileSync(bootstrap), cacheDir }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as Error).message).toMatch(/answered 503/);
      expect(folderDigest(cacheDir)).toEqual({});
      expect((await pythonFetch(mirror, tempDir('dockwire-tuf-python-'), bootstrap)).ok).toBe(false);
      compared++;
    } finally {
      failing.closeAllConnections();
      failing.close();
    }
  });
});

async function closedPort(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('the differential', () => {
  it('compared every state above with python-tuf, and both clients agreed on each', () => {
    const made = Object.values(scenarios)
      .flat()
      .filter((s) => s.differential).length;
    // the made repositories, Sigstore's 7 states and a rollback to one, the mirror down, and answering 503
    expect(compared).toBe(made + 8 + 2);
  });
});
