/**
 * Errors a user can cause (bad input, bad usage, missing engine) are PareErrors:
 * the CLI prints their one-line message and exits with their code, never a stack.
 * Anything else is a bug in pare and is shown with a stack under --debug.
 */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_BAD_INPUT = 2;

export class PareError extends Error {
  readonly exitCode: number;
  /** The file, image or argument the error is about, printed first. */
  readonly subject: string | undefined;

  constructor(message: string, options: { subject?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PareError';
    this.subject = options.subject;
    this.exitCode = options.exitCode ?? EXIT_BAD_INPUT;
  }

  /** The single line shown to the user. */
  get line(): string {
    return this.subject ? `${this.subject}: ${this.message}` : this.message;
  }
}

export function isPareError(error: unknown): error is PareError {
  return error instanceof PareError;
}

/** Turns Node's system errors (ENOENT, EACCES, …) into a sentence about the path. */
export function describeSystemError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a component of the path is not a directory';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EROFS':
      return 'read-only file system';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
