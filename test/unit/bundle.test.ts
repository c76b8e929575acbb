// The published JavaScript is one file (scripts/bundle.mjs): its entry point exports exactly what
// the sources export, and the same classes behave the same (npm test builds dist/ first).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as source from '../../src/index.js';

const dist = (await import(new URL('../../dist/index.js', import.meta.url).href)) as typeof source;
const bundle = (await import(new URL('../../dist/bundle.js', import.meta.url).href)) as { load(name: string): Record<string, unknown> };

describe('dist/index.js, from the bundle', () => {
  it('exports every name src/index.ts exports, and no other', () => {
    expect(Object.keys(dist).sort()).toEqual(Object.keys(source).sort());
  });

  it('works: errors, references, the ignore matcher and the JSON-lines decoder', () => {
    expect(new dist.ImageNotFound(404, 'x')).toBeInstanceOf(dist.APIError);
    expect(new dist.ImageNotFound(404, 'x').code).toBe('ERR_DOCKER_IMAGE_NOT_FOUND');
    expect(dist.parseReference('127.0.0.1:5000/a/b:v1@sha256:' + 'a'.repeat(64))).toEqual(source.parseReference('127.0.0.1:5000/a/b:v1@sha256:' + 'a'.repeat(64)));
    expect(new dist.PatternMatcher(['**/*.log', '!keep.log']).excludes('a/b.log')).toBe(true);
    const decoder = new dist.JsonLinesDecoder();
    expect(decoder.push(new TextEncoder().encode('{"a":1}\n{"b"'))).toEqual([{ a: 1 }]);
  });

  it('is ASCII, and the characters written as escapes still read the same', () => {
    // (one non-ASCII character makes V8 hold and scan the whole file as two-byte text)
    const text = readFileSync(new URL('../../dist/bundle.js', import.meta.url), 'latin1');
    expect(text.match(/[^\0-\x7f]/g)).toBeNull();
    const long = 'x'.repeat(100);
    expect(() => dist.parseReference(long.toUpperCase())).toThrow(/X{80}…/);
    expect(new dist.JsonLinesDecoder().push.bind(new dist.JsonLinesDecoder(), new TextEncoder().encode(`{${long}\n`))).toThrow(/x{79}…/);
  });

  it('the loader gives internal modules by name, each evaluated once', () => {
    const walk = bundle.load('context/walk');
    expect(typeof walk['walkContext']).toBe('function');
    expect(bundle.load('context/walk')).toBe(walk);
    expect(bundle.load('errors')['APIError']).toBe(dist.APIError);
    expect(() => bundle.load('no/such/module')).toThrow(/no module no\/such\/module/);
  });
});
