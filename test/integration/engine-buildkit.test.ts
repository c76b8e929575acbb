// The engine's own BuildKit through its Control API (Docker.buildkit): over h2c on the engine's
// socket where the engine serves gRPC there, else through POST /grpc and POST /session. Where the
// engine serves gRPC on its socket, buildctl talks to it too, and is the reference.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BuildError, GrpcError, type BuildKitEvent } from '../../src/index.js';
import { buildKitBase, buildkitd, dockerfileBuild } from '../support/buildkitd.js';
import { layerFiles, readManifest } from '../support/registry-read.js';
import { makeTree } from '../support/contexts.js';
import { runProgram } from '../support/program.js';
import { engine, podman, uniqueName } from '../support/engine.js';
import { engineSuite } from '../support/suite.js';
import { readTar } from '../support/tar.js';

const { docker } = engineSuite();

/** buildctl against the engine's socket: its answer, or undefined when the engine serves no gRPC there. */
function buildctlOnEngine(args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      buildkitd.buildctl,
      ['--addr', engine.host, ...args],
      { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve(error ? undefined : `${stdout}${stderr}`),
    );
  });
}

describe.skipIf(podman)("the engine's BuildKit through the Control API", () => {
  const base = buildKitBase();
  it('answers Info and ListWorkers (as buildctl does, where the engine serves gRPC on its socket)', async () => {
    // (BuildKit before 0.11, in Docker 20.10, has no Info: a typed refusal)
    const info = await docker.buildkit.info().catch((e: unknown) => e);
    if (info instanceof GrpcError) expect(info.statusName).toBe('UNIMPLEMENTED');
    else expect((info as { BuildkitVersion: { Version: string } }).BuildkitVersion.Version).toMatch(/\S/);
    const workers = await docker.buildkit.workers();
    expect(workers.length).toBeGreaterThan(0);
    const listed = await buildctlOnEngine(['debug', 'workers']);
    if (listed !== undefined) for (const w of workers) expect(listed).toContain(w.ID);
  }, 60_000);

  it('builds a RUN step with a secret, the context through FileSync, and streams a tar output back (the same files as buildctl)', async () => {
    const marker = `dw-engine-secret-${Math.random().toString(36).slice(2)}`;
    const dir = makeTree({
      Dockerfile: `FROM ${base.name} AS build\nRUN --mount=type=secret,id=tok mkdir /out && echo ${uniqueName('e')} > /out/made && cat /run/secrets/tok | wc -c > /out/size\nCOPY ctx/ /out/ctx/\nFROM scratch\nCOPY --from=build /out/ /\n`,
      '.dockerignore': 'ctx/ignored\n',
      'ctx/a.txt': 'a',
      'ctx/ignored': 'never',
    });
    const chunks: Buffer[] = [];
    const sink = new PassThrough();
    sink.on('data', (c: Buffer) => chunks.push(c));
    const events: BuildKitEvent[] = [];
    const job = docker.buildkit.build({
      path: dir,
      networkMode: 'none',
      secrets: { tok: { value: marker } },
      outputs: [{ type: 'tar', dest: sink }],
    });
    for await (const e of job) events.push(e);
    await job;
    const files = readTar(Buffer.concat(chunks))
      .map(
        (e) =>
          `${e.name.replace(/^\.\//, '')} ${e.type === 'file' ? Buffer.from(e.content).toString().trim() : e.type}`,
      )
      .sort();
    expect(files).toEqual(expect.arrayContaining(['ctx/a.txt a', `size ${marker.length}`]));
    expect(files.join('\n')).not.toContain('ignored');
    expect(JSON.stringify(events)).not.toContain(marker);
    const out = join(dir, 'buildctl.tar');
    writeFileSync(join(dir, 'secret'), marker);
    const theirs = await buildctlOnEngine([
      ...dockerfileBuild(dir),
      '--opt',
      'force-network-mode=none',
      '--secret',
      `id=tok,src=${join(dir, 'secret')}`,
      '--output',
      `type=tar,dest=${out}`,
    ]);
    if (theirs !== undefined) {
      const { readFileSync } = await import('node:fs');
      const reference = readTar(readFileSync(out))
        .map(
          (e) =>
            `${e.name.replace(/^\.\//, '')} ${e.type === 'file' ? Buffer.from(e.content).toString().trim() : e.type}`,
        )
        .sort();
      expect(files).toEqual(reference);
    }
  }, 180_000);

  it('pushes a RUN build (same layer files as buildctl on the engine), a two-platform index, an oci archive, a provenance attestation, where the engine has those exporters', async () => {
    const dir = makeTree({
      Dockerfile: `FROM ${base.name}\nRUN echo ${uniqueName('e')} > /made\nCOPY a.txt /a.txt\n`,
      'a.txt': 'a',
    });
    const ours = `${engine.registry}/dockwire-test/engine-bk:${uniqueName('t')}`;
    const pushed = await docker.buildkit
      .build({ path: dir, networkMode: 'none', outputs: [{ type: 'image', name: ours, push: true }] })
      .then(
        (r) => r,
        (e: unknown) => e,
      );
    if (pushed instanceof Error) {
      // an engine whose BuildKit exports only into its own store (the graph-driver store) says so
      expect(pushed).toBeInstanceOf(BuildError);
      expect(pushed.message).toMatch(/exporter "?image"? could not be found/);
      return;
    }
    const theirs = `${engine.registry}/dockwire-test/engine-bk-buildctl:${uniqueName('t')}`;
    const reference = await buildctlOnEngine([
      ...dockerfileBuild(dir),
      '--opt',
      'force-network-mode=none',
      '--output',
      `type=image,name=${theirs},push=true`,
    ]);
    if (reference !== undefined) {
      expect(await layerFiles(ours, (await readManifest(ours)).manifest)).toEqual(
        await layerFiles(theirs, (await readManifest(theirs)).manifest),
      );
    }
    // two platforms, COPY only
    const copyOnly = makeTree({
      Dockerfile: `FROM ${engine.registry}/dockwire-test/busybox:latest\nCOPY a.txt /a.txt\n`,
      'a.txt': uniqueName('mp'),
    });
    const multi = `${engine.registry}/dockwire-test/engine-bk-multi:${uniqueName('t')}`;
    await docker.buildkit.build({
      path: copyOnly,
      platforms: ['linux/amd64', 'linux/arm64'],
      attest: { provenance: true },
      outputs: [{ type: 'image', name: multi, push: true }],
    });
    const index = (await readManifest(multi)).manifest;
    const kinds = (index.manifests ?? []).map(
      (d) => d.annotations?.['vnd.docker.reference.type'] ?? `${d.platform?.os}/${d.platform?.architecture}`,
    );
    expect(kinds.filter((k) => k.startsWith('linux/')).sort()).toEqual(['linux/amd64', 'linux/arm64']);
    expect(kinds.filter((k) => k === 'attestation-manifest')).toHaveLength(2);
    // an oci archive streamed back: every blob hashes to its name
    const chunks: Buffer[] = [];
    const sink = new PassThrough();
    sink.on('data', (c: Buffer) => chunks.push(c));
    await docker.buildkit.build({ path: copyOnly, outputs: [{ type: 'oci', dest: sink }] });
    const archive = readTar(Buffer.concat(chunks));
    expect(archive.map((e) => e.name)).toEqual(expect.arrayContaining(['oci-layout', 'index.json']));
    for (const e of archive) {
      const m = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(e.name);
      if (m) expect(createHash('sha256').update(e.content).digest('hex')).toBe(m[1]);
    }
  }, 240_000);

  it('a program that builds (Control API, and images.build with a session) and never closes its Docker exits by itself', async () => {
    const dir = makeTree({
      Dockerfile: `FROM ${base.name}\nRUN --mount=type=secret,id=tok cat /run/secrets/tok > /tok\n`,
    });
    const tag = `dockwire-test/exit:${uniqueName('t')}`;
    const stdout = await runProgram(
      ['Docker'],
      [
        'const [host, path, tag] = args;',
        'const docker = new Docker({ host });',
        'await docker.buildkit.workers();',
        "const { image } = await docker.images.build({ path, tag, builder: 'buildkit', networkMode: 'none', noCache: true, secrets: { tok: { value: 'x' } } });",
        'console.log(image.id);',
      ],
      [engine.host, dir, tag],
    );
    expect(stdout.trim()).toBe((await docker.images.get(tag)).id);
    await docker.images.remove(tag);
  }, 180_000);

  it('a failing step is a BuildError naming it', async () => {
    const dir = makeTree({ Dockerfile: `FROM ${base.name}\nRUN exit 3\n` });
    const error = await docker.buildkit.build({ path: dir, networkMode: 'none' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BuildError);
    expect((error as Error).message).toMatch(/exit code: 3/);
  }, 120_000);
});
