// The Link field (RFC 8288) as registries page tag lists and referrers with it:
// `</v2/name/tags/list?last=x&n=100>; rel="next"`. Pure.

/** The target of the first link whose `rel` includes `next`, as written (often relative), or undefined. */
export function nextLink(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const LINK = /<([^>]*)>((?:\s*;\s*[^;,]*)*)/g;
  for (let m = LINK.exec(header); m; m = LINK.exec(header)) {
    for (const param of m[2]!.split(';')) {
      const eq = param.indexOf('=');
      if (eq === -1) continue;
      if (param.slice(0, eq).trim().toLowerCase() !== 'rel') continue;
      const rels = param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase()
        .split(/\s+/);
      if (rels.includes('next')) return m[1]!;
    }
  }
  return undefined;
}
