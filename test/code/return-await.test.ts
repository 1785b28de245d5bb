/**
 * `return promise` inside a try block of an async function leaves the try
 * before the promise settles: its finally runs at once and its catch never
 * sees the rejection. In probe.ts that removed a container while its logs
 * were being read (a flaky "dead or marked for removal" in CI). This check
 * walks src/ syntactically and names every such return; biome has no rule
 * for it.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from '../helpers/source-files.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** `file:line` of each un-awaited `return call()` that a try/catch or try/finally would not cover. */
function unawaitedReturnsInTry(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node, inTry: boolean, isAsync: boolean): void => {
    if (ts.isFunctionLike(node)) {
      isAsync = ts.canHaveModifiers(node)
        ? (ts.getModifiers(node)?.some((modifier) => modifier.kind === ts.SyntaxKind.AsyncKeyword) ?? false)
        : false;
      inTry = false;
    }
    if (ts.isTryStatement(node)) {
      visit(node.tryBlock, true, isAsync);
      if (node.catchClause) visit(node.catchClause, node.finallyBlock !== undefined || inTry, isAsync);
      if (node.finallyBlock) visit(node.finallyBlock, inTry, isAsync);
      return;
    }
    if (
      isAsync &&
      inTry &&
      ts.isReturnStatement(node) &&
      node.expression !== undefined &&
      ts.isCallExpression(node.expression)
    ) {
      found.push(`${fileName}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
    }
    ts.forEachChild(node, (child) => visit(child, inTry, isAsync));
  };
  visit(source, false, false);
  return found;
}

describe('return inside try in async functions', () => {
  it.each([
    [
      'a call returned from a try with finally',
      'async function f(){ try { return g(); } finally { h(); } }',
      1,
    ],
    [
      'a call returned from a catch with finally',
      'async function f(){ try {} catch { return g(); } finally {} }',
      1,
    ],
    ['a call returned from a try with catch', 'async function f(){ try { return g(); } catch {} }', 1],
    ['awaited', 'async function f(){ try { return await g(); } finally { h(); } }', 0],
    ['a value, not a call', 'async function f(){ try { return x; } finally { h(); } }', 0],
    ['not async', 'function f(){ try { return g(); } finally { h(); } }', 0],
    [
      'an inner non-async callback',
      'async function f(){ try { [1].map(() => { return g(); }); } finally {} }',
      0,
    ],
    ['an async arrow', 'const f = async () => { try { return g(); } finally {} }', 1],
    ['an async method', 'class A { async m(){ try { return g(); } finally {} } }', 1],
  ])('%s', (_name, code, expected) => {
    expect(unawaitedReturnsInTry('case.ts', code)).toHaveLength(expected);
  });

  it('src/ has none', () => {
    const found = sourceFiles(join(ROOT, 'src')).flatMap((file) =>
      unawaitedReturnsInTry(relative(ROOT, file), readFileSync(file, 'utf8')),
    );
    expect(found).toEqual([]);
  });
});
