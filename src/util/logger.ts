/**
 * The one logger: diagnostics and progress go to stderr so stdout stays
 * machine-readable (JSON, SARIF, diffs). Colours only on a TTY without NO_COLOR.
 */
import pc from 'picocolors';
import { terminalLine } from './terminal-text.js';

/** `--no-color` for the whole run; NO_COLOR says the same from the environment. */
let colorForcedOff = false;

export function colorEnabled(stream: NodeJS.WriteStream, forceOff = false): boolean {
  if (forceOff || colorForcedOff) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

class Logger {
  private debugEnabled = false;
  private quiet = false;
  private verboseEnabled = false;

  setDebug(enabled: boolean): void {
    this.debugEnabled = enabled;
  }

  /** `--quiet`: progress and notes stay unprinted; warnings and errors still print. */
  setQuiet(enabled: boolean): void {
    this.quiet = enabled;
  }

  /** `--verbose`: also print what pare decided and why (which config, which engine). */
  setVerbose(enabled: boolean): void {
    this.verboseEnabled = enabled;
  }

  setColor(enabled: boolean): void {
    colorForcedOff = !enabled;
  }

  get isQuiet(): boolean {
    return this.quiet;
  }

  get isVerbose(): boolean {
    return this.verboseEnabled;
  }

  get isDebug(): boolean {
    return this.debugEnabled;
  }

  error(message: string): void {
    const prefix = colorEnabled(process.stderr) ? pc.red('pare: error:') : 'pare: error:';
    process.stderr.write(`${prefix} ${terminalLine(message)}\n`);
  }

  warn(message: string): void {
    const prefix = colorEnabled(process.stderr) ? pc.yellow('pare: warning:') : 'pare: warning:';
    process.stderr.write(`${prefix} ${terminalLine(message)}\n`);
  }

  info(message: string): void {
    if (!this.quiet) process.stderr.write(`${terminalLine(message)}\n`);
  }

  verbose(message: string): void {
    if (this.verboseEnabled && !this.quiet) process.stderr.write(`pare: ${terminalLine(message)}\n`);
  }

  debug(message: string): void {
    if (this.debugEnabled) process.stderr.write(`pare: debug: ${terminalLine(message)}\n`);
  }

  debugStack(error: unknown): void {
    if (!this.debugEnabled) return;
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`${text}\n`);
  }
}

export const logger = new Logger();
