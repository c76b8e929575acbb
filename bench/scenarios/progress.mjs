// 6. Progress decoding: 1,000,000 pull-progress lines (~119 MB) in 64 KiB chunks, and one 10 MiB
// line fed one byte at a time. Each contender runs in its own process (time and peak RSS).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { medianChild } from '../lib/measure.mjs';
import { BENCH_DIR } from '../lib/trees.mjs';

function progressFile() {
  const path = join(BENCH_DIR, 'progress-1m.jsonl');
  if (!existsSync(path)) {
    const lines = [];
    for (let i = 0; i < 1_000_000; i++) {
      lines.push(JSON.stringify({ status: 'Downloading', progressDetail: { current: i * 1024, total: 104857600 }, progress: '[==>      ]  1.2MB/104.9MB', id: `a3ed95caeb02${i % 10}` }));
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
  const node = (contender, file, chunk) => medianChild(process.execPath, ['lib/decode-progress.mjs', contender, file, String(chunk)], { env }, 3);
  const rows = [];
  for (const [label, file, chunk] of [
    ['1,000,000 progress lines in 64 KiB chunks', big, 65536],
    ['one 10 MiB line in 1-byte chunks', line, 1],
  ]) {
    const runs = {
      dockwire: await node('dockwire', file, chunk),
      'naive split + JSON.parse': await node('naive', file, chunk),
    };
    if (chunk > 1) {
      // docker-modem's followProgress and docker-py's json_stream re-scan their whole buffer at
      // every read: one byte at a time over 10 MiB did not finish within 10 minutes here, so they
      // run only on the line-per-event stream
      runs["docker-modem's followProgress"] = await node('docker-modem', file, chunk);
      runs["docker-py's json_stream"] = await medianChild('/usr/bin/python3', ['docker_py_driver.py', 'json-stream', file], { env }, 3);
    }
    rows.push({ scenario: `decode ${label}, ms`, unit: 'ms', results: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.ms])), target: '≤ 1.1× the naive loop' });
    rows.push({ scenario: `decode ${label}, peak RSS MB`, unit: 'MB', results: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.rssMb])), target: 'flat while streaming events' });
  }
  return rows;
}
