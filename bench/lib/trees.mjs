// Folders the benchmarks pack: made once under /tmp/dockwire-bench and reused.
import { existsSync, mkdirSync, writeFileSync, openSync, closeSync, ftruncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const BENCH_DIR = '/tmp/dockwire-bench';

function once(name, make) {
  const dir = join(BENCH_DIR, name);
  if (!existsSync(join(dir, '.complete'))) {
    mkdirSync(dir, { recursive: true });
    make(dir);
    writeFileSync(join(dir, '.complete'), '');
  }
  return dir;
}

/** 2,500 files of 1 KiB in 50 nested folders. */
export function smallFiles() {
  return once('small-files', (dir) => {
    const kb = Buffer.alloc(1024, 'x');
    for (let d = 0; d < 50; d++) {
      const sub = join(dir, `d${d % 5}`, `e${d}`);
      mkdirSync(sub, { recursive: true });
      for (let f = 0; f < 50; f++) writeFileSync(join(sub, `f${f}.txt`), kb);
    }
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
  });
}

/** 5 files of 200 MiB (random bytes, written once). */
export function largeFiles() {
  return once('large-files', (dir) => {
    const block = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < 5; i++) {
      const fd = openSync(join(dir, `big${i}.bin`), 'w');
      for (let b = 0; b < 25; b++) {
        for (let k = 0; k < block.length; k += 4) block.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, k);
        writeSync(fd, block);
      }
      closeSync(fd);
    }
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
    void ftruncateSync;
  });
}

/** `ignored` files under node_modules (100 files a folder) beside a small src/. */
export function ignoreHeavy(ignored) {
  return once(`ignore-heavy-${ignored}`, (dir) => {
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'src', 'index.js'), 'console.log(1)\n');
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY src /src\n');
    const perDir = 100;
    for (let p = 0; p < ignored / perDir; p++) {
      const sub = join(dir, 'node_modules', `p${p}`, 'lib');
      mkdirSync(sub, { recursive: true });
      for (let f = 0; f < perDir; f++) writeFileSync(join(sub, `f${f}.js`), '');
    }
  });
}
