// 2. Context packing to /dev/null (no engine): many small files, and a few large ones.
import tarFs from 'tar-fs';
import { PatternMatcher, pack, walkContext } from '../lib/internals.mjs';
import { medianMs, timed, median } from '../lib/measure.mjs';
import { largeFiles, smallFiles } from '../lib/trees.mjs';

async function dockwirePack(dir) {
  let n = 0;
  for await (const chunk of pack(walkContext(dir, new PatternMatcher([])))) n += chunk.length;
  return n;
}

function tarFsPack(dir) {
  return new Promise((resolve, reject) => {
    let n = 0;
    const stream = tarFs.pack(dir);
    stream.on('data', (c) => (n += c.length));
    stream.on('end', () => resolve(n));
    stream.on('error', reject);
  });
}

async function gnuTar(dir) {
  // through a pipe: GNU tar skips reading files when its archive is /dev/null itself
  return (await timed(`tar -C '${dir}' -cf - . | cat > /dev/null`, [], { shell: true })).ms;
}

export async function run() {
  const rows = [];
  for (const [label, dir, runs] of [
    ['pack 2,500 × 1 KiB files to /dev/null', smallFiles(), 7],
    ['pack 5 × 200 MiB files to /dev/null', largeFiles(), 3],
  ]) {
    // (each run's archive must hold the files' bytes: a run that packed less would only look fast)
    const least = label.includes('1 KiB') ? 2500 * 1024 : 5 * 200 * 1024 * 1024;
    const whole = (packer, name) => async () => {
      const n = await packer(dir);
      if (n < least) throw new Error(`packing: ${name} wrote ${n} bytes for ${label}, less than its files' ${least}`);
    };
    const results = {
      dockwire: await medianMs(whole(dockwirePack, 'dockwire'), { runs, warmup: 1 }),
      'tar-fs': await medianMs(whole(tarFsPack, 'tar-fs'), { runs, warmup: 1 }),
    };
    await gnuTar(dir);
    const gnu = [];
    for (let i = 0; i < runs; i++) gnu.push(await gnuTar(dir));
    results['GNU tar'] = median(gnu);
    rows.push({
      scenario: `${label}, ms`,
      unit: 'ms',
      results,
      target: label.includes('1 KiB') ? '≤ 4× GNU tar (≥ 9× faster than tar-fs)' : '≤ 1.2× GNU tar',
    });
  }
  return rows;
}
