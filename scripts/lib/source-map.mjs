// Joins source maps (v3) of files placed one after another into one map, for a file made of them.
// Node 20 reads only plain maps (not "sections" index maps), so the mappings are decoded and
// written again with the source and name indices moved up.
const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE = new Map([...DIGITS].map((c, i) => [c, i]));

/** A mappings string as lines of segments, each [column, source, line, column, name?], absolute. */
function decode(mappings) {
  const state = [0, 0, 0, 0, 0];
  return mappings.split(';').map((line) => {
    state[0] = 0;
    if (line === '') return [];
    return line.split(',').map((segment) => {
      const fields = [];
      let value = 0;
      let shift = 0;
      for (const c of segment) {
        const digit = VALUE.get(c);
        if (digit === undefined) throw new Error(`source map: bad mapping character ${c}`);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      return fields.map((delta, i) => (state[i] += delta));
    });
  });
}

function vlq(n) {
  let value = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = '';
  do {
    let digit = value & 31;
    value >>>= 5;
    if (value > 0) digit |= 32;
    out += DIGITS[digit];
  } while (value > 0);
  return out;
}

function encode(lines) {
  const state = [0, 0, 0, 0, 0];
  return lines
    .map((segments) => {
      state[0] = 0;
      return segments.map((fields) => fields.map((v, i) => { const d = v - state[i]; state[i] = v; return vlq(d); }).join('')).join(',');
    })
    .join(';');
}

/**
 * One map for a file of `parts`: each part's map and the 0-based line of the joined file where
 * that part's first line sits (parts in order, not overlapping), and optionally `shifts`, how
 * many characters were taken off the start of each of the part's lines (its indentation).
 */
export function joinSourceMaps(file, parts) {
  const sources = [];
  const names = [];
  const lines = [];
  for (const { line, map, shifts = [] } of parts) {
    while (lines.length < line) lines.push([]);
    const sourceBase = sources.length;
    const nameBase = names.length;
    sources.push(...map.sources);
    names.push(...(map.names ?? []));
    for (const [i, segments] of decode(map.mappings).entries()) {
      const shift = shifts[i] ?? 0;
      lines.push(
        segments.map(([generated, source, l, c, name]) => {
          const column = Math.max(0, generated - shift);
          return source === undefined ? [column] : name === undefined ? [column, source + sourceBase, l, c] : [column, source + sourceBase, l, c, name + nameBase];
        }),
      );
    }
  }
  return { version: 3, file, sources, names, mappings: encode(lines) };
}
