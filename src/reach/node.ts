/**
 * Node's own resolver on an app's `require`/`import` graph: the image's node
 * walks the entry file's static specifiers and resolves each with
 * `require.resolve` from the importing file (node_modules lookup, package.json
 * "main"/"exports", extensions), in a container of the original image.
 * Specifiers computed at run time are invisible to it; the traced run and
 * whole-package keeping (minimal.ts) cover those.
 */
import { posix } from 'node:path';
import type { Engine } from '../engine/engine.js';
import { runInterpreter } from './interpreter-run.js';

const NODE = /^(node|nodejs)$/;
/** Options of node that take a value, so the value is not read as the entry file. */
const WITH_VALUE = new Set([
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
  '--env-file',
]);

/** `node [options] server.js` in a command line → the entry file as written. */
export function nodeEntryOf(words: readonly string[]): { interpreter: string; entry: string } | undefined {
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!NODE.test(posix.basename(word))) continue;
    for (let j = i + 1; j < words.length; j++) {
      const arg = words[j]!;
      if (arg === '-e' || arg === '--eval' || arg === '-p' || arg === '--print') return undefined;
      if (WITH_VALUE.has(arg)) {
        j++;
        continue;
      }
      if (arg.startsWith('-')) continue;
      return { interpreter: word, entry: arg };
    }
    return undefined;
  }
  return undefined;
}

const RESOLVER_SCRIPT = `
const fs = require('fs'), path = require('path'), { createRequire, builtinModules } = require('module');
const builtin = new Set(builtinModules);
const specifier = /(?:\\brequire\\s*\\(\\s*|\\bimport\\s*\\(\\s*|\\bfrom\\s*|\\bimport\\s+)(['"])([^'"\\n]+)\\1/g;
const seen = new Set(), files = [], unresolved = [];
const queue = [path.resolve(process.argv[1])];
const add = (file) => { if (!seen.has(file)) { seen.add(file); files.push(file); return true; } return false; };
while (queue.length > 0) {
  const file = queue.shift();
  if (!add(file)) continue;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) { add(manifest); break; }
    if (dir === path.dirname(dir)) break;
  }
  if (!/\\.(c|m)?js$/.test(file) && path.extname(file) !== '') continue;
  let source;
  try { source = fs.readFileSync(file, 'utf8'); } catch { continue; }
  const require = createRequire(file);
  for (const match of source.matchAll(specifier)) {
    const name = match[2];
    if (name.startsWith('node:') || builtin.has(name)) continue;
    try { queue.push(require.resolve(name)); } catch { unresolved.push(name + ' from ' + file); }
  }
}
console.log('PARE-NODE ' + JSON.stringify({ files, unresolved }));
`;

export interface NodeGraph {
  files: string[];
  unresolved: string[];
}

export async function resolveNodeGraph(
  engine: Engine,
  image: string,
  interpreter: string,
  entry: string,
  options: { workdir?: string; signal?: AbortSignal } = {},
): Promise<{ result?: NodeGraph; error?: string }> {
  const answer = await runInterpreter<NodeGraph>(engine, {
    image,
    interpreter,
    args: ['-e', RESOLVER_SCRIPT, entry],
    marker: 'PARE-NODE',
    timeoutMs: 120_000,
    ...options,
  });
  return answer.failure === undefined
    ? { result: answer.value }
    : { error: `resolving ${entry} with node failed: ${answer.failure}` };
}
