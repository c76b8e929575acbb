// 6. Progress decoding: 1,000,000 pull-progress lines (~119 MB) in 64 KiB chunks, and one 10 MiB
// line fed one byte at a time. Each contender runs in its own process: the time is its decoding's
// own (the library's load is the cold-start scenario's), the memory its process's peak.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, timed } from '../lib/measure.mjs';
import { BENCH_DIR } from '../lib/trees.mjs';

function progressFile() {
  const path = join(BENCH_DIR, 'progress-1m.jsonl');
  if (!existsSync(path)) {
    const lines = [];
    for (let i = 0; i < 1_000_000; i++) {
      lines.push(
        JSON.stringify({
          status: 'Downloading',
          progressDetail: { current: i * 1024, total: 104857600 },
          progress: '[==>      ]  1.2MB/104.9MB',
          id: `a3ed95caeb02${i % 10}`,
        }),
      );
    }
    writeFileSync(path, lines.join('\r\n') + '\r\n');
  }
  return path;
}

function bigLineFile() {
  const path = join(BENCH_DIR, 'progress-10mib-line.json');
  if (!existsSync(path)) writeFileSync(path, JSON.stringify({ stream: 'x'.repeat(10 * 1024 * 1024 - 20) }) + '\n');
  return path;
}

export async function run(env) {
  const big = progressFile();
  const line = bigLineFile();
  const node = (contender, file, chunk) => () =>
    timed(process.execPath, ['lib/decode-progress.mjs', contender, file, String(chunk)], { env });
  const rows = [];
  for (const [label, file, chunk] of [
    ['1,000,000 progress lines in 64 KiB chunks', big, 65536],
    ['one 10 MiB line in 1-byte chunks', line, 1],
  ]) {
    const contenders = {
      dockwire: node('dockwire', file, chunk),
      'naive split + JSON.parse': node('naive', file, chunk),
    };
    if (chunk > 1) {
      // docker-modem's followProgress and docker-py's json_stream re-scan their whole buffer at
      // every read: one byte at a time over 10 MiB did not finish within 10 minutes here, so they
      // run only on the line-per-event stream
      contenders["docker-modem's followProgress"] = node('docker-modem', file, chunk);
      contenders["docker-py's json_stream"] = () =>
        timed('/usr/bin/python3', ['docker_py_driver.py', 'json-stream', file], { env });
    }
    // taking turns, five rounds; each run's time is its decoding's own (printed by the process),
    // its memory the process's peak
    const samples = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
    for (let round = 0; round < 5; round++) {
      for (const [name, run] of Object.entries(contenders)) {
        const result = await run();
        samples[name].push({ ms: JSON.parse(result.stdout).ms, rssMb: result.rssMb });
      }
    }
    const runs = Object.fromEntries(
      Object.entries(samples).map(([k, v]) => [
        k,
        { ms: median(v.map((r) => r.ms)), rssMb: median(v.map((r) => r.rssMb)) },
      ]),
    );
    rows.push({
      scenario: `decode ${label}, ms`,
      unit: 'ms',
      results: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.ms])),
      target: '≤ 1.1× the naive loop',
    });
    rows.push({
      scenario: `decode ${label}, peak RSS MB`,
      unit: 'MB',
      results: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.rssMb])),
      target: 'flat while streaming events',
    });
  }
  return rows;
}
