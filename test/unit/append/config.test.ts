// The config after append or mutate: env merged by name (PATH kept unless given), labels, ports
// and volumes merged, an entrypoint clearing the base's Cmd, a history entry and a diff_id per
// layer, the time; and the checks that name a bad field.
import { describe, expect, it } from 'vitest';
import { checkConfigChanges, mergeEnv, mutateConfig, scratchConfig } from '../../../src/append/config.js';
import { InvalidArgument } from '../../../src/errors.js';
import type { ImageConfig } from '../../../src/oci.js';

const base: ImageConfig = {
  architecture: 'amd64',
  os: 'linux',
  created: '2020-01-01T00:00:00Z',
  config: {
    Env: ['PATH=/usr/local/bin:/usr/bin', 'NODE_VERSION=22'],
    Entrypoint: ['docker-entrypoint.sh'],
    Cmd: ['node'],
    Labels: { base: '1' },
    ExposedPorts: { '80/tcp': {} },
  },
  rootfs: { type: 'layers', diff_ids: ['sha256:aa'] },
  history: [{ created_by: 'base' }],
};

describe('mergeEnv', () => {
  it.each([
    [['PATH=/bin', 'A=1'], { B: '2' }, ['PATH=/bin', 'A=1', 'B=2']],
    [['PATH=/bin', 'A=1'], { A: '3' }, ['PATH=/bin', 'A=3']],
    [['PATH=/bin'], { PATH: '/opt/bin:/bin' }, ['PATH=/opt/bin:/bin']],
    [['AB=1', 'A=2'], { A: 'x' }, ['AB=1', 'A=x']],
    [[], { A: 'a=b' }, ['A=a=b']],
  ])('%j with %j', (env, add, want) => {
    expect(mergeEnv(env, add)).toEqual(want);
  });
});

describe('mutateConfig', () => {
  it('merges the changes into a copy of the base config', () => {
    const out = mutateConfig(
      base,
      {
        env: { NODE_ENV: 'production' },
        labels: { app: 'x' },
        exposedPorts: [8080, '53/udp'],
        volumes: ['/data'],
        user: 'node',
        workingDir: '/app',
        stopSignal: 'SIGINT',
      },
      [],
      undefined,
    );
    expect(out.config).toEqual({
      Env: ['PATH=/usr/local/bin:/usr/bin', 'NODE_VERSION=22', 'NODE_ENV=production'],
      Entrypoint: ['docker-entrypoint.sh'],
      Cmd: ['node'],
      Labels: { base: '1', app: 'x' },
      ExposedPorts: { '80/tcp': {}, '8080/tcp': {}, '53/udp': {} },
      Volumes: { '/data': {} },
      User: 'node',
      WorkingDir: '/app',
      StopSignal: 'SIGINT',
    });
    expect(base.config!['Env']).toHaveLength(2); // untouched
    // no layer and no time: the base's time and history stay
    expect(out.created).toBe(base.created);
    expect(out.history).toEqual(base.history);
    expect(out.rootfs.diff_ids).toEqual(['sha256:aa']);
  });

  it('clears the Cmd when only the entrypoint is set, as a Dockerfile ENTRYPOINT does', () => {
    expect(mutateConfig(base, { entrypoint: ['node', 'app.js'] }, [], undefined).config).not.toHaveProperty('Cmd');
    expect(mutateConfig(base, { entrypoint: 'node', cmd: ['app.js'] }, [], undefined).config).toMatchObject({
      Entrypoint: ['node'],
      Cmd: ['app.js'],
    });
    expect(mutateConfig(base, { cmd: 'sh' }, [], undefined).config).toMatchObject({
      Entrypoint: ['docker-entrypoint.sh'],
      Cmd: ['sh'],
    });
  });

  it('adds a diff_id and a history entry per layer, at the time given', () => {
    const created = new Date('2024-01-02T03:04:05Z');
    const out = mutateConfig(
      base,
      undefined,
      [
        { diffId: 'sha256:bb', createdBy: 'one' },
        { diffId: 'sha256:cc', createdBy: 'two' },
      ],
      created,
    );
    expect(out.rootfs.diff_ids).toEqual(['sha256:aa', 'sha256:bb', 'sha256:cc']);
    expect(out.history).toEqual([
      { created_by: 'base' },
      { created: '2024-01-02T03:04:05.000Z', created_by: 'one', comment: 'dockwire append' },
      { created: '2024-01-02T03:04:05.000Z', created_by: 'two', comment: 'dockwire append' },
    ]);
    expect(out.created).toBe('2024-01-02T03:04:05.000Z');
  });

  it('starts scratch from an empty config of the platform', () => {
    expect(scratchConfig({ os: 'linux', architecture: 'arm', variant: 'v7' })).toEqual({
      architecture: 'arm',
      os: 'linux',
      variant: 'v7',
      config: {},
      rootfs: { type: 'layers', diff_ids: [] },
      history: [],
    });
  });
});

describe('checkConfigChanges', () => {
  it.each([
    [{ entrypiont: ['x'] }, /unknown option "entrypiont"; did you mean "entrypoint"/],
    [{ env: { A: 1 } }, /config\.env\["A"\] must be a string/],
    [{ env: { 'A=B': 'x' } }, /not a variable name/],
    [{ exposedPorts: ['http'] }, /config\.exposedPorts\[0\]/],
    [{ volumes: ['data'] }, /config\.volumes/],
    [{ user: 1000 }, /config\.user/],
    [{ cmd: [1] }, /config\.cmd/],
  ])('%j is refused', (changes, message) => {
    expect(() => checkConfigChanges(changes as never)).toThrow(InvalidArgument);
    expect(() => checkConfigChanges(changes as never)).toThrow(message);
  });
});
