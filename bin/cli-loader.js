// Loads the command line the build bundles (dist/cli/pare.cjs, one CommonJS
// file: scripts/bundle-cli.mjs) with V8's code cache for it, which the build
// writes beside it. Node 20 compiles every module again at every start and
// has no compile cache of its own (module.enableCompileCache came in Node 22);
// for a one-file `pare lint` that compiling was a fifth of the run. A cache
// V8 rejects (another Node version than the one that built pare) or a missing
// one costs nothing but the saving: the source is compiled as usual.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

// The shell grammar is WebAssembly. V8 compiles hot WASM functions again in the
// background and waits for those jobs when the process exits: ~0.5 s after every
// `pare lint`, longer than linting a file takes. Baseline code is fast enough.
// Set before anything is compiled: V8 accepts a code cache only under the flags
// it was made with, so the build, which imports this module too, makes it so.
setFlagsFromString('--liftoff-only');

export const CLI_BUNDLE = fileURLToPath(new URL('../dist/cli/pare.cjs', import.meta.url));
export const CLI_CODE_CACHE = `${CLI_BUNDLE}.v8-cache`;

/**
 * The bundle is CommonJS code written inside the function Node wraps a
 * CommonJS module in, so that the file itself is the script compiled: V8
 * keeps a compiled script's source for as long as its functions live, and
 * the wrapper added at run time made a second copy of 1.4 MB.
 */
export const CLI_WRAPPER = ["(function (exports, require, module, __filename, __dirname) {'use strict';", '\n})'];

/** The bundle compiled, with `cachedData` when given. */
export function compileCli(cachedData) {
  // The build checks that the bundle is ASCII, so one byte per character reads it exactly.
  const source = readFileSync(CLI_BUNDLE, 'latin1');
  return new Script(source, { filename: CLI_BUNDLE, ...(cachedData ? { cachedData } : {}) });
}

/** Runs the compiled bundle's top level and returns its exports (`main`). */
export function runCompiledCli(script) {
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(CLI_BUNDLE), module, CLI_BUNDLE, dirname(CLI_BUNDLE));
  return module.exports;
}

/**
 * The command line's exports, and whether V8 took the code cache (undefined
 * when there was none to offer).
 */
export function loadCli() {
  let cachedData;
  try {
    cachedData = readFileSync(CLI_CODE_CACHE);
  } catch {
    // No cache (a build without one, or removed): compile from source.
  }
  const script = compileCli(cachedData);
  const cacheAccepted = cachedData === undefined ? undefined : !script.cachedDataRejected;
  return { cli: runCompiledCli(script), cacheAccepted };
}
