// Configuration folders for the host-configuration tests: real files in a temporary folder, as a
// user's machine has them, and certificates made by openssl (test/support/certs.ts).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../../src/errors.js';
import { makeCerts, type Certs } from '../../support/certs.js';
import { tempDir } from '../../support/temp.js';

/** Writes `files` (path → text) under a new temporary folder and gives the folder. */
export function writeTree(files: Record<string, string>): string {
  const root = tempDir('dockwire-hosts-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

let certs: Certs | undefined;

/** A CA, a client certificate and key signed by it, and an unrelated CA, as PEM text (made once). */
export function pems(): { ca: string; clientCert: string; clientKey: string; otherCa: string } {
  certs ??= makeCerts();
  const read = (name: string) => readFileSync(join(certs!.dir, name), 'utf8');
  return {
    ca: read('ca.pem'),
    clientCert: read('client.pem'),
    clientKey: read('client-key.pem'),
    otherCa: read('wrongca.pem'),
  };
}

/** The ConfigError a promise rejects with (anything else fails the test). */
export async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('resolved, where a ConfigError was expected');
}
