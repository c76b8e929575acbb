// Timing helpers: medians of repeated runs, and child processes measured by /usr/bin/time.
import { spawn } from 'node:child_process';

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `fn` `runs` times (after `warmup` unmeasured runs); returns the median in ms. */
export async function medianMs(fn, { runs = 5, warmup = 1 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(samples);
}

/**
 * Runs a command under /usr/bin/time; returns wall ms, peak RSS in MB and stdout. `shell` runs a
 * bash pipeline instead of a command.
 */
export function timed(command, args = [], { env = process.env, input, shell = false } = {}) {
  return new Promise((resolve, reject) => {
    const argv = shell ? ['-f', '%e %M', 'bash', '-c', command] : ['-f', '%e %M', command, ...args];
    const child = spawn('/usr/bin/time', argv, { env, stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    if (input) child.stdin.end(input);
    const started = process.hrtime.bigint();
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - started) / 1e6;
      const lines = Buffer.concat(err).toString().trim().split('\n');
      const [, rssKb] = (lines.pop() ?? '0 0').split(' ');
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${lines.slice(-5).join('\n')}`));
      else resolve({ ms: wall, rssMb: Number(rssKb) / 1024, stdout: Buffer.concat(out).toString() });
    });
  });
}

/** Median wall time and median peak RSS of `runs` child runs. */
export async function medianChild(command, args = [], options = {}, runs = 3) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await timed(command, args, options));
  return {
    ms: median(results.map((r) => r.ms)),
    rssMb: median(results.map((r) => r.rssMb)),
    stdout: results.at(-1).stdout,
  };
}
