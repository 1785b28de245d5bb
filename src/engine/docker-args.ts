/**
 * Command lines for the docker CLI (podman accepts the same ones), as pure
 * functions so they are unit-tested without an engine. Every value is its own
 * argv element: nothing goes through a shell.
 */
import { PareError } from '../util/errors.js';
import type { ImageHistoryEntry, Mount, PortBinding, RunOptions } from './engine.js';
import { MANAGED_LABEL, OWNER_LABEL } from './engine.js';

export interface BuildArgsInput {
  context: string;
  dockerfile: string;
  tag?: string;
  buildArgs?: Record<string, string>;
  target?: string;
  labels?: Record<string, string>;
  noCache?: boolean;
  platform?: string;
  /** File the engine writes the image ID to (works with both builders). */
  iidFile: string;
  /** `--progress=plain` is a BuildKit flag; the classic builder and podman reject it. */
  plainProgress: boolean;
}

export function buildArgs(input: BuildArgsInput): string[] {
  const args = ['build'];
  // The classic builder keeps the container of a failed step unless told not to.
  args.push(input.plainProgress ? '--progress=plain' : '--force-rm');
  args.push('--file', input.dockerfile, '--iidfile', input.iidFile);
  if (input.tag !== undefined) args.push('--tag', input.tag);
  if (input.target !== undefined) args.push('--target', input.target);
  if (input.platform !== undefined) args.push('--platform', input.platform);
  if (input.noCache) args.push('--no-cache');
  for (const [name, value] of Object.entries(input.buildArgs ?? {}))
    args.push('--build-arg', `${name}=${value}`);
  for (const [name, value] of Object.entries(input.labels ?? {})) args.push('--label', `${name}=${value}`);
  // `--` so a context path starting with '-' is not read as a flag.
  args.push('--', input.context);
  return args;
}

export function portArg(port: PortBinding): string {
  checkPort(port.container, 'container port');
  if (port.host !== undefined) checkPort(port.host, 'host port');
  const hostIp = port.hostIp ?? '127.0.0.1';
  // IPv6 host addresses are bracketed in -p syntax.
  const ip = hostIp.includes(':') && !hostIp.startsWith('[') ? `[${hostIp}]` : hostIp;
  return `${ip}:${port.host ?? ''}:${port.container}/${port.protocol ?? 'tcp'}`;
}

function checkPort(port: number, what: string): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new PareError(`invalid ${what} ${port}: must be an integer from 0 to 65535`);
  }
}

/** `--mount` value; commas in paths would split the option, so they are refused. */
export function mountArg(mount: Mount): string {
  const parts = [`type=${mount.type}`];
  if (mount.type !== 'tmpfs') {
    if (!mount.source) throw new PareError(`a ${mount.type} mount needs a source (target ${mount.target})`);
    if (mount.source.includes(','))
      throw new PareError(`mount source may not contain a comma: ${mount.source}`);
    parts.push(`source=${mount.source}`);
  }
  if (mount.target.includes(','))
    throw new PareError(`mount target may not contain a comma: ${mount.target}`);
  parts.push(`target=${mount.target}`);
  if (mount.readOnly) parts.push('readonly');
  return parts.join(',');
}

export interface RunArgsInput extends RunOptions {
  name: string;
  /** Identifies the pare process in the owner label. */
  owner: string;
}

/** `docker run -d …`: pare always starts detached and waits itself, so stdout and stderr stay apart. */
export function runArgs(input: RunArgsInput): string[] {
  const args = ['run', '--detach', '--name', input.name, '--label', `${MANAGED_LABEL}=true`];
  args.push('--label', `${OWNER_LABEL}=${input.owner}`);
  for (const [name, value] of Object.entries(input.labels ?? {})) args.push('--label', `${name}=${value}`);
  if (input.user !== undefined) args.push('--user', input.user);
  if (input.readOnly) args.push('--read-only');
  if (input.workdir !== undefined) args.push('--workdir', input.workdir);
  if (input.network !== undefined) args.push('--network', input.network);
  for (const [name, value] of Object.entries(input.env ?? {})) {
    if (name === '' || name.includes('=')) throw new PareError(`invalid environment variable name "${name}"`);
    args.push('--env', `${name}=${value}`);
  }
  for (const port of input.ports ?? []) args.push('--publish', portArg(port));
  for (const mount of input.mounts ?? []) args.push('--mount', mountArg(mount));
  // --entrypoint takes one string: the rest of an exec-form entrypoint goes before CMD.
  let cmd = input.cmd ?? [];
  if (input.entrypoint !== undefined) {
    const [program, ...rest] = input.entrypoint;
    args.push('--entrypoint', program ?? '');
    cmd = [...rest, ...cmd];
  }
  args.push('--', input.image, ...cmd);
  return args;
}

export function execArgs(
  container: string,
  cmd: string[],
  options: { user?: string; env?: Record<string, string>; workdir?: string } = {},
): string[] {
  if (cmd.length === 0) throw new PareError('exec needs a command');
  const args = ['exec'];
  if (options.user !== undefined) args.push('--user', options.user);
  if (options.workdir !== undefined) args.push('--workdir', options.workdir);
  for (const [name, value] of Object.entries(options.env ?? {})) args.push('--env', `${name}=${value}`);
  args.push(container, ...cmd);
  return args;
}

/** `docker history` with machine-readable sizes (bytes) and one JSON object per line. */
export const HISTORY_ARGS = ['history', '--no-trunc', '--human=false', '--format', '{{json .}}'];

/** Parses the output of HISTORY_ARGS. */
export function parseHistory(output: string): ImageHistoryEntry[] {
  const entries: ImageHistoryEntry[] = [];
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as Record<string, unknown>;
    const id = String(row.ID ?? '');
    entries.push({
      id: id === '' || id === '<missing>' ? undefined : id,
      createdAt: String(row.CreatedAt ?? ''),
      createdBy: String(row.CreatedBy ?? ''),
      size: parseSize(row.Size),
      comment: String(row.Comment ?? ''),
    });
  }
  return entries;
}

function parseSize(value: unknown): number {
  if (typeof value === 'number') return value;
  const bytes = Number(value);
  if (!Number.isFinite(bytes))
    throw new PareError(`unexpected size "${String(value)}" in docker history output`);
  return bytes;
}

/** Parses `docker port` output (`127.0.0.1:49153`, `[::1]:49153`, `0.0.0.0:49153`), first line wins. */
export function parseHostPort(output: string): { host: string; port: number } | undefined {
  const line = output.split('\n').find((text) => text.trim() !== '');
  if (!line) return undefined;
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(line.trim());
  if (!match) return undefined;
  const host =
    match[1] === '0.0.0.0' || match[1] === '' ? '127.0.0.1' : match[1] === '::' ? '::1' : match[1]!;
  return { host, port: Number(match[2]) };
}
