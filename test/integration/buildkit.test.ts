// BuildKit builds (POST /build?version=2) with no session: the engine's own BuildKit, its
// progress decoded from the protobuf trace.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AbortError, BuildError, NotFound, type BuildKitEvent } from '../../src/api.js';
import { buildKitBase } from '../support/buildkitd.js';
import { makeTree } from '../support/contexts.js';
import { engine, ns, podman, uniqueName } from '../support/engine.js';
import { engineSuite } from '../support/suite.js';
import { runInImage } from '../support/run.js';
import { collectJob } from '../support/jobs.js';

const { docker, made } = engineSuite();

type VertexEvent = Extract<BuildKitEvent, { type: 'vertex' }>;
const vertices = (events: BuildKitEvent[]) => events.filter((e): e is VertexEvent => e.type === 'vertex');

function processesRunning(pattern: string): boolean {
  try {
    execFileSync('pgrep', ['-f', pattern]);
    return true;
  } catch {
    return false;
  }
}

// Podman has no BuildKit: it ignores version=2 and builds with its own builder (buildah), so
// there it is shown that a BuildKit build still gives the image, its output as stream events.
if (podman) {
  describe('builder: buildkit against an engine without BuildKit (Podman)', () => {
    it("builds with the engine's builder; its output comes as stream events; a failure is a BuildError", async () => {
      const ctx = makeTree({
        Dockerfile: `FROM ${engine.baseImage}\nARG WHO=nobody\nRUN echo "hello $WHO"\nLABEL bk=podman\n`,
      });
      const tag = `${ns}/bk:${uniqueName('t')}`;
      made.push(tag);
      const {
        live,
        result: { image, log },
      } = await collectJob(docker.images.build({ path: ctx, builder: 'buildkit', tag, buildArgs: { WHO: 'podman' } }));
      expect(log).toEqual(live);
      expect(image.tags).toContain(tag);
      expect(image.labels['bk']).toBe('podman');
      expect(vertices(log)).toEqual([]);
      expect(log.some((e) => e.type === 'stream' && e.text.includes('hello podman'))).toBe(true);
      const failing = makeTree({ Dockerfile: `FROM ${engine.baseImage}\nRUN exit 5\n` });
      const error = await docker.images.build({ path: failing, builder: 'buildkit' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BuildError);
      expect((error as BuildError).reason).toMatch(/exit status 5/);
    });

    it('pruneBuilds is a NotFound (Podman has no /build/prune)', async () => {
      await expect(docker.images.pruneBuilds({ all: true })).rejects.toBeInstanceOf(NotFound);
    });
  });
} else
  describe('BuildKit builds', () => {
    const nonce = uniqueName('bk');
    const base = buildKitBase();
    const dockerfile = (): string =>
      [
        `FROM ${base.name} AS base`,
        'ARG WHO=nobody',
        `RUN echo "hello $WHO ${nonce}" > /greeting`,
        'FROM base AS app',
        'COPY data.txt /data.txt',
        'CMD ["cat", "/greeting"]',
        'FROM app AS never',
        'RUN echo never-built > /never',
      ].join('\n');

    it('builds a multi-stage Dockerfile to a target with buildArgs; the image runs', async () => {
      const ctx = makeTree({ Dockerfile: dockerfile(), 'data.txt': 'bk data\n' });
      const tag = `${ns}/bk:${uniqueName('t')}`;
      made.push(tag);
      const {
        live,
        result: { image, log },
      } = await collectJob(
        docker.images.build({
          path: ctx,
          builder: 'buildkit',
          tag,
          target: 'app',
          buildArgs: { WHO: 'buildkit' },
          networkMode: 'none',
        }),
      );
      expect(log).toEqual(live);
      expect(image.tags).toContain(tag);
      const names = vertices(log).map((v) => v.name);
      expect(names.some((n) => n.includes('[base 2/2] RUN echo "hello buildkit'))).toBe(true);
      expect(names.some((n) => n.includes('never-built'))).toBe(false);
      expect(
        vertices(log)
          .filter((v) => v.name.includes('RUN echo'))
          .map((v) => v.state),
      ).toEqual(['started', 'completed']);
      expect(await runInImage(tag, 'cat /greeting /data.txt')).toBe(`hello buildkit ${nonce}\nbk data`);
    });

    it('a second run reports its steps cached and gives the same image', async () => {
      const ctx = makeTree({ Dockerfile: dockerfile(), 'data.txt': 'bk data\n' });
      const first = await docker.images.build({
        path: ctx,
        builder: 'buildkit',
        target: 'app',
        buildArgs: { WHO: 'cache' },
        networkMode: 'none',
      });
      const second = await docker.images.build({
        path: ctx,
        builder: 'buildkit',
        target: 'app',
        buildArgs: { WHO: 'cache' },
        networkMode: 'none',
      });
      expect(second.image.id).toBe(first.image.id);
      const cached = vertices(second.log)
        .filter((v) => v.state === 'cached')
        .map((v) => v.name);
      expect(cached.some((n) => n.includes('RUN echo "hello cache'))).toBe(true);
      expect(cached.some((n) => n.includes('COPY data.txt'))).toBe(true);
      made.push(first.image.id);
    });

    it('a failing RUN is a BuildError naming the step, with its output in the log', async () => {
      const ctx = makeTree({ Dockerfile: `FROM ${base.name}\nRUN echo "bk is failing ${nonce}" && exit 5\n` });
      const error = (await docker.images
        .build({ path: ctx, builder: 'buildkit', networkMode: 'none' })
        .catch((e: unknown) => e)) as BuildError;
      expect(error).toBeInstanceOf(BuildError);
      expect(error.reason).toMatch(/exit code: 5/);
      expect(error.reason).toContain('RUN echo "bk is failing');
      const log = error.log as BuildKitEvent[];
      const failed = vertices(log).find((v) => v.state === 'failed')!;
      expect(failed.name).toContain('RUN echo "bk is failing');
      expect(
        log.some((e) => e.type === 'log' && e.digest === failed.digest && e.text.includes(`bk is failing ${nonce}`)),
      ).toBe(true);
    });

    it('a cancelled long build ends within seconds and leaves no build running', async () => {
      const marker = `sleep 3${Math.floor(Math.random() * 9)}.${Date.now() % 1000}`;
      const ctx = makeTree({ Dockerfile: `FROM ${base.name}\nRUN echo started-${nonce} && ${marker}\n` });
      const job = docker.images.build({ path: ctx, builder: 'buildkit', networkMode: 'none' });
      const started = Date.now();
      let wasRunning = false;
      for await (const event of job) {
        if (event.type === 'log' && event.text.includes(`started-${nonce}`)) {
          for (let i = 0; i < 20 && !wasRunning; i++) {
            wasRunning = processesRunning(marker);
            if (!wasRunning) await new Promise((r) => setTimeout(r, 100));
          }
          job.cancel();
          break;
        }
      }
      await expect(job).rejects.toBeInstanceOf(AbortError);
      expect(wasRunning).toBe(true); // the step really was running when it was cancelled
      let stillRunning = true;
      for (let i = 0; i < 50 && stillRunning; i++) {
        stillRunning = processesRunning(marker);
        if (stillRunning) await new Promise((r) => setTimeout(r, 200));
      }
      expect(stillRunning).toBe(false);
      expect(Date.now() - started).toBeLessThan(25_000);
    });

    it('pruneBuilds reclaims build cache', async () => {
      const ctx = makeTree({ Dockerfile: `FROM ${base.name}\nRUN head -c 2000000 /dev/zero > /blob-${nonce}\n` });
      const { image } = await docker.images.build({ path: ctx, builder: 'buildkit', networkMode: 'none' });
      await docker.images.remove(image.id, { force: true });
      const result = await docker.images.pruneBuilds({ all: true });
      expect(result.spaceReclaimed).toBeGreaterThan(0);
      expect(result.cachesDeleted.length).toBeGreaterThan(0);
    });
  });
