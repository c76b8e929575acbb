// The dockwire CLI against the real engine: each command, its exit codes, --help, --json, and
// the live progress bars read through a pseudo-terminal (`script`).
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { root } from '../support/engine-env.js';
import { makeTree } from '../support/contexts.js';
import { facts } from '../support/capabilities.js';
import { engine, ns, podman, uniqueName } from '../support/engine.js';
import { buildKitBase } from '../support/buildkitd.js';
import { engineSuite } from '../support/suite.js';
import { startSearchRegistry } from '../support/search-registry.js';

const { made } = engineSuite();
const base = buildKitBase(); // (its BuildKit builds name the base in the loopback registry)
const bin = join(root, 'dist', 'cli.js');
const work = mkdtempSync(join(tmpdir(), 'dockwire-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[], input?: string | Buffer): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, DOCKER_HOST: engine.host, DOCKER_CONFIG: work },
    maxBuffer: 64 * 1024 * 1024,
    ...(input !== undefined ? { input } : {}),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('dockwire CLI', () => {
  // (each command's --help, in-process: test/unit/cli/main.test.ts)
  it("--help, and a command's --help, exit 0", () => {
    expect(cli(['--help']).code).toBe(0);
    const r = cli(['image', 'ls', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: dockwire ls');
  });

  it('bad usage exits 2 and prints the usage; an engine error exits 1 and prints its message', () => {
    const none = cli([]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('Images in the engine:');
    expect(cli(['frobnicate']).code).toBe(2);
    const flag = cli(['ls', '--bogus']);
    expect(flag.code).toBe(2);
    expect(flag.err).toContain('Usage: dockwire ls');
    expect(cli(['tag', 'only-one']).code).toBe(2);
    const missing = cli(['rm', `${ns}/absent:nope`]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(podman ? /image not known/ : /No such image/);
  });

  it('ls, inspect, history, tag, rm', () => {
    const ls = cli(['ls']);
    expect(ls.code).toBe(0);
    expect(ls.out).toContain(engine.baseImage);
    const json = JSON.parse(cli(['--json', 'ls', engine.baseImage.split(':')[0]!]).out) as Array<{
      RepoTags: string[];
    }>;
    expect(json[0]!.RepoTags).toContain(engine.baseImage);
    const inspect = JSON.parse(cli(['inspect', engine.baseImage]).out) as Array<{ Id: string }>;
    expect(inspect[0]!.Id).toMatch(/^sha256:/);
    expect(cli(['history', engine.baseImage]).out).toMatch(/[0-9a-f]{12}/);
    const name = `${ns}/cli:${uniqueName('t')}`;
    made.push(name);
    expect(cli(['tag', engine.baseImage, name]).code).toBe(0);
    expect(cli(['ls', '-q', name.split(':')[0]!]).out.trim()).toMatch(/^[0-9a-f]{10}$/);
    const rm = cli(['rm', name]);
    expect(rm.code).toBe(0);
    expect(rm.out).toContain(`Untagged: ${name}`);
  });

  it('build with -t, -f, --build-arg, --label, --target, --no-cache, --network; and with --buildkit', () => {
    const ctx = makeTree({
      'docker/App.dockerfile': `FROM ${base.name} AS base\nARG WHO\nRUN echo "hi $WHO" > /who\nFROM base AS final\nLABEL stage=final\n`,
    });
    const tag = `${ns}/cli-build:${uniqueName('b')}`;
    made.push(tag);
    const r = cli([
      'build',
      '-t',
      tag,
      '-f',
      'docker/App.dockerfile',
      '--build-arg',
      'WHO=cli',
      '--label',
      'made.by=cli',
      '--target',
      'final',
      '--no-cache',
      '--network',
      'none',
      ctx,
    ]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(podman ? 'STEP 1/' : 'Step 1/');
    expect(r.out.trim()).toMatch(/^sha256:[0-9a-f]{64}$/);
    const [attrs] = JSON.parse(cli(['inspect', tag]).out) as Array<{ Config: { Labels: Record<string, string> } }>;
    expect(attrs!.Config.Labels).toMatchObject({ 'made.by': 'cli', stage: 'final' });
    const bk = cli([
      'build',
      '--buildkit',
      '--network',
      'none',
      '-f',
      'docker/App.dockerfile',
      '--build-arg',
      'WHO=bk',
      ctx,
    ]);
    expect(bk.code, bk.err).toBe(0);
    // Podman has no BuildKit: its builder's lines come through as they are
    expect(bk.err).toMatch(podman ? /STEP \d+\/\d+: RUN echo/ : /#[0-9a-f]{12} (STARTED|COMPLETED|CACHED) .*RUN echo/);
  });

  it.runIf(facts.sessions)(
    'build --buildkit --secret id=…,src=… --secret id=…,env=… (needs BuildKit sessions: Podman has none)',
    () => {
      const ctx = makeTree({
        Dockerfile: `FROM ${base.name}\nRUN --mount=type=secret,id=a --mount=type=secret,id=b cat /run/secrets/a /run/secrets/b\n`,
        'a.txt': 'from-a-file;',
      });
      const r = spawnSync(
        process.execPath,
        [
          bin,
          'build',
          '--buildkit',
          '--no-cache',
          '--network',
          'none',
          '--secret',
          `id=a,src=${join(ctx, 'a.txt')}`,
          '--secret',
          'id=b,env=DW_CLI_SECRET',
          ctx,
        ],
        {
          env: { ...process.env, DOCKER_HOST: engine.host, DOCKER_CONFIG: work, DW_CLI_SECRET: 'from-an-env' },
          encoding: 'utf8',
          timeout: 120_000,
        },
      );
      expect(r.status, r.stderr).toBe(0);
      // (each file's bytes may come as a log record of its own, each printed on its own line)
      expect(r.stderr).toContain('from-a-file;');
      expect(r.stderr).toContain('from-an-env');
      expect(cli(['build', '--secret', 'id=a,src=x', ctx]).code).toBe(2); // without --buildkit
      expect(cli(['build', '--buildkit', '--secret', 'src=x', ctx]).code).toBe(2);
    },
  );

  it('push, pull (plain lines when not a terminal), save -o and load -i', () => {
    const repo = `${engine.registry}/dockwire/cli-${uniqueName('p')}`;
    made.push(`${repo}:v1`);
    cli(['tag', engine.baseImage, `${repo}:v1`]);
    const push = cli(['push', `${repo}:v1`]);
    expect(push.code, push.err).toBe(0);
    expect(push.out).toMatch(/v1: digest: sha256:[0-9a-f]{64}/);
    expect(push.err).not.toContain('\x1b[');
    cli(['rm', `${repo}:v1`]);
    const pull = cli(['pull', `${repo}:v1`]);
    expect(pull.code, pull.err).toBe(0);
    expect(pull.out.trim()).toBe(`${repo}:v1`);
    const file = join(work, 'saved.tar');
    expect(cli(['save', '-o', file, `${repo}:v1`]).code).toBe(0);
    expect(statSync(file).size).toBeGreaterThan(1024);
    cli(['rm', `${repo}:v1`]);
    const load = cli(['load', '-i', file]);
    expect(load.code, load.err).toBe(0);
    expect(load.out).toContain(`Loaded image: ${repo}:v1`);
    // and through pipes: save to stdout, load from stdin
    const tar = spawnSync(process.execPath, [bin, 'save', `${repo}:v1`], {
      env: { ...process.env, DOCKER_HOST: engine.host },
      maxBuffer: 64 * 1024 * 1024,
    }).stdout;
    const piped = cli(['load'], tar);
    expect(piped.out, piped.err).toContain(`Loaded image: ${repo}:v1`);
    // -o writes the engine's stream as it is (the same bytes as to stdout); for an image that
    // is missing it makes no file
    expect(readFileSync(file).equals(tar)).toBe(true);
    const missing = join(work, 'missing.tar');
    expect(cli(['save', '-o', missing, `${repo}:absent`]).code).toBe(1);
    expect(existsSync(missing)).toBe(false);
  });

  it('pull --missing pulls only when the image is not here, and exits 0 either way', () => {
    const repo = `${engine.registry}/dockwire/cli-missing-${uniqueName('m')}`;
    made.push(`${repo}:v1`);
    cli(['tag', engine.baseImage, `${repo}:v1`]);
    expect(cli(['push', `${repo}:v1`]).code).toBe(0);
    cli(['rm', `${repo}:v1`]);
    const absent = cli(['pull', '--missing', `${repo}:v1`]);
    expect(absent.code, absent.err).toBe(0);
    expect(absent.out.trim()).toBe(`${repo}:v1`);
    expect(absent.err).not.toBe(''); // the pull's progress (each engine words it its own way)
    const present = cli(['pull', '--missing', `${repo}:v1`]);
    expect(present.code, present.err).toBe(0);
    expect(present.out.trim()).toBe(`${repo}:v1`);
    expect(present.err).toBe(''); // nothing pulled, nothing to show
    expect(cli(['pull', '--missing', '-a', repo]).code).toBe(2);
  });

  it('login with --password-stdin, prune, search', async () => {
    const ok = cli(
      ['login', '-u', engine.authUser, '--password-stdin', engine.authRegistry],
      `${engine.authPassword}\n`,
    );
    expect(ok.code, `${ok.err} / ${ok.out}`).toBe(0);
    expect(ok.out).toMatch(/Login Succeeded/);
    const bad = cli(['login', '-u', engine.authUser, '-p', 'wrong-password-marker', engine.authRegistry]);
    expect(bad.code).toBe(1);
    expect(bad.err).not.toContain('wrong-password-marker');
    const prune = cli(['prune', '--filter', 'label=dockwire.cli.never']);
    expect(prune.code).toBe(0);
    expect(prune.out).toContain('Total reclaimed space');
    if (podman) {
      // Podman searches a registry's catalog (not v1 search): the repository pushed above is there
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [bin, 'search', '--limit', '100', `${engine.registry}/dockwire/cli-`],
        { env: { ...process.env, DOCKER_HOST: engine.host } },
      );
      expect(stdout).toMatch(/dockwire\/cli-p-\S+\s+0\s/);
      return;
    }
    const registry = await startSearchRegistry([{ name: 'team/cli', description: 'found by the cli', star_count: 4 }]);
    try {
      // not spawnSync: the search registry answers from this process's event loop
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [bin, 'search', '--limit', '5', `${registry.address}/cli`],
        { env: { ...process.env, DOCKER_HOST: engine.host } },
      );
      expect(stdout).toMatch(/team\/cli\s+4\s+found by the cli/);
    } finally {
      await registry.close();
    }
  });

  it('on a terminal, pull draws one bar per layer and a total (read through a pseudo-terminal)', () => {
    const repo = `${engine.registry}/dockwire/cli-tty-${uniqueName('p')}`;
    made.push(`${repo}:v1`);
    // a new layer, so the pull really transfers it
    const ctx = makeTree({ Dockerfile: `FROM ${engine.baseImage}\nRUN head -c 3000000 /dev/urandom > /blob\n` });
    expect(cli(['build', '-q', '-t', `${repo}:v1`, '--network', 'none', ctx]).code).toBe(0);
    expect(cli(['push', '-q', `${repo}:v1`]).code).toBe(0);
    cli(['rm', `${repo}:v1`]);
    const id = JSON.parse(cli(['--json', 'ls', '-a']).out) as Array<{ Id: string; RepoTags: string[] }>;
    for (const i of id) if (i.RepoTags.length === 0) cli(['rm', '-f', i.Id]);
    const command = `DOCKER_HOST=${engine.host} ${process.execPath} ${bin} pull ${repo}:v1`;
    const out = execFileSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', timeout: 120_000 });
    expect(out).toContain('\x1b['); // redrawn in place
    expect(out).toMatch(/total: \d+\/\d+ layers \[[= >]*\]/);
    expect(out).toMatch(/[0-9a-f]{12}: (Pull complete|Download complete|Downloading|Extracting|Already exists)/);
  });
});
