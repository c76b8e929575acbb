// POST /build's query: each option as the engine reads it, and bad options refused before any
// request.
import { describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../../src/errors.js';
import { encodeQuery } from '../../../src/http/request.js';
import { buildQuery } from '../../../src/images/build.js';

const query = (options: Parameters<typeof buildQuery>[0], dockerfile?: string): URLSearchParams =>
  new URLSearchParams(encodeQuery(buildQuery(options, dockerfile)).slice(1));

describe('buildQuery', () => {
  it('names each option as the engine does; tags and extra hosts repeat, records go as JSON', () => {
    const q = query(
      {
        tag: ['a/b:1', 'a/b:2'],
        quiet: true,
        noCache: true,
        rm: false,
        forceRm: true,
        pull: true,
        buildArgs: { V: '1' },
        labels: { team: 'wire' },
        cacheFrom: ['a/b:0'],
        target: 'final',
        networkMode: 'none',
        shmSize: 1024,
        extraHosts: { 'wire.example': '127.0.0.9' },
        containerLimits: { memory: 1 << 30, cpusetcpus: '0' },
        platform: 'linux/amd64',
      },
      'Build.dockerfile',
    );
    expect(q.getAll('t')).toEqual(['a/b:1', 'a/b:2']);
    expect(Object.fromEntries([...q].filter(([k]) => k !== 't'))).toEqual({
      q: '1',
      nocache: '1',
      rm: '0',
      forcerm: '1',
      pull: '1',
      dockerfile: 'Build.dockerfile',
      memory: String(1 << 30),
      cpusetcpus: '0',
      buildargs: '{"V":"1"}',
      shmsize: '1024',
      labels: '{"team":"wire"}',
      cachefrom: '["a/b:0"]',
      target: 'final',
      networkmode: 'none',
      extrahosts: 'wire.example:127.0.0.9',
      platform: 'linux/amd64',
    });
  });

  it('leaves out what was not given, and asks for BuildKit as version=2', () => {
    expect([...query({})]).toEqual([]);
    expect(query({ builder: 'buildkit' }).get('version')).toBe('2');
    expect(query({ builder: 'classic' }).get('version')).toBeNull();
    expect(query({ extraHosts: ['a:1.2.3.4', 'b:5.6.7.8'] }).getAll('extrahosts')).toEqual(['a:1.2.3.4', 'b:5.6.7.8']);
  });

  it.each([
    [{ tag: 'Bad Tag' }, /tag/],
    [{ buildArgs: { V: 1 } }, /buildArgs\.V must be a string/],
    [{ labels: ['x'] }, /labels must be an object of strings/],
    [{ cacheFrom: 'a/b' }, /cacheFrom must be an array/],
    [{ target: 'no spaces' }, /target/],
    [{ builder: 'docker' }, /builder must be "classic" or "buildkit"/],
    [{ shmSize: -1 }, /shmSize must be a positive integer/],
    [{ containerLimits: { gpus: 1 } }, /containerLimits\.gpus is not one of/],
  ])('refuses %j with InvalidArgument', (options, message) => {
    expect(() => buildQuery(options as never, undefined)).toThrow(InvalidArgument);
    expect(() => buildQuery(options as never, undefined)).toThrow(message);
  });
});
