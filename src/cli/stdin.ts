/**
 * `-` in place of a Dockerfile path reads the Dockerfile from stdin, for every
 * command that reads one. The text is checked like a file's (size, UTF-8, not
 * binary) before anything else happens.
 */
import { readDockerfileFromStream } from '../dockerfile/source.js';

export const STDIN = '-';

/** The text of `--dockerfile -` and the like, checked as a Dockerfile. */
export async function readStdinDockerfile(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  return (await readDockerfileFromStream(stdin)).text;
}
