// The registry client's fixed bounds and the defaults of its list bounds, apart from the modules
// that apply them so that the entry points can export them without loading those.

/** MAX_MANIFEST_SIZE: manifests bigger than this are refused, as registries refuse to store them (distribution's limit). */
export const MAX_MANIFEST_SIZE = 4 * 1024 * 1024;
/** DEFAULT_MAX_PAGES: the most pages of one list (tags, referrers) read unless a call says otherwise (ListBounds.maxPages). */
export const DEFAULT_MAX_PAGES = 1000;
/** MAX_RETRY_AFTER: the longest Retry-After waited out (ms); a 429 asking for longer (or a date past it) fails at once with its RegistryError. */
export const MAX_RETRY_AFTER = 120_000;
export { DEFAULT_MAX_ENTRIES } from '../referrers.js';
