// Credential helpers (docker-credential-NAME programs) run for credHelpers and credsStore.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INDEX_SERVER } from '../../../src/credentials/auth-config.js';
import { credentialsFromConfig } from '../../../src/credentials/config-file.js';
import { removeTempDirs, tempDir } from '../../support/temp.js';

const dir = (): string => tempDir('dockwire-cred-');
afterAll(removeTempDirs);

function helper(bin: string, name: string, script: string): void {
  const file = join(bin, `docker-credential-${name}`);
  writeFileSync(file, `#!/bin/sh\n${script}\n`);
  chmodSync(file, 0o755);
}

describe('credential helpers', () => {
  it('runs credHelpers and credsStore; <token> usernames become identity tokens; broken helpers mean none', async () => {
    const bin = dir();
    helper(bin, 'store', 'read s; printf \'{"ServerURL":"%s","Username":"from-store","Secret":"s1"}\' "$s"');
    helper(bin, 'tok', 'read s; printf \'{"ServerURL":"%s","Username":"<token>","Secret":"refresh"}\' "$s"');
    helper(bin, 'broken', 'exit 1');
    helper(bin, 'garbage', 'echo not-json');
    const d = dir();
    writeFileSync(
      join(d, 'config.json'),
      JSON.stringify({
        credsStore: 'store',
        credHelpers: {
          'reg.tok': 'tok',
          'reg.broken': 'broken',
          'reg.garbage': 'garbage',
          'reg.absent': 'nosuchhelper',
        },
      }),
    );
    const saved = process.env['PATH'];
    process.env['PATH'] = `${bin}:${saved}`;
    try {
      const source = { configDir: d, env: {} };
      expect(await credentialsFromConfig('docker.io', source)).toEqual({
        username: 'from-store',
        password: 's1',
        serveraddress: INDEX_SERVER,
      });
      expect(await credentialsFromConfig('reg.tok', source)).toEqual({
        identitytoken: 'refresh',
        serveraddress: 'reg.tok',
      });
      expect(await credentialsFromConfig('reg.broken', source)).toBeUndefined();
      expect(await credentialsFromConfig('reg.garbage', source)).toBeUndefined();
      expect(await credentialsFromConfig('reg.absent', source)).toBeUndefined();
      expect(await credentialsFromConfig('reg.other', source)).toMatchObject({ username: 'from-store' });
    } finally {
      process.env['PATH'] = saved;
    }
  }, 60000);
});
