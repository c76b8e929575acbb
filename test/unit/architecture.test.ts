// The import graph of src/ against the table in docs/architecture.md: each module may import only
// its own unit, the units its row lists, and the Node built-ins its row lists.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const src = join(root, 'src');

interface Row {
  imports: Set<string>;
  builtins: Set<string>;
}

/** The table's rows: unit → what it may import. `everything above`: every unit in an earlier row. */
export function readRules(markdown: string): Map<string, Row> {
  const rules = new Map<string, Row>();
  for (const line of markdown.split('\n')) {
    const cells = /^\| `([^`]+)` \|[^|]*\|([^|]*)\|([^|]*)\|$/.exec(line);
    if (!cells) continue;
    const unit = cells[1]!.replace(/\/$/, '').replace(/\.ts$/, '');
    const list = (cell: string): string[] =>
      cell
        .split(',')
        .map((s) => s.trim().replace(/`/g, ''))
        .filter((s) => s !== '' && s !== '—');
    const imports = list(cells[2]!).includes('everything above') ? [...rules.keys()] : list(cells[2]!);
    rules.set(unit, { imports: new Set(imports), builtins: new Set(list(cells[3]!)) });
  }
  return rules;
}

/** The unit a file under src/ belongs to: its folder, or its own name for a top-level file. */
function unitOf(file: string): string {
  const rel = relative(src, file).split('/');
  return rel.length > 1 ? rel[0]! : rel[0]!.replace(/\.[jt]s$/, '');
}

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/**
 * Every import of `text` (static, dynamic, re-export, getBuiltinModule), as written; type-only
 * imports are left out (they are gone from the published files).
 */
function importsOf(text: string): string[] {
  const found: string[] = [];
  text = text.replace(/^(?:import|export) type [^;]*;/gm, '');
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+|getBuiltinModule\(\s*)'([^']+)'/gm))
    found.push(m[1]!);
  return found;
}

/** What breaks the rules in the module `file` (a path under src/) whose text is `text`. */
export function violations(rules: Map<string, Row>, file: string, text: string): string[] {
  const unit = unitOf(file);
  const rule = rules.get(unit);
  if (!rule) return [`${relative(src, file)}: unit ${unit} has no row in docs/architecture.md`];
  const out: string[] = [];
  for (const spec of importsOf(text)) {
    if (spec.startsWith('node:')) {
      if (!rule.builtins.has(spec)) out.push(`${relative(src, file)}: ${unit} may not import ${spec}`);
      continue;
    }
    if (!spec.startsWith('.')) {
      out.push(`${relative(src, file)}: imports the package ${spec} (dockwire has no dependencies)`);
      continue;
    }
    const target = normalize(join(dirname(file), spec));
    const other = unitOf(target);
    if (other !== unit && !rule.imports.has(other))
      out.push(`${relative(src, file)}: ${unit} may not import ${other} (${spec})`);
  }
  return out;
}

const rules = readRules(readFileSync(join(root, 'docs', 'architecture.md'), 'utf8'));

describe('the import graph', () => {
  it('docs/architecture.md has a row for every unit under src/', () => {
    expect(rules.size).toBeGreaterThan(15);
    const units = new Set([...sources(src)].map(unitOf));
    expect([...units].filter((u) => !rules.has(u))).toEqual([]);
  });

  it('every module imports only what its unit may', () => {
    const found = [...sources(src)].flatMap((file) => violations(rules, file, readFileSync(file, 'utf8')));
    expect(found).toEqual([]);
  });

  it('a forbidden import is found: a codec reaching for a socket, or a lower unit for a higher one', () => {
    expect(violations(rules, join(src, 'http', 'x.ts'), "import { connect } from 'node:net';")).toEqual([
      'http/x.ts: http may not import node:net',
    ]);
    expect(violations(rules, join(src, 'tar', 'x.ts'), "import { Docker } from '../client.js';")).toEqual([
      'tar/x.ts: tar may not import client (../client.js)',
    ]);
    expect(violations(rules, join(src, 'images', 'x.ts'), "const m = await import('../models/image.js');")).toEqual([
      'images/x.ts: images may not import models (../models/image.js)',
    ]);
    expect(violations(rules, join(src, 'cli', 'x.ts'), "import { pack } from '../tar/packer.js';")).toEqual([
      'cli/x.ts: cli may not import tar (../tar/packer.js)',
    ]);
    expect(violations(rules, join(src, 'stream', 'x.ts'), "import x from 'left-pad';")).toEqual([
      'stream/x.ts: imports the package left-pad (dockwire has no dependencies)',
    ]);
  });
});
