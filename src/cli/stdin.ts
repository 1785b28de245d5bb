/**
 * `-` in place of a Dockerfile path reads the Dockerfile from stdin, for every
 * command that reads one. The text is checked like a file's (size, UTF-8, not
 * binary) before anything else happens.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readDockerfileFromStream } from '../dockerfile/source.js';
import { temporaryDirectory } from '../engine/cleanup.js';
import { logger } from '../util/logger.js';

export const STDIN = '-';

export interface StdinDockerfile {
  /** A private copy on disk, for the engine, which builds from a file. */
  path: string;
  text: string;
  /** Removes the copy now; it is removed at exit in any case. */
  remove(): Promise<void>;
}

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

/** stdin written to a file of its own, outside the build context, for `docker build -f`. */
export async function stdinDockerfileOnDisk(
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<StdinDockerfile> {
  const text = await readStdinDockerfile(stdin);
  const { path: directory, handle } = await temporaryDirectory('pare-stdin-');
  const path = join(directory, 'Dockerfile');
  await writeFile(path, text);
  return { path, text, remove: () => handle.runNow() };
}
