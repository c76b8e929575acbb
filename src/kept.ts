// Answers read once and kept: a promise per key, made by the first caller that asks for it and
// handed to every later one; one that rejects is forgotten, so that the next caller tries again
// (a file fixed meanwhile is read, not its old failure).

/** Kept: promises kept by key; a rejected one forgotten. */
export class Kept<T = unknown> {
  readonly #kept = new Map<string, Promise<T>>();

  /** The promise kept for `key`, or the one `make` gives, kept from now on unless it rejects. */
  once<V extends T>(key: string, make: () => Promise<V>): Promise<V> {
    let kept = this.#kept.get(key) as Promise<V> | undefined;
    if (kept === undefined) {
      const made = make();
      this.#kept.set(key, made);
      made.catch(() => {
        if (this.#kept.get(key) === made) this.#kept.delete(key);
      });
      kept = made;
    }
    return kept;
  }

  /** Every promise kept so far, none of them kept any longer (for letting go of what they hold). */
  takeAll(): Promise<T>[] {
    const all = [...this.#kept.values()];
    this.#kept.clear();
    return all;
  }
}
