// Bundles the command line into one file, dist/cli/pare.js, which bin/pare.js
// runs. Node 20 resolves, reads and compiles every ES module on its own: for
// `pare lint FILE` that was some 150 modules (commander, dockerfile-ast and its
// language-server types, every rule) and most of its time before any linting.
// The library entry (dist/index.js) stays the compiler's separate modules.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const outdir = join(root, 'dist', 'cli');
// Chunks of an earlier build have other names; none may stay behind to be packed.
for (const name of readdirSync(outdir)) if (/^pare(-[A-Z0-9]+)?\.js$/.test(name)) rmSync(join(outdir, name));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** dist/version.js reads ../package.json at run time, a path that does not hold from dist/cli/. */
const versionAtBuild = {
  name: 'version-at-build',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]dist[\\/]version\.js$/ }, () => ({
      contents: `export const VERSION = ${JSON.stringify(version)};`,
      loader: 'js',
    }));
  },
};

/**
 * commander requires node:child_process at load, for subcommands that are
 * separate executables, which pare has none of. Loading child_process (and the
 * net, dgram and stream modules it pulls in) was ~5 ms of every start: commander
 * gets an object that loads the real module on first use instead.
 */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(builder) {
    builder.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: 'lazy-child-process', namespace: 'lazy-child-process' }
        : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents:
        "module.exports = { spawn: (...args) => process.getBuiltinModule('node:child_process').spawn(...args) };",
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: [join(root, 'dist', 'cli', 'main.js')],
  // In dist/cli/, as main.js is: paths relative to a module (../grammars/, ../../docs/) still hold.
  outdir,
  entryNames: 'pare',
  // Each command's code in chunks of its own, loaded when that command runs (commands.ts imports them so).
  splitting: true,
  chunkNames: 'pare-[hash]',
  bundle: true,
  // Less text to read and compile at each start; names stay, so --debug stacks still read.
  minifyWhitespace: true,
  minifySyntax: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies (commander, dockerfile-ast) require Node's built-in modules.
  banner: {
    js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);",
  },
  // Loaded only when a YAML config file exists: it stays a package of its own, imported then. zod
  // (a config file of any kind) is bundled into a chunk of its own, also imported then: as a
  // package it was ~95 modules (every locale) for Node to resolve and compile, ~7% of a `pare lint`.
  external: ['yaml'],
  plugins: [versionAtBuild, lazyChildProcessForCommander],
  logLevel: 'warning',
});
