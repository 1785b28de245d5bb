/**
 * `pare lint … | head`: once the reader has gone, nothing pare still has to
 * print can reach anyone. Node ignores SIGPIPE and reports the failed write as
 * an 'error' event that nobody handles, which ends the process with a stack
 * trace. Instead the stream is dropped silently: later writes to it go nowhere
 * and the command ends with its usual exit code (a pipeline under `pipefail`
 * then fails only when the result says so, not because the reader stopped early).
 */
let installed = false;

export function endQuietlyOnClosedPipe(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // The stream is destroyed by now, so further writes are dropped without another error.
      if (error.code === 'EPIPE') return;
      // Any other failure of the standard streams is the machine's problem, not a reader leaving.
      throw error;
    });
  }
}
