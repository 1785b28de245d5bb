/**
 * Engine errors are PareErrors with a subclass per situation, because callers
 * react differently: a user's build failing is the user's to fix (pare must
 * say so and not look broken), a container that will not start is a probe
 * result, an engine that is missing or died is the environment's problem.
 */
import { PareError } from '../util/errors.js';

/** Lines of build output kept for the error (the failing step and the engine's verdict). */
export const BUILD_ERROR_TAIL_LINES = 25;

/** The user's Dockerfile failed to build: their error, not pare's. */
export class BuildFailedError extends PareError {
  /** The last lines of build output, for printing under the one-line message. */
  readonly output: string[];
  readonly dockerfile: string;

  constructor(dockerfile: string, summary: string, output: string[]) {
    super(`the Dockerfile failed to build (an error in the build, not in pare): ${summary}`, {
      subject: dockerfile,
    });
    this.name = 'BuildFailedError';
    this.dockerfile = dockerfile;
    this.output = output;
  }
}

/** No engine answered, or it stopped answering mid-operation. */
export class EngineUnavailableError extends PareError {
  constructor(message: string, options: { subject?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'EngineUnavailableError';
  }
}

export class NoSuchImageError extends PareError {
  readonly image: string;
  constructor(image: string, host: string) {
    super(`no such image in the container engine at ${host}`, { subject: image });
    this.name = 'NoSuchImageError';
    this.image = image;
  }
}

/** `docker run` could not start the container (bad command, missing binary, no such image…). */
export class ContainerStartError extends PareError {
  readonly image: string;
  /** The engine CLI's exit code (125: engine error, 126: not executable, 127: not found). */
  readonly engineExitCode: number;
  constructor(image: string, reason: string, engineExitCode: number) {
    super(`the container failed to start: ${reason}`, { subject: image });
    this.name = 'ContainerStartError';
    this.image = image;
    this.engineExitCode = engineExitCode;
  }
}

/** Any other failure of an engine command, with the engine's own words. */
export class EngineCommandError extends PareError {
  readonly command: string;
  readonly stderr: string;
  constructor(command: string, stderr: string, exitCode: number | null) {
    const reason = lastMeaningfulLine(stderr) ?? `exit code ${exitCode ?? 'unknown'}`;
    super(`\`${command}\` failed: ${reason}`);
    this.name = 'EngineCommandError';
    this.command = command;
    this.stderr = stderr;
  }
}

// Phrases the docker and podman CLIs print when the daemon is missing or went away.
const ENGINE_GONE = [
  /Cannot connect to the Docker daemon/i,
  /error during connect/i,
  /Is the docker daemon running/i,
  /dial unix [^ ]+: connect: (no such file|connection refused|permission denied)/i,
  /connection reset by peer/i,
  /rpc error: code = Unavailable/i,
  /unable to connect to Podman/i,
];

export function looksLikeEngineGone(text: string): boolean {
  return ENGINE_GONE.some((pattern) => pattern.test(text));
}

export function lastMeaningfulLine(text: string): string | undefined {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    if (lines[index]) return lines[index];
  }
  return undefined;
}

// BuildKit prefixes step output with `#N 1.234 `; the verdict lines carry ERROR/error.
const BUILDKIT_STEP_PREFIX = /^#\d+\s+(?:\d+\.\d+\s+)?/;
const VERDICT =
  /^(?:ERROR:?\s*|error:\s*)?(failed to solve.*|executor failed running.*|failed to compute cache key.*|The command .* returned a non-zero code.*|.*did not complete successfully.*|failed to (?:read|parse) dockerfile.*|Dockerfile parse error.*|.*pull access denied.*)$/i;
// Wrapping BuildKit puts around the actual reason.
const VERDICT_NOISE =
  /^failed to solve(?: with frontend [\w.]+)?:\s*(?:(?:rpc error: code = \w+ desc = )?failed to (?:build LLB|create LLB definition|solve with frontend [\w.]+):\s*)*/i;

/**
 * The one line that says why a build failed: the engine's verdict (BuildKit's
 * `failed to solve…`/`executor failed running…`, the classic builder's `The
 * command … returned a non-zero code`), else the last line of output.
 */
export function summariseBuildFailure(lines: string[]): string {
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const line = stripAnsi(lines[index]!).trim().replace(BUILDKIT_STEP_PREFIX, '');
    const match = VERDICT.exec(line);
    if (match) return shorten(match[1]!.replace(VERDICT_NOISE, '') || match[1]!);
  }
  return shorten(
    lastMeaningfulLine(stripAnsi(lines.join('\n')))?.replace(/^(?:ERROR:?|[Ee]rror:)\s*/, '') ?? 'no output',
  );
}

// The classic builder colours the step's stderr.
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

function shorten(text: string, max = 400): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
