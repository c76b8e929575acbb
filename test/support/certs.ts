// Certificates for a TLS engine, made with openssl: a CA, a server certificate for 127.0.0.1, a
// client certificate, and an unrelated CA (for the "wrong CA" case).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Certs {
  dir: string;
  /** ca.pem, cert.pem (client), key.pem (client): the layout DOCKER_CERT_PATH expects */
  clientDir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  wrongCaDir: string;
}

const ssl = (cwd: string, ...args: string[]) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

function makeCa(dir: string, name: string): void {
  ssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}-key.pem`,
    '-out',
    `${name}.pem`,
  );
}

function sign(dir: string, ca: string, name: string, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), ext);
  ssl(
    dir,
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}-key.pem`,
    '-out',
    `${name}.csr`,
  );
  ssl(
    dir,
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}-key.pem`,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  );
}

export function makeCerts(): Certs {
  const dir = mkdtempSync(join(tmpdir(), 'dockwire-certs-'));
  makeCa(dir, 'ca');
  makeCa(dir, 'wrongca');
  sign(dir, 'ca', 'server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  sign(dir, 'ca', 'client', 'extendedKeyUsage=clientAuth\n');
  const clientDir = join(dir, 'client');
  const wrongCaDir = join(dir, 'wrong');
  execFileSync(
    'bash',
    [
      '-c',
      `mkdir -p client wrong && cp ca.pem client/ca.pem && cp client.pem client/cert.pem && cp client-key.pem client/key.pem && cp wrongca.pem wrong/ca.pem && cp client.pem wrong/cert.pem && cp client-key.pem wrong/key.pem`,
    ],
    { cwd: dir },
  );
  return {
    dir,
    clientDir,
    ca: join(dir, 'ca.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server-key.pem'),
    wrongCaDir,
  };
}
