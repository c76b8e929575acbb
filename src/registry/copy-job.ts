// The work of registry.copy's ProgressJob: the image (copy.ts over copy-ends.ts), then, with
// `referrers`, everything that refers to what was copied (copy-referrers.ts), kept in the
// destination's referrers API or its fallback tag.
import { InvalidArgument } from '../errors.js';
import type { Descriptor } from '../oci.js';
import type { CopyOptions } from './copy.js';
import { checkOptions } from '../options.js';
import type { ProgressEvent } from '../progress/events.js';
import type { ProgressState } from '../progress/job.js';
import type { JobScope } from '../job.js';
import { endDeadline, withDeadline } from './call-deadline.js';
import { copyEnds, repositoryCopySource } from './copy-ends.js';
import { formatReference, manifestReference, parseRegistryReference, type RegistryReference } from './name.js';
import { COPY_OPTIONS, callOptions, type RegistryCallOptions, type RegistryCopyOptions } from './options.js';
import { addToFallbackIndex } from './referrers.js';
import type { Registry } from './registry.js';
import type { Repository } from './repository.js';

/** What the Jobs of copy, save and load share: the call (its deadline started: end it with endDeadline), each event counted into the Job's totals, copyImage's options. */
export interface CopyJobStart {
  call: RegistryCallOptions;
  emit: (event: ProgressEvent) => unknown;
  copyOptions: CopyOptions;
}

/** The start of `where`'s Job: its options checked against `names` (platforms a list), its call, its events. */
export function startCopyJob(
  where: string,
  options: RegistryCopyOptions & { platforms?: unknown },
  names: readonly string[],
  scope: JobScope<ProgressEvent>,
  state: ProgressState,
): CopyJobStart {
  state.tries = 1;
  checkOptions(where, options, names);
  if (options.platforms !== undefined && !Array.isArray(options.platforms))
    throw new InvalidArgument(`${where}: platforms must be a list`);
  const deadline = options.deadline !== undefined ? { deadline: options.deadline } : {};
  const call = withDeadline<RegistryCallOptions>({ ...callOptions(options), signal: scope.signal, ...deadline }, where);
  return {
    call,
    emit: (event) => {
      state.totals.update(event);
      return scope.emit(event);
    },
    copyOptions: {
      ...(options.platforms ? { platforms: options.platforms } : {}),
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    },
  };
}

/** runCopy: what the Job of `registry.copy(src, dst, options)` does, each end reached through `repositoryOf`. */
export async function runCopy(
  registry: Registry,
  repositoryOf: (reference: RegistryReference) => Repository,
  src: string,
  dst: string,
  options: RegistryCopyOptions,
  scope: JobScope<ProgressEvent>,
  state: ProgressState,
): Promise<Descriptor> {
  const { call, emit, copyOptions } = startCopyJob('registry.copy', options, COPY_OPTIONS, scope, state);
  try {
    const from = parseRegistryReference(src, 'src');
    const to = parseRegistryReference(dst, 'dst');
    const source = repositoryCopySource(repositoryOf(from), manifestReference(from), call);
    const ends = copyEnds(source, repositoryOf(to), manifestReference(to), call);
    // the copy's machinery (and the referrers') is loaded by the first copy
    const { copyImage } = await import('./copy.js');
    const copied = await copyImage(ends, copyOptions, emit);
    if (options.referrers) {
      const nameOf = (r: typeof from): string =>
        formatReference({ registry: r.registry, host: r.host, repository: r.repository });
      const [source, destination] = [nameOf(from), nameOf(to)];
      const { copyReferrers, referredSubjects, repositorySink, repositorySource } = await import('./copy-referrers.js');
      const { manifest, descriptor } = await registry.manifest(`${destination}@${copied.digest}`, call);
      const subjects = referredSubjects(descriptor, manifest, options.platforms !== undefined);
      const addFallback = (subject: string, entries: readonly Descriptor[]) =>
        addToFallbackIndex(repositoryOf(to), subject, entries, call, dst);
      const sink = repositorySink(registry, source, destination, call, emit, addFallback);
      await copyReferrers(repositorySource(registry, source, call), subjects, sink, options.concurrency);
    }
    return copied;
  } finally {
    endDeadline(call);
  }
}
