// Test fixtures made with the docker CLI against the test engine (setup only: what is tested is
// always dockwire).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Docker } from '../../src/api.js';
import { engine } from './engine.js';
import { packed } from './tar.js';

export function dockerCli(args: string[], input?: string): string {
  return execFileSync('docker', args, {
    env: { ...process.env, DOCKER_HOST: engine.host, DOCKER_CONFIG: join(tmpdir(), 'dockwire-cli-config') },
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(input !== undefined ? { input } : {}),
  }).trim();
}

/**
 * A new single-layer image holding /marker with unique content (so its ID is new), optionally
 * tagged and labelled; returns its ID.
 */
export function importImage(
  options: { tag?: string; labels?: Record<string, string>; platform?: string } = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), 'dockwire-img-'));
  try {
    writeFileSync(join(dir, 'marker'), `${Date.now()}-${Math.random()}\n`);
    execFileSync('tar', ['-C', dir, '-cf', join(dir, '..', `${dir.split('/').pop()}.tar`), 'marker']);
    const args = ['import'];
    for (const [k, v] of Object.entries(options.labels ?? {})) args.push('--change', `LABEL ${k}=${v}`);
    if (options.platform) args.push('--platform', options.platform);
    args.push(`${dir}.tar`);
    if (options.tag) args.push(options.tag);
    // the last ID printed (Podman prints its copy progress first, and the ID twice)
    const ids = dockerCli(args).match(/sha256:[0-9a-f]{64}/g);
    if (!ids) throw new Error('docker import printed no image ID');
    return ids[ids.length - 1]!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}.tar`, { force: true });
  }
}

/** Tags the base busybox image as `name` (a runnable image under a new name). */
export function tagBase(name: string): void {
  dockerCli(['tag', engine.baseImage, name]);
}

export function removeQuietly(...names: string[]): void {
  for (const name of names) {
    try {
      dockerCli(['rmi', '-f', name]);
    } catch {
      // already gone
    }
  }
}

/**
 * A new image of `platform` (`os/arch`), loaded from an archive made here in `docker save`'s
 * format (one layer holding /marker; its config names the platform), tagged `tag`: an image of
 * another platform on any engine, where `docker import --platform` is not honoured (Docker 20.10).
 */
export async function loadImageFor(platform: string, tag: string): Promise<string> {
  const [os, architecture] = platform.split('/') as [string, string];
  const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
  const marker = Buffer.from(`${platform} ${Date.now()} ${Math.random()}\n`);
  const layer = await packed([
    { name: 'marker', type: 'file', mode: 0o644, size: marker.length, mtime: 0, content: () => [marker] },
  ]);
  const created = new Date().toISOString();
  const config = Buffer.from(
    JSON.stringify({
      architecture,
      os,
      created,
      config: {},
      rootfs: { type: 'layers', diff_ids: [`sha256:${sha(layer)}`] },
      history: [{ created, created_by: 'dockwire test' }],
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify([{ Config: `${sha(config)}.json`, RepoTags: [tag], Layers: [`${sha(layer)}/layer.tar`] }]),
  );
  const file = (name: string, bytes: Uint8Array) => ({
    name,
    type: 'file' as const,
    mode: 0o644,
    size: bytes.length,
    mtime: 0,
    content: () => [bytes],
  });
  const archive = await packed([
    file(`${sha(config)}.json`, config),
    { name: sha(layer), type: 'directory', mode: 0o755, size: 0, mtime: 0 },
    file(`${sha(layer)}/layer.tar`, layer),
    file('manifest.json', manifest),
  ]);
  const docker = new Docker({ host: engine.host });
  try {
    const [image] = await docker.images.load(archive);
    return image!.id;
  } finally {
    await docker.close();
  }
}
