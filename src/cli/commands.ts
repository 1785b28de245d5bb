/**
 * The command line as commander sees it: one registration per command, each
 * action importing its module on demand so `pare lint` never loads the image
 * code. Options are declared here so `pare help COMMAND` documents them; the
 * shared ones come from shared-options.ts and mean the same everywhere.
 */
import { Argument, Command, Option } from 'commander';
import { VERSION } from '../version.js';
import {
  collect,
  configOption,
  contextOption,
  formatOption,
  globalOptions,
  outputOption,
  platformOption,
  probeOptions,
  registryTimeoutOption,
  reportOption,
  targetOption,
} from './shared-options.js';

type SetExit = (code: number) => void;

/** Options of the command merged with the global ones (--quiet, --no-color…). */
const merged = (command: Command) => command.optsWithGlobals();

export function buildProgram(setExit: SetExit): Command {
  const program = new Command('pare')
    .description('Make container images small and prove they still work.')
    .version(VERSION, '-v, --version', 'Print the version')
    .helpOption('-h, --help', 'Show help')
    .helpCommand('help [command]', 'Show help for a command')
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError(true)
    // Errors come back to main() as exceptions, which prints them as one line.
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  for (const option of globalOptions()) program.addOption(option);

  program
    .command('lint')
    .description('Find what makes the image of a Dockerfile bigger than it needs to be')
    .argument('[paths...]', 'Dockerfiles, or directories holding one; - reads stdin (default: .)')
    .addOption(formatOption(['text', 'json', 'sarif']))
    .addOption(reportOption())
    .addOption(
      new Option(
        '--fail-on <severity>',
        'Exit 1 when a finding has at least this severity (default: lint.failOn of the config, else warning)',
      ).choices(['error', 'warning', 'info', 'none']),
    )
    .addOption(contextOption())
    .addOption(targetOption())
    .addOption(configOption())
    .option('--disable <rules>', 'Comma-separated rule ids to turn off')
    .addHelpText(
      'after',
      examples([
        'pare lint Dockerfile',
        'pare lint services/api --format sarif --report pare.sarif',
        'cat Dockerfile | pare lint -',
      ]),
    )
    .action(async (paths: string[], _options, command: Command) => {
      const { runLint } = await import('./lint.js');
      setExit(await runLint(paths, merged(command)));
    });

  program
    .command('fix')
    .description(
      'Apply the fixes lint knows for Dockerfiles; prints a unified diff unless --write, --output or --check',
    )
    .argument('[paths...]', 'Dockerfiles, or directories holding one; - reads stdin, alone (default: .)')
    .option('--write', 'Change each Dockerfile in place (atomically) and write the proposed .dockerignore')
    .option(
      '--check',
      'Exit 1 and print the diff when a Dockerfile or its .dockerignore would change; writes nothing (for CI and pre-commit)',
    )
    .addOption(
      outputOption('the fixed Dockerfile to FILE instead (- for stdout); one path only, never the input'),
    )
    .addOption(contextOption())
    .addOption(targetOption())
    .addOption(configOption())
    .option('--disable <rules>', 'Comma-separated rule ids whose fixes to skip')
    .option('--no-dockerignore', 'Do not propose or write .dockerignore')
    .option(
      '--multi-stage',
      'Also convert to a multi-stage build (unverified here; pare optimize builds and probes it)',
    )
    .addHelpText(
      'after',
      examples([
        'pare fix Dockerfile            # show the diff, change nothing',
        'pare fix Dockerfile --write    # apply it',
        'pare fix api/Dockerfile web/Dockerfile --write   # each file in place',
        'pare fix --check api/Dockerfile web/Dockerfile   # exit 1 and the diff when a fix is pending',
        'pare fix . --output Dockerfile.fixed',
        'cat Dockerfile | pare fix - --output - > Dockerfile.fixed',
      ]),
    )
    .action(async (paths: string[], _options, command: Command) => {
      const { runFix } = await import('./fix.js');
      setExit(await runFix(paths, merged(command)));
    });

  program
    .command('inspect')
    .description('Show where the bytes of a built image go: layers, waste, leftovers, paths')
    .argument(
      '<image>',
      'docker-archive:PATH, oci:DIR, oci-archive:PATH, docker-daemon:NAME or a registry reference',
    )
    .addOption(formatOption(['text', 'json', 'html']))
    .addOption(reportOption())
    // The old name of --report, kept working; it says so when used.
    .addOption(new Option('--output <file>').hideHelp())
    .option('--tree', 'Show the merged file tree with sizes')
    .option('--depth <n>', 'Tree depth (implies --tree; default: 3)')
    .option(
      '--top <n>',
      'Entries in the largest files, largest directories and inefficient paths lists (default: 10)',
    )
    .addOption(platformOption())
    .option('--no-verify', 'Skip digest checks (faster on local uncompressed archives)')
    .addOption(registryTimeoutOption())
    .option('--max-size <size>', 'Exit 1 when the image is larger (e.g. 500MB)')
    .option('--max-wasted <size>', "Exit 1 when dive's wasted bytes exceed this (e.g. 20MB)")
    .option('--min-efficiency <pct>', "Exit 1 when dive's efficiency is below this percentage (e.g. 95)")
    .option('--dockerfile <path>', 'Map layers to the lines of this Dockerfile (- reads stdin)')
    .addOption(configOption())
    .addHelpText(
      'after',
      examples([
        'pare inspect docker-archive:app.tar',
        'pare inspect oci:./layout --format json > inspect.json',
        'pare inspect docker-daemon:app:latest --format html --report report.html',
        'pare inspect docker-daemon:app:latest --max-size 300MB --min-efficiency 95',
      ]),
    )
    .action(async (image: string, _options, command: Command) => {
      const options = merged(command);
      // A verified read of a local image hashes its layers on a worker thread, which takes
      // ~150 ms to start once the walk competes for the CPU: it starts while inspect's modules load.
      if (
        options.verify !== false &&
        (await import('../image/reference.js')).localImagePaths(image).length > 0
      ) {
        (await import('../image/hash-pool.js')).startHashWorker();
      }
      const { runInspect } = await import('./inspect.js');
      setExit(await runInspect(image, options));
    });

  const optimize = program
    .command('optimize')
    .description('Lint, fix, build the original and the rewrite, probe both, print the before/after table')
    .argument('[dir]', 'The project directory: the build context (default: .)')
    .option('--file <dockerfile>', 'The Dockerfile (default: DIR/Dockerfile)')
    .addOption(
      outputOption('the optimized Dockerfile to FILE (default: Dockerfile.pare beside the original)'),
    )
    .option('--replace', 'Overwrite the original Dockerfile and .dockerignore instead');
  withOptions(optimize, probeOptions())
    .option('--probe-timeout <seconds>', 'How long to wait for an HTTP probe to answer (default: 30)')
    .option(
      '--no-multi-stage',
      'No multi-stage conversion candidates (with --no-closure: the safe rule fixes only)',
    )
    .option(
      '--no-closure',
      'No runtime-closure candidate (a final stage FROM scratch with only what the app reaches)',
    )
    .option('--keep-images', 'Keep the built images (pare-optimize/DIR:original|safe|optimized)')
    .option(
      '--check',
      'For CI: build the original and the Dockerfile optimize wrote, probe both, and for a runtime closure re-derive it and name every path its keep list lacks (exit 1); writes nothing',
    )
    .addOption(formatOption(['text', 'json', 'html']))
    .addOption(reportOption())
    .addOption(configOption())
    .addHelpText(
      'after',
      examples([
        'pare optimize examples/go-http --probe-http :8080/health',
        'pare optimize . --probe-cmd "--version" --format json > optimize.json',
        'pare optimize . --probe-http :3000/health --probe-env MONGO_URL=mongodb://localhost/test',
        'pare optimize . --report optimize.html',
      ]),
    )
    .action(async (dir: string | undefined, _options, command: Command) => {
      const { runOptimize } = await import('./optimize.js');
      setExit(await runOptimize(dir, merged(command)));
    });

  const slim = program
    .command('slim')
    .description('Write a smaller image from a built one (drop dead bytes and leftovers), then probe it')
    .argument(
      '<image>',
      'docker-archive:PATH, oci:DIR, oci-archive:PATH, docker-daemon:NAME or a registry reference',
    )
    .option('--tag <name>', 'Load the slim image into the engine under this name (then probe it)')
    .addOption(
      outputOption('the slim image: docker-archive:PATH[:name:tag], oci:DIR[:ref] or oci-archive:PATH[:ref]'),
    )
    .option('--layers <n>', 'Output layers (default: keep the base/app split)')
    .option('--keep <categories>', 'Leftover categories to keep (comma-separated, or all)')
    .option('--remove <categories>', 'Extra categories to remove: toolchain, compiled-sources (or all, none)')
    .option(
      '--minimal',
      'Keep only what the app reaches: ELF closure, interpreter imports, a traced run with the probe (needs the engine and strace)',
    )
    .option(
      '--include <path>',
      'With --minimal: also keep this path and everything below it (repeatable)',
      collect,
    )
    .option('--exclude <glob>', 'With --minimal: drop matching paths even when reached (repeatable)', collect)
    .option('--no-trace', 'With --minimal: static reachability only, no traced run')
    .addOption(formatOption(['text', 'json', 'html']))
    .addOption(
      reportOption(
        'Write removed (and with --minimal kept) paths with sizes and reasons to FILE: a page with the treemap of the input when FILE ends in .html, else JSON',
      ),
    )
    .addOption(
      new Option('--compression <kind>', 'Layer compression (zstd: OCI outputs only)')
        .choices(['gzip', 'zstd', 'none'])
        .default('gzip'),
    )
    .option('--gzip-level <n>', 'gzip level 1-9 (default: 6)')
    .option('--zstd-level <n>', 'zstd level 1-19 (default: 3; needs the zstd program)')
    .option(
      '--mtime <seconds>',
      'Clamp mtimes to this (default: SOURCE_DATE_EPOCH, else the image creation time)',
    )
    .addOption(platformOption())
    .addOption(registryTimeoutOption())
    .option('--verify', 'Load into the engine and probe even without --tag')
    .option('--keep-failed', 'Keep the output when the probe fails');
  withOptions(slim, probeOptions())
    .addHelpText(
      'after',
      examples([
        'pare slim docker-daemon:app:latest --tag app:slim --probe-http :8000/',
        'pare slim docker-archive:app.tar --output oci:./app-slim --report removed.json',
        'pare slim docker-daemon:api:latest --minimal --tag api:min --probe-http :8000/ --report slim.html',
      ]),
    )
    .action(async (image: string, _options, command: Command) => {
      const { runSlim } = await import('./slim.js');
      setExit(await runSlim(image, merged(command)));
    });

  program
    .command('rules')
    .description('List the lint rules, or show the documentation of one')
    .argument('[id]', 'A rule id')
    .addOption(formatOption(['text', 'json']))
    .action(async (id: string | undefined, _options, command: Command) => {
      const { runRules } = await import('./rules.js');
      setExit(await runRules(id, merged(command)));
    });

  program
    .command('completion')
    .description('Print a completion script for bash, zsh or fish')
    .addArgument(new Argument('<shell>', 'The shell').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      examples([
        'eval "$(pare completion bash)"          # in ~/.bashrc',
        'source <(pare completion zsh)           # in ~/.zshrc',
        'pare completion fish > ~/.config/fish/completions/pare.fish',
      ]),
    )
    .action(async (shell: string) => {
      const { completionScript } = await import('./completion.js');
      process.stdout.write(completionScript(shell, program));
      setExit(0);
    });

  return program;
}

function withOptions(command: Command, options: Option[]): Command {
  for (const option of options) command.addOption(option);
  return command;
}

function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  ${line}`).join('\n')}\n`;
}
