// What our build puts into an image equals what the docker CLI's legacy builder puts into one,
// for the same folder: the CLI packs contexts with moby's own .dockerignore rules, so it is the
// oracle for what a context must contain.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTree, type Tree } from '../support/contexts.js';
import { engine, ns, uniqueName } from '../support/engine.js';
import { engineSuite } from '../support/suite.js';
import { runInImage } from '../support/run.js';

const { docker, made } = engineSuite();

function cliBuild(dir: string, tag: string): void {
  execFileSync('docker', ['build', '-q', '-t', tag, dir], {
    env: {
      ...process.env,
      DOCKER_HOST: engine.host,
      DOCKER_BUILDKIT: '0',
      DOCKER_CONFIG: join(dir, '..', 'no-docker-config'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const LIST =
  'cd /ctx && find . -mindepth 1 | sort | while read -r f; do if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"; elif [ -d "$f" ]; then echo "$f/"; else echo "$f $(wc -c < "$f")"; fi; done';

const dockerfile = (extra = '') => `FROM ${'BASE'}\nCOPY . /ctx\n${extra}`;

const contexts: Array<[string, Tree]> = [
  [
    'comments, globs, escapes, exceptions, leading / and ..',
    {
      Dockerfile: dockerfile(),
      '.dockerignore':
        '# a comment\n  # not a comment\n*.log\n!important.log\n**/tmp\ndocs/*\n!docs/README.md\n/abs.txt\nsub/**/*.bak\na\\*b\n../outside\n./dot/../dotted\n',
      'x.log': 'x',
      'important.log': 'keep',
      'tmp/a': 'a',
      'deep/tmp/b': 'b',
      'deep/keep.txt': 'k',
      'docs/a.md': 'a',
      'docs/README.md': 'r',
      'abs.txt': 'abs',
      'sub/a/b/c.bak': 'bak',
      'sub/c.bak': 'top bak',
      'sub/c.txt': 'c',
      'a*b': 'star',
      axb: 'x',
      '# not a comment': 'hash',
      dotted: 'd',
    },
  ],
  [
    'an ignored node_modules with an exception reaching in, and one that cannot',
    {
      Dockerfile: dockerfile(),
      '.dockerignore': 'node_modules\n!node_modules/p1/lib/f1.js\nvendor\n!**/*.keep\n',
      'node_modules/p1/lib/f1.js': '1',
      'node_modules/p1/lib/f2.js': '2',
      'node_modules/p2/x.js': 'x',
      'vendor/a.keep': 'not re-included: the exception does not start with vendor/',
      'src/b.keep': 'b',
      'src/main.js': 'm',
    },
  ],
  [
    'everything excluded but the exceptions; the Dockerfile and .dockerignore are still sent',
    {
      Dockerfile: dockerfile(),
      '.dockerignore': '\uFEFF*\r\n!keep\r\n!dir/sub\r\n',
      keep: 'k',
      other: 'o',
      'dir/sub/x': 'x',
      'dir/y': 'y',
    },
  ],
  [
    'links, empty folders, unicode and long names, executables',
    {
      Dockerfile: dockerfile(),
      'target.txt': 'target',
      'rel-link': { symlink: 'target.txt' },
      'abs-link': { symlink: '/etc/hostname' },
      'dangling-link': { symlink: 'nowhere' },
      'hard.txt': { hardlink: 'target.txt' },
      'empty/': { dir: true },
      'ünïcödé/名前.txt': 'unicode',
      [`long/${'segment-'.repeat(14)}/${'name-'.repeat(25)}.txt`]: 'long',
      '[brackets] and spaces.txt': 's',
    },
  ],
  [
    '** forms and character classes',
    {
      Dockerfile: dockerfile(),
      '.dockerignore': '**/*.tmp\n**build\nlogs/**\n!logs/keep/**\nfile[0-2].txt\nch?r.txt\n',
      'a.tmp': '1',
      'x/y/z.tmp': '2',
      prebuild: 'suffix match',
      'dir/rebuild': 'suffix match',
      'logs/a': 'a',
      'logs/keep/b': 'b',
      'file1.txt': '1',
      'file5.txt': '5',
      'char.txt': 'c',
      'chr.txt': 'c',
    },
  ],
];

describe('build contexts: dockwire and the docker CLI put the same files into the image', () => {
  it.each(contexts)('%s', async (_name, tree) => {
    const withBase = Object.fromEntries(
      Object.entries(tree).map(([k, v]) => [
        k,
        k === 'Dockerfile' && typeof v === 'string' ? v.replace('BASE', engine.baseImage) : v,
      ]),
    );
    const dir = makeTree(withBase);
    const ours = `${ns}/diff-ours:${uniqueName('d')}`;
    const theirs = `${ns}/diff-cli:${uniqueName('d')}`;
    made.push(ours, theirs);
    await docker.images.build({ path: dir, tag: ours });
    cliBuild(dir, theirs);
    const [a, b] = await Promise.all([runInImage(ours, LIST), runInImage(theirs, LIST)]);
    expect(a).toBe(b);
    expect(a.length).toBeGreaterThan(0);
  });
});
