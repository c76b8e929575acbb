// The CLI's dispatch, help and byte paths, over buffers: every family's commands reachable and
// listed with their summaries in one column; files, cat and export reading a registry with
// --registry, and a layout folder; no command touching the process's own streams.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Docker, FileEntry } from '../../../src/api.js';
import { parseArgs } from '../../../src/cli/args.js';
import { type Command, type Family, type Io } from '../../../src/cli/command.js';
import { imageFiles } from '../../../src/cli/image-files.js';
import { main, usage } from '../../../src/cli/main.js';
import { bufferIo } from '../../support/cli-io.js';
import { file, ociLayout } from '../../support/image-archives.js';
import { unpackTo } from '../../support/layout-folders.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

afterAll(removeTempDirs);

const CLI = join(import.meta.dirname, '../../../src/cli');

describe('help', () => {
  it('lists every command once, the summaries starting in one column, long names too', async () => {
    const buffers = bufferIo();
    expect(await main(['--help'], buffers.io)).toBe(0);
    const rows = buffers
      .err()
      .split('\n')
      .filter((line) => /^ {2}\S/.test(line));
    for (const name of ['ls', 'build', 'save', 'files', 'referrers', 'tag-remote', 'rm-remote'])
      expect(rows.filter((r) => r.startsWith(`  ${name} `))).toHaveLength(1);
    const columns = new Set(rows.map((row) => /^ {2}\S+\s+/.exec(row)![0].length));
    expect(columns.size).toBe(1);
  });

  it('shows each family under its title; a new family is one more entry', () => {
    const extra: Family = {
      title: 'Trust',
      commands: {
        'verify-everything': { usage: 'verify-everything REF', summary: 'Checks', flags: {}, run: async () => {} },
      },
    };
    const text = usage([imageFiles, extra]);
    expect(text).toContain('\nTrust:\n  verify-everything  Checks');
    expect(text).toMatch(/\n {2}files {14}List/);
    expect(text).toContain('--registry');
  });

  it('no --help or command: usage on standard error, exit 2; an unknown command, exit 2', async () => {
    const none = bufferIo();
    expect(await main([], none.io)).toBe(2);
    expect(none.err()).toContain('Usage: dockwire');
    const unknown = bufferIo();
    expect(await main(['frobnicate'], unknown.io)).toBe(2);
    expect(unknown.err()).toContain('unknown command "frobnicate"');
  });

  it("every command's --help prints its usage and summary, exit 0", async () => {
    const names = usage()
      .split('\n')
      .filter((line) => /^ {2}\S/.test(line))
      .map((line) => line.trim().split(/\s+/)[0]!);
    expect(names.length).toBeGreaterThanOrEqual(25);
    for (const name of names) {
      const buffers = bufferIo();
      expect(await main([name, '--help'], buffers.io), name).toBe(0);
      expect(buffers.out(), name).toMatch(new RegExp(`^Usage: dockwire ${name}[ \\n][^]*\\n\\n\\S`));
    }
  });

  it('COMMAND --help prints its usage, which for files, cat and export names --registry', async () => {
    for (const name of ['files', 'cat', 'export']) {
      const buffers = bufferIo();
      expect(await main(['image', name, '--help'], buffers.io)).toBe(0);
      expect(buffers.out()).toContain(`Usage: dockwire ${name} `);
      expect(buffers.out()).toContain('--registry REF');
    }
  });

  it('a bad flag exits 2 with the command\u2019s usage, before any engine is asked', async () => {
    const buffers = bufferIo({ env: { DOCKER_HOST: 'unix:///nonexistent.sock' } });
    expect(await main(['files', '--bogus', 'x'], buffers.io)).toBe(2);
    expect(buffers.err()).toContain('unknown flag: --bogus');
  });
});

const entry = (path: string): FileEntry =>
  ({
    path,
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: 2,
    layer: { index: 0, digest: `sha256:${'c'.repeat(64)}` },
  }) as FileEntry;

/** A Docker whose registry answers from memory, and whose engine must not be asked. */
function registryOnly(calls: string[]): Docker {
  const engine = new Proxy(
    {},
    {
      get: () => {
        throw new Error('the engine was asked');
      },
    },
  );
  return {
    images: engine,
    registry: {
      async *files(ref: string, options: object) {
        calls.push(`files ${ref} ${JSON.stringify(options)}`);
        yield entry('etc/hi');
      },
      async readFile(ref: string, path: string, options: object) {
        calls.push(`readFile ${ref} ${path} ${JSON.stringify(options)}`);
        return new Uint8Array([104, 105, 0, 255]);
      },
      async *export(ref: string, options: object) {
        calls.push(`export ${ref} ${JSON.stringify(options)}`);
        yield new Uint8Array([1, 2]);
        yield new Uint8Array([3]);
      },
    },
  } as unknown as Docker;
}

async function run(
  command: Command,
  argv: string[],
  buffers = bufferIo(),
): Promise<{ calls: string[]; buffers: typeof buffers }> {
  const calls: string[] = [];
  const io: Io = { ...buffers.io, json: false };
  await command.run(registryOnly(calls), parseArgs(argv, command.flags), io);
  return { calls, buffers };
}

describe('files, cat and export --registry', () => {
  it('files lists the registry\u2019s image, for the platform asked', async () => {
    const { calls, buffers } = await run(imageFiles.commands['files']!, [
      '--registry',
      '--platform',
      'linux/arm64',
      '127.0.0.1:5000/team/app:1',
    ]);
    expect(calls).toEqual(['files 127.0.0.1:5000/team/app:1 {"platform":"linux/arm64"}']);
    expect(buffers.out()).toMatch(/^-0644 0\/0 +2 etc\/hi\n$/);
  });

  it('cat writes the file\u2019s bytes as they are, through Io', async () => {
    const { calls, buffers } = await run(imageFiles.commands['cat']!, ['--registry', 'r/x:1', 'etc/hi']);
    expect(calls).toEqual(['readFile r/x:1 etc/hi {}']);
    expect([...buffers.bytes()]).toEqual([104, 105, 0, 255]);
  });

  it('export streams the tar through Io, and refuses a terminal', async () => {
    const { calls, buffers } = await run(imageFiles.commands['export']!, ['--registry', 'r/x:1']);
    expect(calls).toEqual(['export r/x:1 {}']);
    expect([...buffers.bytes()]).toEqual([1, 2, 3]);
    await expect(run(imageFiles.commands['export']!, ['--registry', 'r/x:1'], bufferIo({ tty: true }))).rejects.toThrow(
      /refusing to write a tar archive to a terminal/,
    );
  });
});

describe('files, cat and export of an archive', () => {
  it('a folder holding an OCI layout is read in place: the engine is not asked', async () => {
    const folder = unpackTo(await ociLayout([{ layers: [[file('etc/hi', 'hi')]] }]), tempDir());
    const { calls, buffers } = await run(imageFiles.commands['files']!, [folder]);
    expect(calls).toEqual([]);
    expect(buffers.out()).toMatch(/^d0755 0\/0 +0 \/etc\n-0644 0\/0 +2 \/etc\/hi\n$/);
    const cat = await run(imageFiles.commands['cat']!, [folder, 'etc/hi']);
    expect(Buffer.from(cat.buffers.bytes()).toString()).toBe('hi');
  });
});

describe('Io', () => {
  it('no command reads or writes the process\u2019s streams (bin.ts alone gives them to main)', () => {
    for (const file of readdirSync(CLI).filter((name) => name.endsWith('.ts') && name !== 'bin.ts')) {
      expect(readFileSync(join(CLI, file), 'utf8'), file).not.toMatch(/process\.(stdout|stdin|stderr)/);
    }
  });
});
