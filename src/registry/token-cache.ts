// Bearer tokens, kept per registry, scope and credentials until shortly before they expire
// (`expires_in`, 60 s when the token server leaves it out, as Docker's token spec says), and
// fetched once for every caller that wants the same one at the same time.

/** Seconds before its end a token is no longer handed out (a request made with it must still arrive in time). */
const MARGIN = 5;
/** Docker's token spec: a token without expires_in lasts 60 s. */
export const DEFAULT_EXPIRES_IN = 60;

interface Entry {
  token: string;
  /** ms since the epoch */
  until: number;
}

export class TokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #flights = new Map<string, Promise<string>>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The token for `key` while it is valid. */
  get(key: string): string | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (this.#now() < entry.until) return entry.token;
    this.#entries.delete(key);
    return undefined;
  }

  /** Keeps `token` for `expiresIn` seconds (less the margin; a token that short-lived is not kept). */
  set(key: string, token: string, expiresIn: number | undefined): void {
    const seconds =
      typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : DEFAULT_EXPIRES_IN;
    const keep = Math.max(0, seconds - Math.min(MARGIN, seconds / 2));
    if (keep === 0) return;
    this.#entries.set(key, { token, until: this.#now() + keep * 1000 });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  /**
   * The valid token for `key`, or the one `fetch` gets (and whose lifetime it says), fetched once
   * however many callers ask while it is being fetched.
   */
  obtain(key: string, fetch: () => Promise<{ token: string; expiresIn?: number }>): Promise<string> {
    const cached = this.get(key);
    if (cached !== undefined) return Promise.resolve(cached);
    let flight = this.#flights.get(key);
    if (!flight) {
      flight = fetch().then(
        ({ token, expiresIn }) => {
          this.#flights.delete(key);
          this.set(key, token, expiresIn);
          return token;
        },
        (error: unknown) => {
          this.#flights.delete(key);
          throw error;
        },
      );
      this.#flights.set(key, flight);
    }
    return flight;
  }
}
