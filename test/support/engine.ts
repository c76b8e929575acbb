// What the integration tests know of the engine and registries the global setup started.
import { Docker, type DockerOptions } from '../../src/api.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the integration tests through vitest (global setup)`);
  return value;
}

export const engine = {
  get host(): string {
    return required('DOCKER_HOST');
  },
  get pid(): number | undefined {
    const pid = process.env['DOCKWIRE_ENGINE_PID'];
    return pid ? Number(pid) : undefined;
  },
  get registry(): string {
    return required('DOCKWIRE_REGISTRY');
  },
  get authRegistry(): string {
    return required('DOCKWIRE_AUTH_REGISTRY');
  },
  get authUser(): string {
    return required('DOCKWIRE_AUTH_USER');
  },
  get authPassword(): string {
    return required('DOCKWIRE_AUTH_PASSWORD');
  },
  get baseImage(): string {
    return required('DOCKWIRE_BASE_IMAGE');
  },
};

export function client(options: DockerOptions = {}): Docker {
  return new Docker({ host: engine.host, ...options });
}

/** A name no other test uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * True when the tests run against Podman's Docker-compatible API (DOCKWIRE_ENGINE=podman): only
 * for what Podman alone answers differently (its status codes, its builder's lines, its naming of
 * local images), each use saying why. What an engine speaks or has (API version, image store,
 * BuildKit sessions) is asked of the engine itself: capabilities.ts.
 */
export const podman = process.env['DOCKWIRE_ENGINE'] === 'podman';

/**
 * The repository namespace of the tests' local images. Podman stores a bare name it is given
 * as docker.io/NAME (on tag) or localhost/NAME (on import and load) and answers with that, so
 * under Podman the tests use fully qualified localhost/ names, which both engines keep as given.
 */
export const ns = podman ? 'localhost/dockwire-test' : 'dockwire-test';

/**
 * An image ID as the engine writes it in history, remove and prune answers: Podman leaves out
 * the `sha256:` that Docker (and every inspect answer) has.
 */
export function answeredId(id: string): string {
  return podman ? id.replace(/^sha256:/, '') : id;
}
