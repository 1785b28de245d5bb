/**
 * One registration per command; each action imports its module on demand.
 * Options are declared here so `pare COMMAND --help` documents them.
 */
import type { CAC } from 'cac';

type SetExit = (code: number) => void;

/** Stands for a lone `-` (stdin) on the command line; see main.ts. */
export const STDIN_ARG = '\u0000stdin';

const restoreStdin = (paths: string[]): string[] => paths.map((path) => (path === STDIN_ARG ? '-' : path));

export function registerCommands(cli: CAC, setExit: SetExit): void {
  cli
    .command('lint [...paths]', 'Find what makes the image of a Dockerfile bigger than it needs to be')
    .option('--format <format>', 'Output format: text, json or sarif', { default: 'text' })
    // No cac default: lint.failOn of the config applies when the flag is not given.
    .option(
      '--fail-on <severity>',
      'Exit 1 when a finding has at least this severity: error, warning (default), info, none',
    )
    .option('--context <dir>', "Build context directory (default: the Dockerfile's directory)")
    .option('--target <stage>', 'The stage that ships, as docker build --target (default: the last stage)')
    .option(
      '--config <file>',
      'Config file (default: .pare.json or "pare" in package.json, searched upwards)',
    )
    .option('--disable <rules>', 'Comma-separated rule ids to turn off')
    .option('--no-color', 'Never colour the output (also: NO_COLOR=1)')
    .example('pare lint Dockerfile')
    .example('pare lint services/api --format sarif > pare.sarif')
    .example('cat Dockerfile | pare lint -')
    .action(async (paths: string[], options) => {
      const { runLint } = await import('./lint.js');
      setExit(await runLint(restoreStdin(paths), options));
    });

  cli
    .command(
      'fix [path]',
      'Apply the fixes lint knows for a Dockerfile; prints a unified diff unless --write',
    )
    .option('--write', 'Change the Dockerfile in place (atomically)')
    .option('--output <file>', 'Write the fixed Dockerfile to another file instead')
    .option('--context <dir>', "Build context directory (default: the Dockerfile's directory)")
    .option(
      '--config <file>',
      'Config file (default: .pare.json or "pare" in package.json, searched upwards)',
    )
    .option('--target <stage>', 'The stage that ships, as docker build --target (default: the last stage)')
    .option('--disable <rules>', 'Comma-separated rule ids whose fixes to skip')
    .option('--no-dockerignore', 'Do not propose or write .dockerignore')
    .option(
      '--multi-stage',
      'Also convert to a multi-stage build (unverified here; pare optimize builds and probes it)',
    )
    .example('pare fix Dockerfile            # show the diff, change nothing')
    .example('pare fix Dockerfile --write    # apply it')
    .example('pare fix . --output Dockerfile.fixed')
    .action(async (path: string | undefined, options) => {
      const { runFix } = await import('./fix.js');
      setExit(await runFix(path, options));
    });

  cli
    .command('inspect <image>', 'Show where the bytes of a built image go: layers, waste, leftovers, paths')
    .option('--format <format>', 'Output format: text, json or html (a self-contained page)', {
      default: 'text',
    })
    .option('--output <file>', 'File for --format html (default: pare-report.html)')
    .option('--tree', 'Show the merged file tree with sizes')
    .option('--depth <n>', 'Tree depth (implies --tree; default 3)')
    .option('--top <n>', 'Entries in the largest files and directories lists', { default: 10 })
    .option('--platform <os/arch>', 'Image of a multi-platform index to read (default linux/amd64)')
    .option('--no-verify', 'Skip digest checks (faster on local uncompressed archives)')
    .option(
      '--timeout <seconds>',
      'Registry images: fail when reading takes longer (default 1800; 0: no limit). A registry silent for 30 s fails at once',
    )
    .option('--max-size <size>', 'Exit 1 when the image is larger (e.g. 500MB)')
    .option('--max-wasted <size>', "Exit 1 when dive's wasted bytes exceed this (e.g. 20MB)")
    .option('--min-efficiency <pct>', "Exit 1 when dive's efficiency is below this percentage (e.g. 95)")
    .option('--dockerfile <path>', 'Map layers to the lines of this Dockerfile')
    .option('--config <file>', 'Config file with inspect.budgets (default: .pare.json, searched upwards)')
    .option('--no-color', 'Never colour the output (also: NO_COLOR=1)')
    .example('pare inspect docker-archive:app.tar')
    .example('pare inspect oci:./layout --format json > inspect.json')
    .example('pare inspect docker-daemon:app:latest --max-size 300MB --min-efficiency 95')
    .action(async (image: string, options) => {
      const { runInspect } = await import('./inspect.js');
      setExit(await runInspect(image, options));
    });

  cli
    .command(
      'optimize [dir]',
      'Lint, fix, build the original and the rewrite, probe both, print the before/after table',
    )
    .option('--file <dockerfile>', 'The Dockerfile (default: DIR/Dockerfile)')
    .option('--output <file>', 'Where to write the optimized Dockerfile (default: Dockerfile.pare beside it)')
    .option('--replace', 'Overwrite the original Dockerfile and .dockerignore instead')
    .option(
      '--probe-cmd <args>',
      'Run the image with these arguments; exit code and stdout must match the original',
    )
    .option('--probe-http <:port/path>', 'GET this from the running container; status and body must match')
    .option('--probe-up <seconds>', 'The container must still run after this long (default probe: 5 s)')
    .option('--probe-timeout <seconds>', 'How long to wait for an HTTP probe to answer (default: 30)')
    .option(
      '--probe-env <KEY=VALUE>',
      "Environment of the probe's containers, for apps that need settings to start (repeatable)",
    )
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
    .option(
      '--format <format>',
      'text, json or html (a self-contained page; the table still goes to stdout)',
      {
        default: 'text',
      },
    )
    .option('--report <file>', 'With --format html: where to write the page (default: pare-optimize.html)')
    .option(
      '--config <file>',
      'Config file (default: .pare.json or "pare" in package.json, searched upwards)',
    )
    .option('--verbose', 'Stream build output to stderr')
    .example('pare optimize examples/go-http --probe-http :8080/health')
    .example('pare optimize . --probe-cmd "--version" --format json > optimize.json')
    .example('pare optimize . --probe-http :3000/health --probe-env MONGO_URL=mongodb://localhost/test')
    .action(async (dir: string | undefined, options) => {
      const { runOptimize } = await import('./optimize.js');
      setExit(await runOptimize(dir, options));
    });

  cli
    .command(
      'slim <image>',
      'Write a smaller image from a built one (drop dead bytes and leftovers), then probe it',
    )
    .option('--tag <name>', 'Load the slim image into the engine under this name (then probe it)')
    .option(
      '--output <transport:path>',
      'Write it: docker-archive:PATH[:name:tag], oci:DIR[:ref], oci-archive:PATH[:ref]',
    )
    .option('--layers <n>', 'Output layers (default: keep the base/app split)')
    .option('--keep <categories>', 'Leftover categories to keep (comma-separated, or all)')
    .option('--remove <categories>', 'Extra categories to remove: toolchain, compiled-sources (or all, none)')
    .option(
      '--minimal',
      'Keep only what the app reaches: ELF closure, interpreter imports, a traced run with the probe (needs the engine and strace)',
    )
    .option('--include <path>', 'With --minimal: also keep this path and everything below it (repeatable)')
    .option('--exclude <glob>', 'With --minimal: drop matching paths even when reached (repeatable)')
    .option('--no-trace', 'With --minimal: static reachability only, no traced run')
    .option(
      '--format <format>',
      'text (default), json or html: the report on stdout, the summary on stderr',
      {
        default: 'text',
      },
    )
    .option(
      '--report <file>',
      'Write removed (and with --minimal kept) paths with sizes and reasons: JSON, or when FILE ends in .html a page with the treemap of the input (removed bytes hatched) and the path tables',
    )
    .option('--compression <kind>', 'Layer compression: gzip, zstd (OCI outputs) or none', {
      default: 'gzip',
    })
    .option('--gzip-level <n>', 'gzip level 1-9 (default 6)')
    .option('--zstd-level <n>', 'zstd level 1-19 (default 3; needs the zstd program)')
    .option(
      '--mtime <seconds>',
      'Clamp mtimes to this (default SOURCE_DATE_EPOCH, else the image creation time)',
    )
    .option('--platform <os/arch>', 'Image of a multi-platform index to read (default linux/amd64)')
    .option(
      '--timeout <seconds>',
      'Registry images: fail when reading takes longer (default 1800; 0: no limit). A registry silent for 30 s fails at once',
    )
    .option('--verify', 'Load into the engine and probe even without --tag')
    .option('--keep-failed', 'Keep the output when the probe fails')
    .option('--probe-cmd <args>', 'Run both images with these arguments; exit code and stdout must match')
    .option('--probe-http <:port/path>', 'GET this from both running containers; status and body must match')
    .option('--probe-up <seconds>', 'Both must still run after this long (default probe: 5 s)')
    .option(
      '--probe-env <KEY=VALUE>',
      "Environment of the probe's containers, for apps that need settings to start (repeatable)",
    )
    .example('pare slim docker-daemon:app:latest --tag app:slim --probe-http :8000/')
    .example('pare slim docker-archive:app.tar --output oci:./app-slim --report removed.json')
    .example(
      'pare slim docker-daemon:api:latest --minimal --tag api:min --probe-http :8000/ --report slim.html',
    )
    .action(async (image: string, options) => {
      const { runSlim } = await import('./slim.js');
      setExit(await runSlim(image, options));
    });

  cli
    .command('rules [id]', 'List the lint rules, or show the documentation of one')
    .action(async (id?: string) => {
      const { runRules } = await import('./rules.js');
      setExit(await runRules(id));
    });
}
