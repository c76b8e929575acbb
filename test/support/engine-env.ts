// Runs scripts/engine.sh and reads the KEY=VALUE lines it prints. Shared by the test setup and
// anything else (benchmarks, the demo) that needs the project's engine.
import { execFileSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = join(root, 'scripts', 'engine.sh');

export function engineUp(): Record<string, string> {
  const env = keyValues(
    execFileSync('bash', [script, 'up'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 15 * 60_000,
      encoding: 'utf8',
    }),
  );
  if (!env['DOCKER_HOST']) throw new Error('scripts/engine.sh up printed no DOCKER_HOST');
  return env;
}

export function engineDown(): Promise<void> {
  return down(script);
}

const buildkitScript = join(root, 'scripts', 'buildkitd.sh');

/** Starts (or reuses) the standalone buildkitd daemons (scripts/buildkitd.sh), which need engine.sh's registries. */
export function buildkitUp(env: Record<string, string>): Record<string, string> {
  const found = keyValues(
    execFileSync('bash', [buildkitScript, 'up'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 5 * 60_000,
      encoding: 'utf8',
      env: { ...process.env, ...env },
    }),
  );
  if (!found['DOCKWIRE_BUILDKIT_UNIX']) throw new Error('scripts/buildkitd.sh up printed no DOCKWIRE_BUILDKIT_UNIX');
  return found;
}

export function buildkitDown(): Promise<void> {
  return down(buildkitScript);
}

/**
 * `SCRIPT down`, without blocking this process's event loop: vitest's main process waits for its
 * workers to stop while the global teardown runs, and a teardown that blocked for the seconds a
 * daemon takes to stop made it report "Timeout terminating forks worker" for workers that had
 * stopped in time.
 */
function down(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    spawn('bash', [path, 'down'], { stdio: 'inherit' })
      .on('error', reject)
      .on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path} down exited with ${code}`))));
  });
}

/** The KEY=VALUE lines a script printed. */
function keyValues(out: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) env[line.slice(0, i)] = line.slice(i + 1);
  }
  return env;
}
