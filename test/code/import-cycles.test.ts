/**
 * No module of src/ imports itself back through others, type imports
 * included: a cycle means two rooms each own part of one meaning (types
 * both need belong in a module that depends on neither). Lazy `import()`
 * calls are left out on purpose: they load a source module only when it is
 * used and are how open.ts keeps HTTP code out of archive reads.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../helpers/source-files.js';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** The relative modules a file names in static `import … from` and `export … from` declarations. */
function staticImports(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false);
  const found: string[] = [];
  for (const statement of source.statements) {
    const specifier =
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
      statement.moduleSpecifier &&
      ts.isStringLiteral(statement.moduleSpecifier)
        ? statement.moduleSpecifier.text
        : undefined;
    if (specifier?.startsWith('.')) found.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
  }
  return found;
}

/** Strongly connected components of more than one module (Tarjan), each as relative paths. */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(relative(SRC, member));
    } while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) connect(node);
  return found;
}

describe('import cycles', () => {
  it('finds a cycle, type imports included, and ignores lazy import()', () => {
    const graph = new Map<string, string[]>();
    const files: Record<string, string> = {
      '/src/a.ts': "import type { B } from './b.js';\nexport const a = 1;",
      '/src/b.ts': "export type { A } from './a.js';\nexport interface B {}",
      '/src/c.ts': "export const c = () => import('./d.js');",
      '/src/d.ts': "import { c } from './c.js';",
    };
    for (const [file, text] of Object.entries(files)) graph.set(file, staticImports(file, text));
    expect(cycles(graph).map((cycle) => cycle.length)).toEqual([2]);
  });

  it('src/ has none', () => {
    const graph = new Map<string, string[]>();
    for (const file of sourceFiles(SRC)) graph.set(file, staticImports(file, readFileSync(file, 'utf8')));
    expect(cycles(graph)).toEqual([]);
  });
});
