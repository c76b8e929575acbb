// The three loopback registries scripts/engine.sh starts (open, htpasswd, token), and crane and
// oras run against them asynchronously (never execFileSync: the token server may share the
// event loop of a test's fake servers), with a docker config of their own holding the logins.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll } from 'vitest';
import type { AuthConfig, Descriptor } from '../../src/index.js';
import { engine, uniqueName } from './engine.js';
import { tempDir } from './temp.js';

const run = promisify(execFile);

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the integration tests through vitest (global setup)`);
  return value;
}

export interface TestRegistry {
  kind: 'open' | 'htpasswd' | 'token';
  host: string;
  auth: AuthConfig | undefined;
}

export function testRegistries(): TestRegistry[] {
  const user = engine.authUser;
  return [
    { kind: 'open', host: engine.registry, auth: undefined },
    // (under Podman the htpasswd registry's name is localhost:PORT: the registry is the same)
    { kind: 'htpasswd', host: engine.authRegistry, auth: { username: user, password: engine.authPassword } },
    {
      kind: 'token',
      host: required('DOCKWIRE_TOKEN_REGISTRY'),
      auth: { username: required('DOCKWIRE_TOKEN_USER'), password: required('DOCKWIRE_TOKEN_PASSWORD') },
    },
  ];
}

export const tokenRealm = (): string => required('DOCKWIRE_TOKEN_REALM');

/** Tokens the token server has given, per scope (sorted scopes joined by spaces). */
export async function tokenCounts(): Promise<Record<string, number>> {
  const response = await fetch(tokenRealm().replace(/\/token$/, '/counts'));
  return (await response.json()) as Record<string, number>;
}

/** A docker config folder logged in to the htpasswd and token registries. */
export function peerConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dockwire-peers-'));
  const auths: Record<string, { auth: string }> = {};
  for (const r of testRegistries())
    if (r.auth) auths[r.host] = { auth: Buffer.from(`${r.auth.username}:${r.auth.password}`).toString('base64') };
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths }));
  return dir;
}

let config: string | undefined;

async function peer(bin: string, args: string[], encoding: 'utf8' | 'buffer'): Promise<string | Buffer> {
  config ??= peerConfig();
  const { stdout } = await run(bin, args, {
    env: { ...process.env, DOCKER_CONFIG: config },
    encoding,
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  });
  return stdout;
}

/** crane (go-containerregistry) against the loopback registries. */
export function crane(...args: string[]): Promise<string> {
  return peer(required('DOCKWIRE_CRANE'), [...args, '--insecure'], 'utf8') as Promise<string>;
}

export function craneBytes(...args: string[]): Promise<Buffer> {
  return peer(required('DOCKWIRE_CRANE'), [...args, '--insecure'], 'buffer') as Promise<Buffer>;
}

/** oras against the loopback registries (plain HTTP, the same logins). */
export function oras(...args: string[]): Promise<string> {
  config ??= peerConfig();
  return peer(
    required('DOCKWIRE_ORAS'),
    [...args, '--plain-http', '--registry-config', join(config, 'config.json')],
    'utf8',
  ) as Promise<string>;
}

/** oras with its flags as given: `cp` and `--oci-layout` take no --plain-http (`cp` takes --from-plain-http). */
export async function orasAsGiven(...args: string[]): Promise<string> {
  return (await peer(required('DOCKWIRE_ORAS'), args, 'utf8')) as string;
}

/** `oras cp -r` of `ref` from the open registry into the OCI layout folder `dir` (tagged `tag`), tarred as a user would hand it to openImageArchive: the tar's path. */
export async function orasLayoutTar(ref: string, dir: string, tag: string): Promise<string> {
  await orasAsGiven('cp', '-r', '--from-plain-http', '--to-oci-layout', ref, `${dir}:${tag}`);
  return tarFolder(dir);
}

/** The folder `dir` as one tar beside it (`dir.tar`), its members named `./…` as GNU tar names them. */
export async function tarFolder(dir: string): Promise<string> {
  await run('tar', ['-C', dir, '-cf', `${dir}.tar`, '.']);
  return `${dir}.tar`;
}

/** The referrers oras discovers in the layout `dir` for `digest`, as the referrers API lists them. */
export async function orasDiscovered(dir: string, digest: string, artifactType?: string): Promise<Descriptor[]> {
  const tree = JSON.parse(
    await orasAsGiven(
      'discover',
      '--oci-layout',
      '--format',
      'json',
      ...(artifactType ? ['--artifact-type', artifactType] : []),
      `${dir}@${digest}`,
    ),
  ) as { referrers?: Array<Descriptor & { reference?: string; referrers?: unknown }> };
  return (tree.referrers ?? []).map(({ reference: _r, referrers: _n, ...d }) => d);
}

export const SBOM = 'application/vnd.dockwire.test.sbom';
export const SIG = 'application/vnd.dockwire.test.signature';

export interface Made {
  repo: string;
  single: string;
  index: string;
  tags: string[];
}

/** makeImages in the enclosing suite's beforeAll: the object returned is filled in before its tests run. */
export function imagesFor(registry: TestRegistry): Made {
  const made = {} as Made;
  beforeAll(async () => {
    Object.assign(made, await makeImages(registry));
  }, 240_000);
  return made;
}

/** A two-platform image made by crane, four more tags, and two referrers attached by oras. */
export async function makeImages(registry: TestRegistry): Promise<Made> {
  const repo = `${registry.host}/dw/${uniqueName('reg')}`;
  const dir = tempDir('dockwire-registry-');
  mkdirSync(join(dir, 'root'));
  writeFileSync(join(dir, 'root', 'hello.txt'), `hello from ${repo}\n`);
  await run('tar', ['-C', join(dir, 'root'), '-cf', join(dir, 'layer.tar'), 'hello.txt']);
  await crane('append', '-f', join(dir, 'layer.tar'), '-t', `${repo}:base`);
  await crane('mutate', '--set-platform', 'linux/amd64', `${repo}:base`, '-t', `${repo}:amd64`);
  await crane('mutate', '--set-platform', 'linux/arm64', `${repo}:base`, '-t', `${repo}:arm64`);
  await crane('index', 'append', '-m', `${repo}:amd64`, '-m', `${repo}:arm64`, '-t', `${repo}:multi`);
  for (const tag of ['t1', 't2', 't3']) await crane('tag', `${repo}:amd64`, tag);
  writeFileSync(join(dir, 'sbom.json'), '{"sbom":true}');
  writeFileSync(join(dir, 'sig.txt'), 'signed');
  await run(process.env['DOCKWIRE_ORAS']!, ['version']); // (fails early and clearly if oras is missing)
  const attach = async (type: string, file: string): Promise<void> => {
    await oras('attach', '--disable-path-validation', '--artifact-type', type, `${repo}:amd64`, join(dir, file));
  };
  await attach(SBOM, 'sbom.json');
  await attach(SIG, 'sig.txt');
  return {
    repo,
    single: `${repo}:amd64`,
    index: `${repo}:multi`,
    tags: ['amd64', 'arm64', 'base', 'multi', 't1', 't2', 't3'],
  };
}
