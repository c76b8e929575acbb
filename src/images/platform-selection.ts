// save's and load's choice of platforms: one (`platform`, API 1.48) or several (`platforms`,
// API 1.52), both sent as the engine's `platform` query parameter (repeated for several).
import { InvalidArgument } from '../errors.js';
import { Repeated } from '../http/request.js';
import { platformJson } from '../platform.js';

export interface PlatformSelection {
  /** The `platform` query value; undefined for every platform. */
  query: string | Repeated | undefined;
  /** The API version the selection needs, and the option's name for the refusal; undefined when none was asked for. */
  needs: readonly [version: string, option: string] | undefined;
}

/**
 * platformSelection checks `platform` and `platforms` of the call `where` (`save`, `load`): not
 * both, `platforms` a non-empty array, each a platform with an os and an architecture.
 */
export function platformSelection(where: string, platform: unknown, platforms: unknown): PlatformSelection {
  if (platforms === undefined) {
    return platform === undefined
      ? { query: undefined, needs: undefined }
      : { query: platformJson(platform), needs: ['1.48', `${where}: platform`] };
  }
  if (platform !== undefined)
    throw new InvalidArgument(`${where}: platform and platforms cannot be given together (platforms takes one too)`);
  if (!Array.isArray(platforms) || platforms.length === 0)
    throw new InvalidArgument(`${where}: platforms must be a non-empty array of platforms`);
  return {
    query: new Repeated(platforms.map((p, i) => platformJson(p, `platforms[${i}]`))),
    needs: ['1.52', `${where}: platforms`],
  };
}
