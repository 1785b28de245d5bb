/**
 * The `pare` entry point: parses arguments with cac and hands each command to
 * its own module, imported lazily so `pare lint` never loads the image code.
 * No logic lives here beyond wiring and turning errors into exit codes.
 */
import { cac } from 'cac';
import { processCleanup } from '../engine/cleanup.js';
import { EXIT_BAD_INPUT, isPareError } from '../util/errors.js';
import { logger } from '../util/logger.js';
import { VERSION } from '../version.js';
import { registerCommands, STDIN_ARG } from './commands.js';

export async function main(argv: string[]): Promise<number> {
  process.once('beforeExit', reportUnfinished);
  try {
    return await runCli(argv);
  } finally {
    process.off('beforeExit', reportUnfinished);
  }
}

/**
 * A promise nobody can settle any more (a stream that failed before anyone
 * listened) empties the event loop with main still pending: Node would end the
 * process with exit code 13 and not a word. Say it is pare's bug instead.
 */
function reportUnfinished(): void {
  logger.error('internal error: pare stopped with work unfinished; please report it');
  process.exitCode = EXIT_INTERNAL;
}

async function runCli(argv: string[]): Promise<number> {
  const cli = cac('pare');
  let exitCode = 0;
  const debug = argv.includes('--debug');
  logger.setDebug(debug);

  registerCommands(cli, (code) => {
    exitCode = code;
  });
  cli.option('--debug', 'Show stack traces and internal detail on errors');
  cli.help();
  cli.version(VERSION);

  try {
    // cac's parser drops a lone `-`; carry it through as a placeholder meaning stdin.
    cli.parse(['node', 'pare', ...argv.map((arg) => (arg === '-' ? STDIN_ARG : arg))], { run: false });
    if (!cli.matchedCommand) {
      if (cli.options.help || cli.options.version) return 0;
      if (cli.args.length > 0) {
        logger.error(`unknown command "${cli.args[0]}"; run "pare --help" for the list of commands`);
        return EXIT_BAD_INPUT;
      }
      cli.outputHelp();
      return 0;
    }
    await cli.runMatchedCommand();
    return exitCode;
  } catch (error) {
    return reportError(error, debug);
  }
}

/** How a shell reports a process ended by SIGINT; the cleanup re-raises the signal itself. */
const EXIT_INTERRUPTED = 130;
/** sysexits' EX_SOFTWARE: a bug in pare, never a user's mistake. */
const EXIT_INTERNAL = 70;

function reportError(error: unknown, debug: boolean): number {
  // Ctrl-C: the cleanup registry said so in one line; what failed because of it is no news.
  if (processCleanup.interrupted) {
    if (debug) logger.debugStack(error);
    return EXIT_INTERRUPTED;
  }
  if (isPareError(error)) {
    logger.error(error.line);
    if (debug && error.cause) logger.debugStack(error.cause);
    return error.exitCode;
  }
  // cac throws CACError for unknown options and missing arguments: user mistakes.
  if (error instanceof Error && error.name === 'CACError') {
    logger.error(`${error.message}; run "pare --help" for usage`);
    return EXIT_BAD_INPUT;
  }
  logger.error(`internal error: ${error instanceof Error ? error.message : String(error)}`);
  if (debug) logger.debugStack(error);
  else logger.error('run again with --debug for a stack trace, and please report it');
  return EXIT_INTERNAL;
}
