// parseToml beyond toml-test: the values the host configuration reads, where an error points,
// and hostile documents (deep nesting, prototype keys, huge integers).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { isTable, parseToml, TomlDateTime } from '../../../src/toml/parse.js';

function failure(document: string | Uint8Array): ConfigError {
  try {
    parseToml(document);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('parsed');
}

describe('parseToml', () => {
  it('reads a hosts.toml as containerd documents it', () => {
    const doc = parseToml(
      [
        'server = "https://registry-1.docker.io"',
        '',
        '[host."https://mirror.example.com"]',
        '  capabilities = ["pull", "resolve"]',
        '  ca = "/etc/certs/mirror.pem"',
        '  client = [["/etc/certs/client.cert", "/etc/certs/client.key"]]',
        '  skip_verify = false',
        '  [host."https://mirror.example.com".header]',
        '    x-custom-1 = ["a", "b"]',
      ].join('\n'),
    );
    expect(doc.server).toBe('https://registry-1.docker.io');
    const host = (doc.host as Record<string, unknown>)['https://mirror.example.com'] as Record<string, unknown>;
    expect(host.capabilities).toEqual(['pull', 'resolve']);
    expect(host.client).toEqual([['/etc/certs/client.cert', '/etc/certs/client.key']]);
    expect(host.skip_verify).toBe(false);
    expect(host.header).toEqual(Object.assign(Object.create(null), { 'x-custom-1': ['a', 'b'] }));
  });

  it('reads arrays of tables as registries.conf uses them', () => {
    const doc = parseToml(
      '[[registry]]\nprefix = "a"\n[[registry.mirror]]\nlocation = "m1"\n[[registry.mirror]]\nlocation = "m2"\n[[registry]]\nprefix = "b"\n',
    );
    const registries = doc.registry as Record<string, unknown>[];
    expect(registries.map((r) => r.prefix)).toEqual(['a', 'b']);
    expect((registries[0]?.mirror as Record<string, unknown>[]).map((m) => m.location)).toEqual(['m1', 'm2']);
  });

  it('gives integers as bigint, floats as numbers, date-times as TomlDateTime', () => {
    const doc = parseToml(
      'a = 9223372036854775807\nb = 0xdead_beef\nc = 1e3\nd = 1979-05-27 07:32:00z\ne = 07:32:00.5',
    );
    expect(doc.a).toBe(9223372036854775807n);
    expect(doc.b).toBe(0xdeadbeefn);
    expect(doc.c).toBe(1000);
    expect(doc.d).toEqual(new TomlDateTime('datetime', '1979-05-27T07:32:00Z'));
    expect(doc.e).toEqual(new TomlDateTime('time-local', '07:32:00.5'));
  });

  it('points at the fault: line and column, counted in characters', () => {
    expect(failure('a = 1\nb = "ü" x').message).toBe('line 2, column 9: expected the end of the line, found "x"');
    expect(failure('[a]\n[a]').message).toBe('line 2, column 1: a is already defined');
    expect(failure('a = 2100-02-29').message).toBe('line 1, column 5: invalid date 2100-02-29');
  });

  it('refuses text and bytes that are not Unicode', () => {
    expect(failure('a = "\uD800"').reason).toBe('the document is not valid Unicode');
    expect(failure(new Uint8Array([0x61, 0x3d, 0x22, 0xff, 0x22])).reason).toBe('the document is not valid UTF-8');
  });

  it('keeps prototype-named keys as plain keys of tables without prototypes', () => {
    const doc = parseToml('__proto__ = 1\nconstructor.x = 2\n[toString]\n');
    expect(Object.getPrototypeOf(doc)).toBe(null);
    expect(Object.keys(doc)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(isTable(Object.getOwnPropertyDescriptor(doc, 'constructor')?.value)).toBe(true);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('bounds the nesting of arrays and inline tables', () => {
    expect(parseToml(`a = ${'['.repeat(128)}${']'.repeat(128)}`).a).toBeDefined();
    expect(failure(`a = ${'['.repeat(100_000)}`).reason).toBe('arrays and inline tables nest deeper than 128');
    expect(failure(`a = ${'{b='.repeat(200)}1${'}'.repeat(200)}`).reason).toBe(
      'arrays and inline tables nest deeper than 128',
    );
  });

  it('refuses integers past 64 bits', () => {
    expect(failure('a = 9223372036854775808').reason).toBe('integer 9223372036854775808 does not fit in 64 bits');
    expect(failure(`a = 0x1${'0'.repeat(16)}`).reason).toMatch(/does not fit in 64 bits/);
  });
});

describe('parseToml on mutated documents', () => {
  // (a fixed seed: every run tries the same mutations, so a failure replays)
  let seed = 20261206;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const root = join(import.meta.dirname, '../../fixtures/toml-test');
  const valid = readFileSync(join(root, 'files-toml-1.0.0'), 'utf8')
    .split('\n')
    .filter((f) => f.startsWith('valid/') && f.endsWith('.toml'));

  it('gives a table or a ConfigError with a place for every mutation of every valid case, never another error', () => {
    const alphabet = new TextEncoder().encode('[]{}"\'=.,#\n\r\t \\_-+:0123456789aeinfxobtruZT\u00ff');
    let refused = 0;
    for (const file of valid) {
      const original = readFileSync(join(root, file));
      for (let i = 0; i < 20; i++) {
        const bytes = Buffer.from(original);
        for (let edits = 1 + random(3); edits > 0 && bytes.length > 0; edits--)
          bytes[random(bytes.length)] = alphabet[random(alphabet.length)]!;
        try {
          expect(typeof parseToml(bytes)).toBe('object');
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          const { reason, line, column } = error as ConfigError;
          if (reason !== 'the document is not valid UTF-8') expect([line! > 0, column! > 0]).toEqual([true, true]);
          refused++;
        }
      }
    }
    expect(refused).toBeGreaterThan(valid.length);
  });
});
