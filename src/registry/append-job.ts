// registry.append's and registry.mutate's Jobs. The append machinery (append.ts, the append/ unit,
// the archive writers) is loaded when such a Job first runs, so a program that never appends does
// not evaluate it.
import { ProgressJob } from '../progress/job.js';
import type { AppendLayer, AppendResult } from '../append/types.js';
import type { AppendOptions, MutateOptions } from './append.js';
import type { Registry } from './registry.js';

function job(
  registry: Registry,
  base: string,
  options: AppendOptions | MutateOptions,
  where: 'append' | 'mutate',
  layers: AppendLayer[] | undefined,
): ProgressJob<AppendResult> {
  return new ProgressJob<AppendResult>(async (scope, state) => {
    const { runAppend } = await import('./append.js');
    return runAppend(registry, base, options, where, layers, scope, state);
  }, options?.signal);
}

/** The Job of `registry.append(base, options)`. */
export function appendImage(registry: Registry, base: string, options: AppendOptions): ProgressJob<AppendResult> {
  return job(registry, base, options, 'append', options?.layers);
}

/** The Job of `registry.mutate(ref, options)`: the config changed, the layers untouched. */
export function mutateImage(registry: Registry, ref: string, options: MutateOptions = {}): ProgressJob<AppendResult> {
  return job(registry, ref, options, 'mutate', undefined);
}
