/**
 * Fake docker/podman CLIs for unit tests: small shell scripts that answer the
 * commands pare runs the way the real ones do in a given situation (daemon
 * down, build failing, …) and log every invocation, so the engine code is
 * tested without an engine.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const created: string[] = [];
// Registered while the importing test file is collected, so it runs after that file.
afterAll(async () => {
  for (const dir of created.splice(0)) await rm(dir, { recursive: true, force: true });
});

export interface FakeCli {
  path: string;
  /** Argument lists of every invocation, in order. */
  calls(): Promise<string[][]>;
}

/**
 * `body` is a bash `case "$1"` body; each invocation's arguments are appended
 * to a log first (one line per call, arguments separated by a unit separator).
 */
export async function fakeCli(name: string, body: string): Promise<FakeCli> {
  const dir = await mkdtemp(join(tmpdir(), 'pare-fake-cli-'));
  created.push(dir);
  const path = join(dir, name);
  const log = join(dir, 'calls.log');
  await writeFile(
    path,
    `#!/bin/bash
(IFS=$'\\x1f'; printf '%s\\n' "$*") >> '${log}'
case "$1" in
${body}
  *) echo "fake ${name}: unexpected command: $*" >&2; exit 99 ;;
esac
`,
  );
  await chmod(path, 0o755);
  return {
    path,
    async calls() {
      const text = await readFile(log, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.split('\x1f'));
    },
  };
}

export const DAEMON_DOWN = `
  version) echo "20.10.24+dfsg1|"; echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1 ;;`;

export const DAEMON_UP_20 = `
  version) echo "20.10.24+dfsg1|20.10.24+dfsg1" ;;`;
