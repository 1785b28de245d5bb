#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// The shell grammar is WebAssembly. V8 compiles hot WASM functions again in the
// background and waits for those jobs when the process exits: ~0.5 s after every
// `pare lint`, longer than linting a file takes. Baseline code is fast enough.
setFlagsFromString('--liftoff-only');

// The command line bundled into a few files (scripts/bundle-cli.mjs): loading it is a fraction of loading dist/'s modules one by one.
const { main } = await import('../dist/cli/pare.js');
process.exitCode = await main(process.argv.slice(2));
