// Every name the package exports (dockwire, and dockwire/api, which adds to it) has a doc comment
// that starts with the name it documents, as docs/api.md asks. Read from the sources with the
// TypeScript compiler: no build needed.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

/** Each exported name of `entry` whose declaration has no doc comment, or one that starts otherwise. */
function undocumented(program: ts.Program, entry: string): string[] {
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  const found: string[] = [];
  for (const exported of checker.getExportsOfModule(module)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const name = exported.getName();
    const text = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
    if (text === '') found.push(`${name}: no doc comment`);
    else if (!new RegExp(`^\`?${name}\\b`).test(text))
      found.push(`${name}: "${text.slice(0, 60)}" does not start with its name`);
  }
  return found;
}

describe('the public API', () => {
  it('every exported name has a doc comment that starts with its name', { timeout: 120_000 }, () => {
    const entries = [join(src, 'index.ts'), join(src, 'api.ts')];
    const config = ts.readConfigFile(join(src, '..', 'tsconfig.json'), ts.sys.readFile).config as {
      compilerOptions: object;
    };
    const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, src);
    const program = ts.createProgram(entries, { ...options, noEmit: true });
    const found = [...new Set(entries.flatMap((entry) => undocumented(program, entry)))];
    expect(found).toEqual([]);
  });
});
