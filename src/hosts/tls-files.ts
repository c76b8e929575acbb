// The TLS files a configuration names, read and checked into node:tls options: every CA file must
// hold PEM certificates, a client certificate must come with its private key, and the two must
// match. CAs are added to Node's roots, never replacing them: a private CA for one registry must
// not make the others untrusted.
import type { X509Certificate } from 'node:crypto'; // the module is loaded where first used
import { ConfigError } from '../errors.js';
import { readRequired } from './files.js';
import type { HostTls } from './types.js';

/** TlsFiles: the paths a configuration gives for one host. */
export interface TlsFiles {
  ca: string[];
  /** Client certificates, each with its key (the same file when one PEM holds both). */
  clients: { cert: string; key: string }[];
  /** `skip_verify` (hosts.toml); undefined when the file does not say. */
  skipVerify?: boolean | undefined;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The files read into TLS options (undefined when they give nothing and verification is on). */
export async function loadTls(files: TlsFiles, skipVerify: boolean): Promise<HostTls | undefined> {
  if (files.ca.length === 0 && files.clients.length === 0 && !skipVerify) return undefined;
  const extra: string[] = [];
  for (const path of files.ca)
    extra.push(...certificates(path, (await readRequired(path, 'the CA file')).toString('utf8')));
  const tls: HostTls = { ca: [], rejectUnauthorized: !skipVerify, files: [...files.ca] };
  const client = files.clients[0];
  if (client !== undefined) {
    const [cert] = certificates(
      client.cert,
      (await readRequired(client.cert, 'the client certificate')).toString('utf8'),
    );
    const key = (await readRequired(client.key, 'the client key')).toString('utf8');
    let keyObject;
    try {
      keyObject = process.getBuiltinModule('node:crypto').createPrivateKey(key);
    } catch (error) {
      throw new ConfigError('is not a PEM private key', { file: client.key }, { cause: error });
    }
    if (!new (process.getBuiltinModule('node:crypto').X509Certificate)(cert as string).checkPrivateKey(keyObject))
      throw new ConfigError(`is not the key of the certificate ${client.cert}`, { file: client.key });
    tls.cert = cert as string;
    tls.key = key;
    tls.files.push(client.cert, ...(client.key === client.cert ? [] : [client.key]));
  }
  const { rootCertificates } = await import('node:tls'); // loaded only when a file gives TLS options
  tls.ca = [...rootCertificates, ...extra];
  return tls;
}

/** Every PEM certificate in a file, each checked to parse; none is a ConfigError naming the file. */
function certificates(path: string, text: string): string[] {
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new ConfigError('holds no PEM certificate', { file: path });
  for (const block of blocks) {
    try {
      new (process.getBuiltinModule('node:crypto').X509Certificate)(block);
    } catch (error) {
      throw new ConfigError('holds a certificate that does not parse', { file: path }, { cause: error });
    }
  }
  return blocks;
}
