/**
 * The `pare` entry point: parses arguments with commander and hands each
 * command to its own module. No logic lives here beyond wiring and turning
 * errors into exit codes and one-line messages.
 */
import { type Command, CommanderError } from 'commander';
import { processCleanup } from '../engine/cleanup.js';
import { EXIT_BAD_INPUT, isPareError } from '../util/errors.js';
import { logger } from '../util/logger.js';
import { endQuietlyOnClosedPipe } from './closed-pipe.js';
import { buildProgram } from './commands.js';
import { describeUsageError } from './usage-error.js';

export async function main(argv: string[]): Promise<number> {
  endQuietlyOnClosedPipe();
  process.once('beforeExit', reportUnfinished);
  try {
    return await runCli(argv);
  } finally {
    process.off('beforeExit', reportUnfinished);
    // main() may run again in the same process (tests, a host program): start from the defaults.
    logger.setQuiet(false);
    logger.setVerbose(false);
    logger.setColor(true);
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
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  // The global flags are known before any command runs, so every message already obeys them.
  program.hook('preAction', (_program, command) => {
    const options = command.optsWithGlobals();
    logger.setDebug(options.debug === true);
    logger.setQuiet(options.quiet === true);
    logger.setVerbose(options.verbose === true);
    logger.setColor(options.color !== false);
  });
  const debug = argv.includes('--debug');
  logger.setDebug(debug);

  if (argv.length === 0) {
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync(helpForUnknownCommand(program, argv), { from: 'user' });
    return exitCode;
  } catch (error) {
    const commands = program.commands.map((command) => command.name());
    const named = argv.find((arg) => commands.includes(arg));
    return reportError(error, debug, named);
  }
}

/** How a shell reports a process ended by SIGINT; the cleanup re-raises the signal itself. */
/**
 * commander answers `pare help lnt` with the whole help on stderr; parse it
 * as `pare lnt` instead, so it is the one line with a suggestion any
 * unknown command gets.
 */
function helpForUnknownCommand(program: Command, argv: string[]): string[] {
  const [first, second] = argv;
  if (first !== 'help' || second === undefined || second.startsWith('-')) return argv;
  return program.commands.some((command) => command.name() === second) ? argv : [second];
}

const EXIT_INTERRUPTED = 130;
/** sysexits' EX_SOFTWARE: a bug in pare, never a user's mistake. */
const EXIT_INTERNAL = 70;

function reportError(error: unknown, debug: boolean, command: string | undefined): number {
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
  if (error instanceof CommanderError) return reportUsageError(error, command);
  logger.error(`internal error: ${error instanceof Error ? error.message : String(error)}`);
  if (debug) logger.debugStack(error);
  else logger.error('run again with --debug for a stack trace, and please report it');
  return EXIT_INTERNAL;
}

/** commander's own errors are the user's usage mistakes: one line, exit 2. Help and --version are not errors. */
function reportUsageError(error: CommanderError, command: string | undefined): number {
  if (error.exitCode === 0) return 0;
  logger.error(describeUsageError(error, command));
  return EXIT_BAD_INPUT;
}
