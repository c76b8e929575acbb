// dockwire manifest, digest, config, tags, referrers, cp, ..., and files/cat/export --registry:
// the registry commands, no engine asked,
// against the token registry with the login in DOCKER_CONFIG, checked against crane and oras.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { root } from '../../support/engine-env.js';
import { SBOM, crane, imagesFor, oras, testRegistries } from '../../support/registry-peers.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

const run = promisify(execFile);
const bin = join(root, 'dist', 'cli.js');
const target = testRegistries().find((r) => r.kind === 'token')!;
afterAll(removeTempDirs);

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const config = tempDir('dockwire-cli-config-');
  const auth = Buffer.from(`${target.auth!.username}:${target.auth!.password}`).toString('base64');
  writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: { [target.host]: { auth } } }));
  // no engine at DOCKER_HOST: the registry commands never ask one
  const env = { ...process.env, DOCKER_CONFIG: config, DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      env,
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

describe('dockwire registry commands', () => {
  const made = imagesFor(target);

  it('digest and manifest agree with crane, per platform too', async () => {
    expect((await cli('digest', made.index)).out.trim()).toBe((await crane('digest', made.index)).trim());
    expect((await cli('digest', '--platform', 'linux/arm64', made.index)).out.trim()).toBe(
      (await crane('digest', '--platform', 'linux/arm64', made.index)).trim(),
    );
    expect(JSON.parse((await cli('digest', '--json', made.single)).out)).toMatchObject({
      digest: (await crane('digest', made.single)).trim(),
    });
    expect((await cli('manifest', made.index)).out).toBe(await crane('manifest', made.index));
    const json = JSON.parse((await cli('manifest', '--json', '--platform', 'linux/amd64', made.index)).out) as {
      descriptor: { digest: string };
    };
    expect(json.descriptor.digest).toBe((await crane('digest', '--platform', 'linux/amd64', made.index)).trim());
  }, 120_000);

  it('config, tags and referrers, with --json', async () => {
    expect(JSON.parse((await cli('config', made.single)).out)).toEqual(JSON.parse(await crane('config', made.single)));
    expect(JSON.parse((await cli('config', '--json', '--platform', 'linux/arm64', made.index)).out)).toMatchObject({
      architecture: 'arm64',
    });
    expect((await cli('tags', made.repo)).out.trim().split('\n').sort()).toEqual(
      (await crane('ls', made.repo)).trim().split('\n').sort(),
    );
    expect((JSON.parse((await cli('tags', '--json', made.repo)).out) as string[]).sort()).toEqual(
      (await crane('ls', made.repo)).trim().split('\n').sort(),
    );
    const referrers = JSON.parse(
      (await cli('referrers', '--json', '--artifact-type', SBOM, made.single)).out,
    ) as Array<{ digest: string }>;
    const discovered = JSON.parse(await oras('discover', '--format', 'json', '--artifact-type', SBOM, made.single)) as {
      referrers: Array<{ digest: string }>;
    };
    expect(referrers.map((r) => r.digest)).toEqual(discovered.referrers.map((r) => r.digest));
    expect((await cli('referrers', made.single)).out).toContain(SBOM);
  }, 120_000);

  it('a missing image exits 1 with the registry\u2019s answer; a missing argument exits 2', async () => {
    const missing = await cli('digest', `${made.repo}:absent`);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/manifest unknown/);
    expect((await cli('tags')).code).toBe(2);
  }, 120_000);

  it('files, cat and export with --registry read the image from its registry, as crane export does', async () => {
    const files = await cli('files', '--registry', '--platform', 'linux/arm64', made.index);
    expect(files.code, files.err).toBe(0);
    expect(files.out).toMatch(/^-\d{4} .* \/hello\.txt$/m);
    expect((await cli('cat', '--registry', made.single, '/hello.txt')).out).toBe(`hello from ${made.repo}\n`);
    const out = join(tempDir('dockwire-cli-export-'), 'fs.tar');
    expect((await cli('export', '--registry', '-o', out, made.single)).code).toBe(0);
    const listed = await run('tar', ['-tf', out]);
    expect(listed.stdout.split('\n').filter((name) => /^(?:\.?\/)?hello\.txt$/.test(name))).toHaveLength(1);
    // without --registry the reference is the engine's image, and there is no engine here
    expect((await cli('files', made.single)).code).toBe(1);
  }, 120_000);

  it('cp, tag-remote, attach and rm-remote, read back by crane and oras', async () => {
    const dst = `${made.repo}-cp:copied`;
    const cp = await cli('cp', '--platform', 'linux/arm64', made.index, dst);
    expect(cp.code).toBe(0);
    expect(cp.out.trim()).toBe(`${dst}@${(await crane('digest', '--platform', 'linux/arm64', made.index)).trim()}`);
    expect((await cli('tag-remote', dst, 'again')).out.trim()).toBe((await crane('digest', dst)).trim());
    const file = join(tempDir('dockwire-cli-attach-'), 'note.txt');
    writeFileSync(file, 'a note');
    const attached = (await cli('attach', dst, '--artifact-type', 'application/vnd.dockwire.note', file)).out.trim();
    const discovered = JSON.parse(await oras('discover', '--format', 'json', dst)) as {
      referrers: Array<{ digest: string }>;
    };
    expect(discovered.referrers.map((r) => r.digest)).toContain(attached);
    const digest = (await crane('digest', `${made.repo}-cp:again`)).trim();
    expect((await cli('rm-remote', `${made.repo}-cp@${digest}`)).code).toBe(0);
    expect((await cli('digest', `${made.repo}-cp:again`)).code).toBe(1);
  }, 120_000);
});
