// What the integration tests know of the engine and registries the global setup started.
import { Docker, type DockerOptions } from '../../src/index.js';

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
