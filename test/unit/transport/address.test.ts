import { describe, expect, it } from 'vitest';
import { InvalidArgument } from '../../../src/errors.js';
import { parseAddress } from '../../../src/transport/address.js';

describe('parseAddress', () => {
  it.each([
    ['unix:///var/run/docker.sock', { kind: 'unix', path: '/var/run/docker.sock' }],
    ['/tmp/d.sock', { kind: 'unix', path: '/tmp/d.sock' }],
    ['tcp://127.0.0.1:2375', { kind: 'tcp', host: '127.0.0.1', port: 2375, tls: false }],
    ['tcp://localhost', { kind: 'tcp', host: 'localhost', port: 2375, tls: false }],
    ['https://engine.example:8443', { kind: 'tcp', host: 'engine.example', port: 8443, tls: true }],
    ['tcp://[::1]:2376', { kind: 'tcp', host: '::1', port: 2376, tls: false }],
    ['npipe:////./pipe/docker_engine', { kind: 'unix', path: '\\\\.\\pipe\\docker_engine' }],
    ['ssh://me@build.example:2222', { kind: 'ssh', user: 'me', host: 'build.example', port: 2222 }],
    ['ssh://build.example', { kind: 'ssh', user: undefined, host: 'build.example', port: undefined }],
  ])('%s', (input, expected) => {
    expect(parseAddress(input)).toEqual(expected);
  });

  it('tcp:// with TLS defaults to port 2376', () => {
    expect(parseAddress('tcp://h', { tls: true })).toEqual({ kind: 'tcp', host: 'h', port: 2376, tls: true });
  });

  it.each([
    '',
    'unix://relative',
    'ftp://x',
    'tcp://h:99999',
    'tcp://h:port',
    'nonsense',
    'npipe://pipe',
    'ssh://-oProxyCommand=x',
    'ssh://a@b:0',
    'ssh://',
  ])('refuses %j', (input) => {
    expect(() => parseAddress(input)).toThrow(InvalidArgument);
  });
});
