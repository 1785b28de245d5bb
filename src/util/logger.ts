/**
 * The one logger: diagnostics and progress go to stderr so stdout stays
 * machine-readable (JSON, SARIF, diffs). Colours only on a TTY without NO_COLOR.
 */
import pc from 'picocolors';
import { terminalLine } from './terminal-text.js';

export function colorEnabled(stream: NodeJS.WriteStream, forceOff = false): boolean {
  if (forceOff) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

class Logger {
  private debugEnabled = false;

  setDebug(enabled: boolean): void {
    this.debugEnabled = enabled;
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
    process.stderr.write(`${terminalLine(message)}\n`);
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
