/**
 * `-` in place of a Dockerfile path reads the Dockerfile from stdin, for every
 * command that reads one. The text is checked like a file's (size, UTF-8, not
 * binary) before anything else happens.
 */
import { readDockerfileFromStream } from '../dockerfile/source.js';
import { logger } from '../util/logger.js';

export const STDIN = '-';

/**
 * `-` on a terminal waits for the user to type a Dockerfile: say so, or the
 * command looks hung (a pipe or a file needs no word).
 */
export function hintWhenTerminal(stdin: NodeJS.ReadableStream = process.stdin): void {
  if ((stdin as { isTTY?: boolean }).isTTY)
    logger.info('pare: reading a Dockerfile from the terminal; end it with Ctrl-D (- means stdin)');
}

/** The text of `--dockerfile -` and the like, checked as a Dockerfile. */
export async function readStdinDockerfile(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  hintWhenTerminal(stdin);
  return (await readDockerfileFromStream(stdin)).text;
}
