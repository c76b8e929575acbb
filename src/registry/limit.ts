// A bound on how many of a call's requests run at once (a copy's blobs, its referrers): tasks
// start in the order given, at most `concurrency` at a time; once one has failed, those not yet
// started are not, and the caller hears of the failure only when every started one has ended, so
// nothing of the call is left running behind its rejection.

/** Limited: runs the tasks given to it, at most `concurrency` at once. */
export type Limited = <T>(task: () => Promise<T>) => Promise<T>;

/** A Limited of `concurrency` (a positive whole number, checked by the caller). */
export function limited(concurrency: number): Limited {
  let running = 0;
  let failure: { error: unknown } | undefined;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      if (failure) throw failure.error;
      return await task();
    } catch (error) {
      failure ??= { error };
      throw error;
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** Every task's result once all have ended; the first failure (in the order given) is thrown then. */
export async function allEnded<T>(tasks: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
