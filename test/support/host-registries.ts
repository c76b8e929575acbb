// Registries for host configuration (certs.d, hosts.toml, registries.conf; issue 39), run by the
// test itself: distribution 2.8 (`docker-registry serve`) over TLS with a CA made by openssl, the
// same over mTLS (`http.tls.clientcas`), both serving what a plain registry on the same storage
// was given; a plain mirror holding a different image under the same name; a port nobody listens
// on (a dead mirror); and a connection counter to put in front of any of them. No engine.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { Registry } from '../../src/index.js';
import { makeCerts, type Certs } from './certs.js';
import { freePort } from './ports.js';
import { packed } from './tar.js';
import { tempDir } from './temp.js';

/** HostRegistries: what startHostRegistries runs, by `host:port`. */
export interface HostRegistries {
  /** ca.pem (the CA), server.pem, client.pem and client-key.pem (signed by it), wrongca.pem. */
  certs: Certs;
  /** TLS, its certificate for 127.0.0.1 signed by the CA. */
  tls: string;
  /** TLS that demands a client certificate signed by the CA. */
  mtls: string;
  /** Plain HTTP over the same storage as `tls` and `mtls` (what was pushed here, they serve). */
  plain: string;
  /** Plain HTTP, its own storage: the same repository and tag, another image. */
  mirror: string;
  /** `127.0.0.1:PORT` with nothing listening. */
  dead: string;
  /** The repository and tag both images are under. */
  repository: string;
  tag: string;
  /** The manifest digest of the image on plain, tls and mtls. */
  serverDigest: string;
  /** The manifest digest of the mirror's image under the same name. */
  mirrorDigest: string;
  /** Each registry's access log (one line per request). */
  logs: Record<'shared' | 'mirror', string>;
  /** Stops what was started. */
  stop(): Promise<void>;
}

interface Started {
  child: ChildProcess;
}

function config(dir: string, name: string, storage: string, port: number, tls: string): string {
  const path = join(dir, `${name}.yml`);
  writeFileSync(
    path,
    `version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: ${storage}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${tls}`,
  );
  return path;
}

async function listening(port: number, child: ChildProcess, log: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}); see ${log}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      }).on('error', () => resolve(false));
      socket.setTimeout(1000, () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`docker-registry did not listen on 127.0.0.1:${port}; see ${log}`);
}

async function serve(
  dir: string,
  name: string,
  storage: string,
  logName: string,
  tls = '',
): Promise<Started & { host: string }> {
  const port = await freePort();
  const log = join(dir, `${logName}.log`);
  const child = spawn('docker-registry', ['serve', config(dir, name, storage, port, tls)], {
    stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')],
  });
  await listening(port, child, log);
  return { child, host: `127.0.0.1:${port}` };
}

/** Pushes a one-layer image whose only file, `which`, says `text`; gives its manifest digest. */
async function pushImage(registry: Registry, ref: string, repository: string, text: string): Promise<string> {
  const content = new TextEncoder().encode(`${text}\n`);
  const layer = await packed([
    { name: 'which', type: 'file', mode: 0o644, size: content.length, mtime: 0, content: () => [content] },
  ]);
  const diffId = `sha256:${createHash('sha256').update(layer).digest('hex')}`;
  const layerDescriptor = await registry.pushBlob(repository, layer, {
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
  });
  const configBytes = new TextEncoder().encode(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [diffId] }, config: {} }),
  );
  const configDescriptor = await registry.pushBlob(repository, configBytes, {
    mediaType: 'application/vnd.oci.image.config.v1+json',
  });
  const manifest = {
    schemaVersion: 2 as const,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: configDescriptor,
    layers: [layerDescriptor],
  };
  return (await registry.pushManifest(ref, manifest)).digest;
}

/** startHostRegistries: the registries above, started and filled (openssl makes the certificates). */
export async function startHostRegistries(): Promise<HostRegistries> {
  const dir = tempDir('dockwire-host-registries-');
  const certs = makeCerts();
  const shared = join(dir, 'shared-storage');
  const mirrorStorage = join(dir, 'mirror-storage');
  mkdirSync(shared);
  mkdirSync(mirrorStorage);
  const tlsYaml = `  tls:\n    certificate: ${certs.serverCert}\n    key: ${certs.serverKey}\n`;
  const started: Started[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(
      started
        .splice(0)
        .map(
          ({ child }) =>
            new Promise<void>((resolve) =>
              child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM')),
            ),
        ),
    );
  };
  try {
    const plain = await serve(dir, 'plain', shared, 'shared');
    started.push(plain);
    const tls = await serve(dir, 'tls', shared, 'shared', tlsYaml);
    started.push(tls);
    const mtls = await serve(dir, 'mtls', shared, 'shared', `${tlsYaml}    clientcas:\n      - ${certs.ca}\n`);
    started.push(mtls);
    const mirror = await serve(dir, 'mirror', mirrorStorage, 'mirror');
    started.push(mirror);
    const repository = 'hosts/app';
    const tag = '1';
    const client = new Registry({});
    try {
      const serverDigest = await pushImage(
        client,
        `${plain.host}/${repository}:${tag}`,
        `${plain.host}/${repository}`,
        'server',
      );
      const mirrorDigest = await pushImage(
        client,
        `${mirror.host}/${repository}:${tag}`,
        `${mirror.host}/${repository}`,
        'mirror',
      );
      return {
        certs,
        tls: tls.host,
        mtls: mtls.host,
        plain: plain.host,
        mirror: mirror.host,
        dead: `127.0.0.1:${await freePort()}`,
        repository,
        tag,
        serverDigest,
        mirrorDigest,
        logs: { shared: join(dir, 'shared.log'), mirror: join(dir, 'mirror.log') },
        stop,
      };
    } finally {
      await client.close();
    }
  } catch (error) {
    await stop();
    throw error;
  }
}

/** ConnectionCounter: a loopback port that forwards to another and counts the connections made to it. */
export interface ConnectionCounter {
  host: string;
  count(): number;
  close(): Promise<void>;
}

/** countConnections: a forwarder to `target` (`127.0.0.1:PORT`) that counts each connection accepted. */
export async function countConnections(target: string): Promise<ConnectionCounter> {
  const [, port] = /:(\d+)$/.exec(target) ?? [];
  let count = 0;
  const open = new Set<Socket>();
  const server: Server = createServer((socket) => {
    count++;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    const upstream = connect(Number(port), '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    host: `127.0.0.1:${address.port}`,
    count: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }),
  };
}
