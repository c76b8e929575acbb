// A throwaway engine of its own (own socket, data root and process group) for tests that kill
// the engine: the shared engine of the other tests is never touched. It is the shared engine's
// dockerd (Docker 28 or 29 under DOCKWIRE_ENGINE=docker28 or docker29), or under
// DOCKWIRE_ENGINE=podman a Podman service with the shared one's configuration.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Docker } from '../../src/api.js';
import { engine, podman } from './engine.js';

/** The folder of the shared Podman service's containers.conf and registries.conf (next to its socket). */
function podmanConfig(): string {
  return dirname(new URL(engine.host.replace(/^unix:\/\//, 'file://')).pathname);
}

export interface ScratchEngine {
  host: string;
  dir: string;
  /** SIGKILLs the engine and everything in its process group (dockerd's containerd too). */
  kill(): void;
  /** Starts the engine again on the same socket and data root. */
  restart(): Promise<void>;
  /** Kills it and removes its folder. */
  dispose(): void;
}

const running = new Set<number>();
process.on('exit', () => {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

async function waitForPing(host: string, pid: number): Promise<void> {
  const docker = new Docker({ host, timeout: 2000 });
  try {
    for (let i = 0; i < 150; i++) {
      try {
        if (await docker.ping()) return;
      } catch {
        // not up yet
      }
      try {
        process.kill(pid, 0);
      } catch {
        throw new Error('the scratch engine exited');
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('the scratch engine did not answer within 30 s');
  } finally {
    await docker.close();
  }
}

/** The shared engine's dockerd (scripts/engine.sh says where docker28's and docker29's are, and their daemon.json). */
function dockerdEnv(): NodeJS.ProcessEnv {
  const path = process.env['DOCKWIRE_DOCKERD_PATH'];
  return path ? { ...process.env, PATH: `${path}:${process.env['PATH']}` } : process.env;
}

/** The shared engine's daemon.json, with `overrides` over it (its `features` merged) written into `dir`. */
function dockerdConfig(dir: string, overrides: DaemonConfig | undefined): string[] {
  const shared = process.env['DOCKWIRE_DOCKERD_CONFIG'];
  if (!overrides) return shared ? ['--config-file', shared] : [];
  const base = shared ? (JSON.parse(readFileSync(shared, 'utf8')) as DaemonConfig) : {};
  const file = join(dir, 'daemon.json');
  writeFileSync(file, JSON.stringify({ ...base, ...overrides, features: { ...base.features, ...overrides.features } }));
  return ['--config-file', file];
}

/** A dockerd daemon.json: its `features` (e.g. `containerd-snapshotter`) and any other setting. */
export interface DaemonConfig {
  features?: Record<string, boolean>;
  [key: string]: unknown;
}

/**
 * `kind` defaults to the engine the tests run against; TLS tests ask for dockerd (Podman 4.3's
 * service has no TLS). `daemonConfig`: settings over the shared dockerd's daemon.json.
 */
export async function startScratchEngine(
  extraArgs: string[] = [],
  kind: 'docker' | 'podman' = podman ? 'podman' : 'docker',
  daemonConfig?: DaemonConfig,
): Promise<ScratchEngine> {
  const dir = mkdtempSync('/tmp/dw-scratch-');
  const socket = join(dir, 'docker.sock');
  let pid = 0;
  let starts = 0;
  const start = async (): Promise<void> => {
    mkdirSync(join(dir, 'root'), { recursive: true });
    // a SIGKILLed engine leaves its containerd socket and pid behind: each start gets a new exec root
    const exec = join(dir, `exec-${starts++}`);
    const log = openSync(join(dir, 'engine.log'), 'a');
    const child =
      kind === 'podman'
        ? // Podman's service, configured as the shared one (scripts/engine.sh): no network, loopback registries
          // (one run root for every start: Podman records it in its database and refuses another)
          spawn(
            'podman',
            [
              '--root',
              join(dir, 'root'),
              '--runroot',
              join(dir, 'run'),
              'system',
              'service',
              '--time=0',
              `unix://${socket}`,
              ...extraArgs,
            ],
            {
              detached: true,
              stdio: ['ignore', log, log],
              env: {
                ...process.env,
                CONTAINERS_CONF: join(podmanConfig(), 'containers.conf'),
                CONTAINERS_REGISTRIES_CONF: join(podmanConfig(), 'registries.conf'),
              },
            },
          )
        : spawn(
            'dockerd',
            [
              ...dockerdConfig(dir, daemonConfig),
              '--data-root',
              join(dir, 'root'),
              '--exec-root',
              exec,
              '--pidfile',
              join(dir, 'docker.pid'),
              '-H',
              `unix://${socket}`,
              '--bridge=none',
              '--iptables=false',
              '--ip6tables=false',
              '--ip-masq=false',
              '--log-level=warn',
              ...extraArgs,
            ],
            { detached: true, stdio: ['ignore', log, log], env: dockerdEnv() },
          );
    child.unref();
    pid = child.pid!;
    running.add(pid);
    await waitForPing(`unix://${socket}`, pid);
  };
  await start();
  const kill = (): void => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
    running.delete(pid);
  };
  return {
    host: `unix://${socket}`,
    dir,
    kill,
    restart: async () => {
      kill();
      await new Promise((r) => setTimeout(r, 300));
      rmSync(join(dir, 'docker.pid'), { force: true });
      await start();
    },
    dispose: () => {
      kill();
      unmountBelow(dir);
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // a mount left behind by the killed engine: the folder stays in /tmp
      }
    },
  };
}

/** A killed engine leaves its data root bind-mounted (and overlay mounts): lazily unmount them. */
function unmountBelow(dir: string): void {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) {
    try {
      execFileSync('umount', ['-l', m]);
    } catch {
      // already gone
    }
  }
}
