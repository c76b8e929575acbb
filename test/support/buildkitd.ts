// What the integration tests know of the standalone buildkitd daemons the global setup started
// (scripts/buildkitd.sh), and buildctl beside them, the reference.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll } from 'vitest';
import { BuildKit, Docker } from '../../src/index.js';
import { engine, podman } from './engine.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the integration tests through vitest (global setup)`);
  return value;
}

export const buildkitd = {
  get unix(): string {
    return required('DOCKWIRE_BUILDKIT_UNIX');
  },
  get tcp(): string {
    return required('DOCKWIRE_BUILDKIT_TCP');
  },
  /** The daemon with TLS and client certificates (another daemon, with a cache of its own). */
  get tls(): string {
    return required('DOCKWIRE_BUILDKIT_TLS');
  },
  get certs(): { ca: string; cert: string; key: string } {
    const dir = required('DOCKWIRE_BUILDKIT_CERTS');
    return {
      ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  },
  get buildctl(): string {
    return required('DOCKWIRE_BUILDCTL');
  },
};

/** The three ways to one of the daemons: unix, tcp, tcp with TLS. */
export function buildkitClients(): Array<[string, () => BuildKit]> {
  return [
    ['unix', () => new BuildKit({ host: buildkitd.unix })],
    ['tcp', () => new BuildKit({ host: buildkitd.tcp })],
    ['tcp+tls', () => new BuildKit({ host: buildkitd.tls, tls: buildkitd.certs })],
  ];
}

/** buildctl against `addr` (the TLS daemon gets the client certificates); resolves to its output. */
export function buildctl(addr: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const dir = required('DOCKWIRE_BUILDKIT_CERTS');
  const tls =
    addr === buildkitd.tls
      ? [
          '--tlscacert',
          join(dir, 'ca.pem'),
          '--tlscert',
          join(dir, 'cert.pem'),
          '--tlskey',
          join(dir, 'key.pem'),
          '--tlsservername',
          '127.0.0.1',
        ]
      : [];
  return new Promise((resolve, reject) => {
    execFile(
      buildkitd.buildctl,
      ['--addr', addr, ...tls, ...args],
      { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`buildctl ${args.join(' ')}: ${stderr || error.message}`));
        else resolve(`${stdout}${stderr}`);
      },
    );
  });
}

/** buildctl's arguments for a build of the Dockerfile in `dir`, `dir` its context (the dockerfile.v0 frontend); more may follow. */
export function dockerfileBuild(dir: string): string[] {
  return ['build', '--frontend', 'dockerfile.v0', '--local', `context=${dir}`, '--local', `dockerfile=${dir}`];
}

/**
 * The base image in the open registry, for FROM lines BuildKit pulls. The engine's tag for the
 * push is removed after it: other tests read the base image's tags.
 */
export async function registryBase(docker: Docker): Promise<string> {
  const name = `${engine.registry}/dockwire-test/busybox:latest`;
  await docker.images
    .get(engine.baseImage)
    .then((image) => image.tag(`${engine.registry}/dockwire-test/busybox`, 'latest'));
  try {
    await docker.images.push(`${engine.registry}/dockwire-test/busybox`, { tag: 'latest' });
  } finally {
    await docker.images.remove(name);
  }
  return name;
}

/**
 * The base image as a BuildKit build on the engine should name it: in the open loopback registry,
 * pushed in the enclosing suite's beforeAll (`name` is set then). BuildKit on the containerd image
 * store resolves a short name such as dockwire-test/busybox remotely before it uses the local
 * image: Docker 29.7 looked up registry-1.docker.io for it. Podman builds with buildah, which
 * finds its local image by name.
 */
export function buildKitBase(): { name: string } {
  const base = { name: engine.baseImage };
  if (!podman) {
    beforeAll(async () => {
      const docker = new Docker({ host: engine.host });
      try {
        base.name = await registryBase(docker);
      } finally {
        await docker.close();
      }
    }, 120_000);
  }
  return base;
}
