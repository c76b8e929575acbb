// Test fixtures made with the docker CLI against the test engine (setup only: what is tested is
// always dockwire).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engine } from './engine.js';

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
export function importImage(options: { tag?: string; labels?: Record<string, string>; platform?: string } = {}): string {
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
