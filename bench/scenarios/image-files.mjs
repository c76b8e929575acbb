// The merged listing of a 1 GiB image read from its saved archive (`docker save` of the
// project's engine), against GNU tar listing the same bytes: `tar -t` of the archive (its members
// only), and `tar -xO` of the layer piped into `tar -t` (the layer's files, what dockwire lists).
// The same listing of an image with the same small files and none of the 1 GiB shows what memory
// follows: the number of paths, not the bytes.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { median, timed } from '../lib/measure.mjs';
import { BENCH_DIR } from '../lib/trees.mjs';

const BIG = 1024; // files of 1 MiB of random bytes
const SMALL = 20_000; // and small ones, in folders of 100
const ROUNDS = 3;

/** A tar (GNU tar's layout, written here) of 1 GiB in 1,024 files and 20,000 small files. */
function rootfs(path, big = BIG) {
  const fd = openSync(path, 'w');
  const header = (name, size) => {
    const h = Buffer.alloc(512);
    h.write(name, 0);
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
    h.write('14530000000\0', 136);
    h.write('0', 156);
    h.write('ustar\x0000', 257);
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    return h;
  };
  const block = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < big; i++) {
    for (let k = 0; k < block.length; k += 4) block.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, k);
    writeSync(fd, header(`big/blob-${i}`, block.length));
    writeSync(fd, block);
  }
  for (let i = 0; i < SMALL; i++) {
    const body = Buffer.from(`file ${i}\n`);
    writeSync(fd, header(`small/d${Math.floor(i / 100)}/f${i}`, body.length));
    writeSync(fd, Buffer.concat([body, Buffer.alloc(512 - body.length)]));
  }
  writeSync(fd, Buffer.alloc(1024));
  closeSync(fd);
}

/** The image's saved archive (made once: a rootfs imported into the engine, then saved). */
function saved(env, tag, big) {
  const sock = env.DOCKER_HOST.replace('unix://', '');
  const archive = join(BENCH_DIR, `files-${tag}-saved.tar`);
  if (!existsSync(archive)) {
    const tar = join(BENCH_DIR, `files-${tag}-rootfs.tar`);
    if (!existsSync(tar)) rootfs(tar, big);
    execFileSync(
      'curl',
      [
        '-sf',
        '--unix-socket',
        sock,
        '-X',
        'POST',
        '-T',
        tar,
        '-H',
        'Content-Type: application/x-tar',
        `http://d/v1.41/images/create?fromSrc=-&repo=dockwire-bench/files&tag=${tag}`,
      ],
      { stdio: 'ignore' },
    );
    execFileSync('curl', [
      '-sf',
      '--unix-socket',
      sock,
      '-o',
      archive,
      `http://d/v1.41/images/dockwire-bench/files:${tag}/get`,
    ]);
  }
  return archive;
}

export async function run(env) {
  mkdirSync(BENCH_DIR, { recursive: true });
  const archive = saved(env, '1g', BIG);
  const small = saved(env, 'small', 0);
  const layer = execFileSync('tar', ['-tf', archive], { encoding: 'utf8' })
    .split('\n')
    .find((n) => n.endsWith('layer.tar') || n.startsWith('blobs/sha256/'));
  const contenders = {
    dockwire: () => timed(process.execPath, ['lib/image-files.mjs', 'path', archive]),
    'dockwire, the same paths without the 1 GiB': () => timed(process.execPath, ['lib/image-files.mjs', 'path', small]),
    'dockwire, from a stream (spooled)': () => timed(process.execPath, ['lib/image-files.mjs', 'stream', archive]),
    'tar -t (the archive’s members)': () => timed('tar', ['-tf', archive]),
    'tar -xO layer, piped to tar -t (the layer’s files)': () =>
      timed(`tar -xOf '${archive}' '${layer}' | tar -t | wc -l`, [], { shell: true }),
  };
  const runs = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  await contenders['tar -t (the archive’s members)'](); // the page cache, warm for all
  for (let round = 0; round < ROUNDS; round++)
    for (const [name, go] of Object.entries(contenders)) runs[name].push(await go());
  const ms = Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, median(r.map((x) => x.ms))]));
  const rss = Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, median(r.map((x) => x.rssMb))]));
  const listed = JSON.parse(runs.dockwire.at(-1).stdout).files;
  return [
    {
      scenario: `list a 1 GiB image's files (${listed} paths) from its saved archive, ms`,
      unit: 'ms',
      results: ms,
      target: 'no slower than GNU tar listing the layer',
    },
    {
      scenario: `list a 1 GiB image's files from its saved archive, peak RSS MB`,
      unit: 'MB',
      results: rss,
      target: 'flat in the bytes: the same as without the 1 GiB',
    },
  ];
}
