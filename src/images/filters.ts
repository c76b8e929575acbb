// The engine's `filters` query parameter: JSON of map[string][]string. docker-py accepts a bool,
// a string or a list per key; so do we (a bool becomes "true"/"false", as the engine expects).
/** FilterValue: one filter's value(s); a boolean is sent as "true"/"false". */
export type FilterValue = string | number | boolean | ReadonlyArray<string | number | boolean>;
/** Filters: the engine's `filters` parameter, by name (`dangling`, `label`, `reference`, `until`, …). */
export type Filters = Record<string, FilterValue | undefined>;

export function encodeFilters(filters: Filters | undefined): Record<string, string[]> | undefined {
  if (!filters) return undefined;
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    out[key] = values.map((v) => String(v));
  }
  return Object.keys(out).length ? out : undefined;
}
