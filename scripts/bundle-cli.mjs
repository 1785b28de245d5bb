// Bundles the command line into one CommonJS file, dist/cli/pare.cjs, and
// writes V8's code cache for it beside it; bin/pare.js loads both through
// bin/cli-loader.js. Node 20 resolves, reads and compiles every ES module on
// its own, and compiles again at every start: for `pare lint FILE` that was
// some 150 modules (commander, dockerfile-ast and its language-server types,
// every rule), then, bundled into ES module chunks, still a fifth of the run.
// One script can be compiled with a code cache, which Node 20 offers for
// scripts only. The library entry (dist/index.js) stays the compiler's
// separate modules.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { CLI_BUNDLE, CLI_WRAPPER } from '../bin/cli-loader.js';

const root = join(import.meta.dirname, '..');
const outdir = join(root, 'dist', 'cli');
// Earlier builds' outputs (ES module chunks, an older bundle or cache): none may stay behind to be packed.
for (const name of readdirSync(outdir))
  if (/^(pare(-[A-Z0-9]+)?\.js|pare\.cjs(\.v8-cache)?|zod\.cjs)$/.test(name)) rmSync(join(outdir, name));
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

/**
 * zod (~0.6 MB bundled, every locale) validates config files, and image JSON
 * only to word an error: a file of its own beside the bundle, required when
 * first needed, so a plain `pare lint` neither reads nor compiles it.
 */
const zodApart = {
  name: 'zod-apart',
  setup(builder) {
    builder.onResolve({ filter: /^zod$/ }, () => ({ path: './zod.cjs', external: true }));
  },
};

/**
 * web-tree-sitter loads Node's `module` with `await import("module")` and then
 * declares `var require` in the same function. Bundled as CommonJS, that import
 * becomes `require("module")`, which would call the variable hoisted over it.
 * Node's own getter reads the built-in without the name.
 */
const webTreeSitterBuiltin = {
  name: 'web-tree-sitter-builtin',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]web-tree-sitter[\\/]web-tree-sitter\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const patched = source.replaceAll('import("module")', 'process.getBuiltinModule("module")');
      if (patched === source) throw new Error(`${args.path}: import("module") not found; see bundle-cli.mjs`);
      return { contents: patched, loader: 'js' };
    });
  },
};

const common = {
  bundle: true,
  // Less text to read and compile at each start; names stay, so --debug stacks still read.
  minifyWhitespace: true,
  minifySyntax: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // cli-loader.js reads the bundle as one byte per character.
  charset: 'ascii',
  logLevel: 'warning',
};

await build({ ...common, entryPoints: ['zod'], outfile: join(outdir, 'zod.cjs') });
const bundled = await build({
  ...common,
  entryPoints: [join(root, 'dist', 'cli', 'main.js')],
  // In dist/cli/, as main.js is: paths relative to a module (../grammars/, ../../docs/) still hold.
  outfile: CLI_BUNDLE,
  write: false,
  define: { 'import.meta.url': '__pareModuleUrl' },
  banner: { js: "const __pareModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // A compiled script has no way to import an ES module here: every import() becomes require().
  supported: { 'dynamic-import': false },
  // Loaded only when a YAML config file exists: it stays a package of its own, required then.
  external: ['yaml'],
  plugins: [versionAtBuild, lazyChildProcessForCommander, zodApart, webTreeSitterBuiltin],
});

const text = bundled.outputFiles[0].contents;
if (text.some((byte) => byte > 0x7f)) throw new Error(`${CLI_BUNDLE} is not ASCII; cli-loader.js reads it as such`);
writeFileSync(CLI_BUNDLE, Buffer.concat([Buffer.from(CLI_WRAPPER[0]), text, Buffer.from(CLI_WRAPPER[1])]));

// The code cache is written by a process that has run a one-file `pare lint` (write-code-cache.mjs):
// it then holds the functions that run compiled, not only the top level, which the one-file
// lint (a pre-commit hook's or an editor's) most needs.
const warm = spawnSync(process.execPath, [join(import.meta.dirname, 'write-code-cache.mjs')], {
  cwd: tmpdir(),
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, NO_COLOR: '1' },
});
if (warm.status !== 0) throw new Error(`write-code-cache.mjs exited ${warm.status ?? warm.signal}`);
