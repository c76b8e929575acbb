// cosign 3.1.1 (Debian forky's, fetched by scripts/engine.sh) against the loopback registries, run
// asynchronously with the peers' docker config (their logins), a key pair made here, and no
// transparency log: the command lines /work/shared/ENGINE.md records as working.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { crane, peerConfig } from './registry-peers.js';
import { uniqueName } from './engine.js';
import { tempDir } from './temp.js';

const run = promisify(execFile);

/** CosignKeys: one key pair as both sides hold it: PKCS#8 and SPKI PEM for dockwire, cosign's own files for cosign. */
export interface CosignKeys {
  privatePem: string;
  publicPem: string;
  /** cosign's encrypted key (empty password) and its public key, made by `cosign import-key-pair`. */
  cosignKey: string;
  cosignPub: string;
}

let config: string | undefined;

/** Runs cosign (empty COSIGN_PASSWORD, the peers' logins); rejects with its stderr when it fails. */
export function cosign(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return cosignWith({}, ...args);
}

/** cosign with more environment (COSIGN_PASSWORD, say). */
export async function cosignWith(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ stdout: string; stderr: string }> {
  config ??= peerConfig();
  const bin = process.env['DOCKWIRE_COSIGN'];
  if (!bin) throw new Error('DOCKWIRE_COSIGN is not set: run the integration tests through vitest (global setup)');
  try {
    return await run(bin, args, {
      env: { ...process.env, DOCKER_CONFIG: config, COSIGN_PASSWORD: '', COSIGN_YES: 'true', ...env },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: 120_000,
    });
  } catch (error) {
    const e = error as Error & { stderr?: string };
    throw new Error(`cosign ${args[0]} failed: ${e.stderr ?? e.message}`);
  }
}

/** A key pair of `kind` (P-256 by default), imported into cosign's format. */
export async function cosignKeys(kind: 'p256' | 'p384' | 'ed25519' = 'p256'): Promise<CosignKeys> {
  const pair =
    kind === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: kind === 'p384' ? 'P-384' : 'P-256' });
  const dir = tempDir('dockwire-cosign-');
  const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  writeFileSync(join(dir, 'pkcs8.pem'), privatePem);
  await cosign('import-key-pair', '--key', join(dir, 'pkcs8.pem'), '--output-key-prefix', join(dir, 'cosign'), '-y');
  return { privatePem, publicPem, cosignKey: join(dir, 'cosign.key'), cosignPub: join(dir, 'cosign.pub') };
}

const KEYED = ['--use-signing-config=false', '--tlog-upload=false', '--allow-http-registry', '-y'];

/** `cosign sign --key` of `ref` (REF@DIGEST): a bundle referrer, or with `legacy` the `.sig` tag. */
export function cosignSign(keys: CosignKeys, ref: string, legacy = false, ...extra: string[]): Promise<unknown> {
  return cosign(
    'sign',
    '--key',
    keys.cosignKey,
    ...KEYED,
    ...(legacy ? ['--new-bundle-format=false'] : []),
    ...extra,
    ref,
  );
}

/** `cosign attest --key --type TYPE --predicate FILE` of `ref`. */
export function cosignAttest(
  keys: CosignKeys,
  ref: string,
  type: string,
  predicate: unknown,
  legacy = false,
): Promise<unknown> {
  const file = join(tempDir('dockwire-predicate-'), 'predicate.json');
  writeFileSync(file, JSON.stringify(predicate));
  return cosign(
    'attest',
    '--key',
    keys.cosignKey,
    ...KEYED,
    '--type',
    type,
    '--predicate',
    file,
    ...(legacy ? ['--new-bundle-format=false'] : []),
    ref,
  );
}

/** `cosign verify --key` of `ref`, offline (no log). */
export function cosignVerify(keys: CosignKeys, ref: string): Promise<{ stdout: string; stderr: string }> {
  return cosign('verify', '--key', keys.cosignPub, '--insecure-ignore-tlog', '--allow-http-registry', ref);
}

/** `cosign verify-attestation --key --type TYPE` of `ref`, offline. */
export function cosignVerifyAttestation(
  keys: CosignKeys,
  ref: string,
  type: string,
): Promise<{ stdout: string; stderr: string }> {
  return cosign(
    'verify-attestation',
    '--key',
    keys.cosignPub,
    '--insecure-ignore-tlog',
    '--allow-http-registry',
    '--type',
    type,
    ref,
  );
}

/** A new one-layer image (its own content) pushed by crane into `host`: `host/repo@digest`. */
export async function freshImage(host: string, repository = `dw/${uniqueName('sig')}`): Promise<string> {
  const dir = tempDir('dockwire-image-');
  writeFileSync(join(dir, 'f.txt'), uniqueName('content'));
  await run('tar', ['-C', dir, '-cf', join(dir, 'layer.tar'), 'f.txt']);
  const ref = `${host}/${repository}:${uniqueName('t')}`;
  await crane('append', '-f', join(dir, 'layer.tar'), '-t', ref);
  const digest = (await crane('digest', ref)).trim();
  return `${host}/${repository}@${digest}`;
}
