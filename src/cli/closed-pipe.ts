/**
 * `pare lint … | head`: once the reader has gone, nothing pare still has to
 * say can reach anyone. Node ignores SIGPIPE and reports the failed write as
 * an 'error' event that nobody handles, which ends the process with a stack
 * trace. Instead, end at once and silently, as a program killed by SIGPIPE
 * does (exit 141 = 128 + 13); the 'exit' hook of the cleanup registry still
 * removes whatever was started.
 */
export const EXIT_CLOSED_PIPE = 141;

let installed = false;

export function endQuietlyOnClosedPipe(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(EXIT_CLOSED_PIPE);
      // Any other failure of the standard streams is the machine's problem, not a reader leaving.
      throw error;
    });
  }
}
