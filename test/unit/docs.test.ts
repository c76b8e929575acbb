// Every relative link in the project's Markdown resolves: to a file that exists and, with a
// #fragment, to a heading in it (GitHub's slugs).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pages = [
  'README.md',
  'CONTRIBUTING.md',
  'bench/README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');
}

function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
}

function brokenLinks(page: string, markdown = readFileSync(join(root, page), 'utf8')): string[] {
  const file = join(root, page);
  const text = markdown.replace(/```[\s\S]*?```/g, '');
  const broken: string[] = [];
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target!)) continue;
    const [path, fragment] = target!.split('#') as [string, string | undefined];
    const linked = path === '' ? file : join(dirname(file), path);
    if (!existsSync(linked)) broken.push(`${page}: ${target} (no ${relative(root, linked)})`);
    else if (fragment && linked.endsWith('.md') && !anchors(linked).has(fragment))
      broken.push(`${page}: ${target} (no heading #${fragment})`);
  }
  return broken;
}

describe('the documentation', () => {
  it.each(pages)('%s: every relative link resolves', (page) => {
    expect(brokenLinks(page)).toEqual([]);
  });

  it('README.md is a guide of at most 15 KB, with the install line on its first screen', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(15 * 1024);
    expect(readme.slice(0, 3000)).toContain('npm install dockwire');
    expect(readme).toContain('npm test');
  });

  it('finds a broken link: a missing file, or a fragment no heading has', () => {
    expect(slug('docker-py → dockwire')).toBe('docker-py--dockwire');
    const planted = '[a](docs/nope.md) [b](docs/engines.md#nope) [c](#errors) [d](https://example.com/x)';
    expect(brokenLinks('README.md', planted)).toEqual([
      'README.md: docs/nope.md (no docs/nope.md)',
      'README.md: docs/engines.md#nope (no heading #nope)',
    ]);
  });
});
