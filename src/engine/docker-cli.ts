/**
 * The Engine implementation that drives the docker CLI, so the user's own
 * engine setup applies to pare's builds and runs: DOCKER_HOST, contexts,
 * credentials, builders. Builds use BuildKit (`DOCKER_BUILDKIT=1`,
 * `--progress=plain`) when the client has it, and stream every output line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { describeSystemError, PareError } from '../util/errors.js';
import { type CleanupHandle, type CleanupRegistry, processCleanup } from './cleanup.js';
import { buildArgs, execArgs, HISTORY_ARGS, parseHistory, parseHostPort, runArgs } from './docker-args.js';
import { resolveDockerEndpoint } from './docker-endpoint.js';
import type {
  BuildOptions,
  BuildResult,
  ContainerExit,
  ContainerLogs,
  Engine,
  EngineInfo,
  EngineKind,
  ExecOptions,
  ExecResult,
  ImageHistoryEntry,
  ImageInspect,
  RunOptions,
  StartedContainer,
  WaitOptions,
} from './engine.js';
import { HOST_LABEL, MANAGED_LABEL, OWNER_LABEL } from './engine.js';
import {
  BUILD_ERROR_TAIL_LINES,
  BuildFailedError,
  ContainerStartError,
  EngineCommandError,
  EngineUnavailableError,
  lastMeaningfulLine,
  looksLikeEngineGone,
  NoSuchImageError,
  summariseBuildFailure,
} from './errors.js';
import { type ProcessOptions, type ProcessResult, runProcess } from './process.js';

export interface DockerCliOptions {
  /** The CLI to run, e.g. `/usr/bin/docker`. */
  binary: string;
  /** Build through BuildKit (the client has it built in, or has buildx). */
  buildkit: boolean;
  /** Environment for every command (default: this process's). */
  env?: NodeJS.ProcessEnv;
  cleanup?: CleanupRegistry;
  /** The engine's address for messages (default: resolved from env as the docker CLI does). */
  host?: string;
}

/** Build output lines kept in memory (the rest is only streamed to onProgress). */
const BUILD_LOG_LINES = 200;
const NO_SUCH_CONTAINER = /No such container/i;
// "reference does not exist" and "failed to get digest" are what `docker save` says for a missing name or ID.
const NO_SUCH_IMAGE =
  /No such image|image not known|image .* not found|reference does not exist|failed to get digest sha256:/i;

export class DockerCliEngine implements Engine {
  readonly kind: EngineKind = 'docker';
  readonly binary: string;
  readonly host: string;
  protected readonly buildkit: boolean;
  protected readonly env: NodeJS.ProcessEnv;
  protected readonly cleanup: CleanupRegistry;
  /** Registered containers by name and by ID; images by the reference they were registered with. */
  private readonly containers = new Map<string, CleanupHandle>();
  private readonly images = new Map<string, CleanupHandle>();

  constructor(options: DockerCliOptions) {
    this.binary = options.binary;
    this.buildkit = options.buildkit;
    this.env = options.env ?? process.env;
    this.host = options.host ?? resolveDockerEndpoint(this.env).url;
    this.cleanup = options.cleanup ?? processCleanup;
  }

  async info(): Promise<EngineInfo> {
    const [version, info] = await Promise.all([
      this.checked(['version', '--format', '{{.Client.Version}}']),
      this.checked(['info', '--format', '{{json .}}']),
    ]);
    const data = JSON.parse(info.stdout) as Record<string, unknown>;
    const errors = data.ServerErrors as string[] | undefined;
    if (errors && errors.length > 0) {
      throw new EngineUnavailableError(
        `cannot reach the container engine at ${this.host}: ${errors.join('; ')}`,
      );
    }
    return {
      kind: this.kind,
      binary: this.binary,
      host: this.host,
      clientVersion: version.stdout.trim(),
      serverVersion: String(data.ServerVersion ?? ''),
      os: String(data.OperatingSystem ?? ''),
      architecture: String(data.Architecture ?? ''),
      storageDriver: String(data.Driver ?? ''),
      cpus: Number(data.NCPU ?? 0),
      memoryBytes: Number(data.MemTotal ?? 0),
      buildkit: this.buildkit,
    };
  }

  async build(options: BuildOptions): Promise<BuildResult> {
    const context = resolve(options.context);
    const dockerfile = resolve(options.dockerfile ?? join(context, 'Dockerfile'));
    await requireEntry(context, 'directory', 'build context');
    await requireEntry(dockerfile, 'file', 'Dockerfile');
    const scratch = await mkdtemp(join(tmpdir(), 'pare-build-'));
    const iidFile = join(scratch, 'image-id');
    const lines: string[] = [];
    const onLine = (line: string): void => {
      lines.push(line);
      if (lines.length > BUILD_LOG_LINES) lines.shift();
      options.onProgress?.(line);
    };
    try {
      // Temporary images carry the same labels as pare's containers, so a later run can remove them
      // when this process could not (the engine died before pare exited).
      const labels = options.temporary ? { ...options.labels, ...ownerLabels() } : options.labels;
      const args = buildArgs({
        ...options,
        ...(labels ? { labels } : {}),
        context,
        dockerfile,
        iidFile,
        plainProgress: this.buildkit,
      });
      const processOptions: ProcessOptions = {
        env: this.buildEnv(),
        onStdoutLine: onLine,
        onStderrLine: onLine,
        maxBytes: 1024 * 1024,
      };
      if (options.signal) processOptions.signal = options.signal;
      const result = await this.spawn(args, processOptions);
      if (result.exitCode !== 0) {
        const output = lines.join('\n');
        // A daemon killed mid-build does not always make the CLI say so ("server did not provide
        // an image ID"): ask the engine before blaming the Dockerfile.
        const gone = looksLikeEngineGone(output) ? lastMeaningfulLine(output) : await this.unreachable();
        if (gone !== undefined) {
          // No subject: the Dockerfile being built may be pare's own candidate, and it is not at fault.
          throw new EngineUnavailableError(
            `the container engine at ${this.host} stopped responding during the build: ${gone}`,
          );
        }
        throw new BuildFailedError(
          dockerfile,
          summariseBuildFailure(lines),
          lines.slice(-BUILD_ERROR_TAIL_LINES),
        );
      }
      const imageId = (await readFile(iidFile, 'utf8')).trim();
      if (options.temporary) this.trackImage(options.tag ?? imageId);
      const built: BuildResult = { imageId, log: lines.slice(-BUILD_ERROR_TAIL_LINES) };
      if (options.tag !== undefined) built.tag = options.tag;
      return built;
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /** The classic builder when BuildKit is unavailable; podman ignores the variable. */
  protected buildEnv(): NodeJS.ProcessEnv {
    return { ...this.env, DOCKER_BUILDKIT: this.buildkit ? '1' : '0' };
  }

  run(options: RunOptions & { detach: true }): Promise<StartedContainer>;
  run(options: RunOptions & { detach?: false }): Promise<ContainerExit>;
  run(options: RunOptions): Promise<StartedContainer | ContainerExit>;
  async run(options: RunOptions): Promise<StartedContainer | ContainerExit> {
    const name = options.name ?? `pare-${randomBytes(6).toString('hex')}`;
    // Registered before it exists: Ctrl-C during `docker run` must still remove it.
    this.trackContainer(name);
    const started = await this.spawn(
      runArgs({
        ...options,
        labels: { ...options.labels, [HOST_LABEL]: hostname() },
        name,
        owner: String(process.pid),
      }),
      options.signal ? { signal: options.signal } : {},
    ).catch(async (error: unknown) => {
      await this.remove(name);
      throw error;
    });
    if (started.exitCode !== 0) {
      // A container that failed to start may still exist in the "created" state.
      await this.remove(name);
      this.throwIfEngineGone(started.stderr);
      const reason = lastMeaningfulLine(started.stderr)?.replace(
        /^(?:docker: |Error: )(Error response from daemon: )?/,
        '',
      );
      throw new ContainerStartError(
        options.image,
        reason ?? `exit code ${started.exitCode}`,
        started.exitCode ?? -1,
      );
    }
    const id = started.stdout.trim();
    const handle = this.containers.get(name);
    if (handle) this.containers.set(id, handle);
    if (options.detach) return { id, name };

    try {
      const waitOptions: WaitOptions = {};
      if (options.timeoutMs !== undefined) waitOptions.timeoutMs = options.timeoutMs;
      if (options.signal) waitOptions.signal = options.signal;
      const exitCode = await this.wait(id, waitOptions);
      const timedOut = exitCode === undefined;
      if (timedOut) await this.spawn(['kill', id]);
      const logs = await this.logs(id);
      return { id, name, exitCode, timedOut, ...logs };
    } finally {
      if (!options.keep) await this.remove(name);
    }
  }

  async logs(container: string): Promise<ContainerLogs> {
    const result = await this.checked(['logs', container]);
    return { stdout: result.stdout, stderr: result.stderr };
  }

  async wait(container: string, options: WaitOptions = {}): Promise<number | undefined> {
    const processOptions: ProcessOptions = {};
    if (options.timeoutMs !== undefined) processOptions.timeoutMs = options.timeoutMs;
    if (options.signal) processOptions.signal = options.signal;
    const result = await this.spawn(['wait', container], processOptions);
    if (result.timedOut) return undefined;
    this.failUnlessOk(['wait', container], result);
    const code = Number(result.stdout.trim().split('\n').pop());
    if (!Number.isInteger(code))
      throw new EngineCommandError(`${this.binary} wait`, result.stdout, result.exitCode);
    return code;
  }

  async stop(container: string, options: { timeoutSeconds?: number } = {}): Promise<void> {
    const args = ['stop', '--time', String(options.timeoutSeconds ?? 10), container];
    const result = await this.spawn(args);
    if (result.exitCode !== 0 && NO_SUCH_CONTAINER.test(result.stderr)) return;
    this.failUnlessOk(args, result);
  }

  async remove(container: string): Promise<void> {
    const handle = this.containers.get(container);
    const args = this.removeContainerArgs(container);
    const result = await this.spawn(args);
    if (result.exitCode !== 0 && !NO_SUCH_CONTAINER.test(result.stderr)) this.failUnlessOk(args, result);
    if (handle) {
      handle.release();
      for (const [key, value] of this.containers) if (value === handle) this.containers.delete(key);
    }
  }

  async removeImage(image: string, options: { force?: boolean } = {}): Promise<void> {
    const args = ['image', 'rm', ...(options.force ? ['--force'] : []), image];
    const result = await this.spawn(args);
    if (result.exitCode !== 0 && !NO_SUCH_IMAGE.test(result.stderr)) this.failUnlessOk(args, result);
    this.images.get(image)?.release();
    this.images.delete(image);
  }

  async imageExists(image: string): Promise<boolean> {
    const result = await this.spawn(['image', 'inspect', '--format', '{{.Id}}', image]);
    if (result.exitCode === 0) return true;
    if (NO_SUCH_IMAGE.test(result.stderr)) return false;
    this.failUnlessOk(['image', 'inspect', image], result);
    return false;
  }

  async pull(image: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.checked(['pull', image], options.signal ? { signal: options.signal } : {});
  }

  async removeStale(): Promise<string[]> {
    const removed: string[] = [];
    const filter = ['--filter', `label=${MANAGED_LABEL}`];
    const labelFormat = `{{index .Config.Labels "${OWNER_LABEL}"}} {{index .Config.Labels "${HOST_LABEL}"}}`;
    for (const kind of ['container', 'image'] as const) {
      const listed = await this.checked(
        kind === 'container' ? ['ps', '--all', '--quiet', ...filter] : ['images', '--quiet', ...filter],
      );
      const ids = [...new Set(listed.stdout.split('\n').filter(Boolean))];
      if (ids.length === 0) continue;
      const inspected = await this.spawn([kind, 'inspect', '--format', `{{.Id}} ${labelFormat}`, ...ids]);
      for (const line of inspected.stdout.split('\n')) {
        const [id, owner, host] = line.trim().split(' ');
        if (!id || !isStaleOwner(owner, host)) continue;
        const args = kind === 'container' ? this.removeContainerArgs(id) : ['image', 'rm', '--force', id];
        const result = await this.spawn(args);
        if (result.exitCode === 0) removed.push(`${kind} ${id.replace(/^sha256:/, '').slice(0, 12)}`);
      }
    }
    return removed;
  }

  async imageInspect(image: string): Promise<ImageInspect> {
    const result = await this.spawn(['image', 'inspect', '--format', '{{json .}}', image]);
    if (result.exitCode !== 0 && NO_SUCH_IMAGE.test(result.stderr))
      throw new NoSuchImageError(image, this.host);
    this.failUnlessOk(['image', 'inspect', image], result);
    return JSON.parse(result.stdout) as ImageInspect;
  }

  async history(image: string): Promise<ImageHistoryEntry[]> {
    const result = await this.spawn([...HISTORY_ARGS, image]);
    if (result.exitCode !== 0 && NO_SUCH_IMAGE.test(result.stderr))
      throw new NoSuchImageError(image, this.host);
    this.failUnlessOk([...HISTORY_ARGS, image], result);
    return parseHistory(result.stdout);
  }

  save(images: string | string[]): Readable {
    const names = Array.isArray(images) ? images : [images];
    const output = new PassThrough({ highWaterMark: 1024 * 1024 });
    const child = spawn(this.binary, this.saveArgs(names), {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (stderr.length < 64 * 1024) stderr += text;
    });
    child.stdout.pipe(output, { end: false });
    child.on('error', (error) => output.destroy(this.spawnError(error)));
    child.on('close', (code) => {
      if (code === 0) {
        output.end();
        return;
      }
      if (output.destroyed) return;
      const subject = names.join(' ');
      if (NO_SUCH_IMAGE.test(stderr)) output.destroy(new NoSuchImageError(subject, this.host));
      else if (looksLikeEngineGone(stderr)) output.destroy(this.engineGone(stderr));
      else output.destroy(new EngineCommandError(`${this.binary} save ${subject}`, stderr, code));
    });
    // A consumer that stops reading early must not leave `docker save` running.
    output.on('close', () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    });
    return output;
  }

  async load(archive: string | Readable, options: { signal?: AbortSignal } = {}): Promise<void> {
    const fromFile = typeof archive === 'string';
    const args = this.loadArgs(fromFile ? archive : undefined);
    const result = await this.spawn(args, {
      ...(fromFile ? {} : { stdin: archive }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (result.exitCode === 0) return;
    this.throwIfEngineGone(result.stderr);
    throw new PareError(
      `${this.binary} load failed: ${result.stderr.trim().split('\n').pop() || `exit ${result.exitCode}`}`,
      { subject: fromFile ? archive : 'stdin' },
    );
  }

  /** The load command line: `-i FILE`, or the archive on stdin. */
  protected loadArgs(file: string | undefined): string[] {
    return ['load', '-q', ...(file === undefined ? [] : ['-i', file])];
  }

  /** Force-removal of a container with its anonymous volumes (docker kills at once; podman needs telling). */
  protected removeContainerArgs(container: string): string[] {
    return ['rm', '--force', '--volumes', container];
  }

  /** The save command line (podman needs more flags for several images). */
  protected saveArgs(names: string[]): string[] {
    return ['save', ...names];
  }

  async exec(container: string, cmd: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const args = execArgs(container, cmd, options);
    const result = await this.spawn(args, options.signal ? { signal: options.signal } : {});
    // A non-zero exit is the command's own result, unless the engine says the container is gone or itself is.
    if (
      result.exitCode !== 0 &&
      (NO_SUCH_CONTAINER.test(result.stderr) || looksLikeEngineGone(result.stderr))
    ) {
      this.failUnlessOk(args, result);
    }
    return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  async port(
    container: string,
    containerPort: number,
    protocol: 'tcp' | 'udp' = 'tcp',
  ): Promise<{ host: string; port: number }> {
    const result = await this.checked(['port', container, `${containerPort}/${protocol}`]);
    const address = parseHostPort(result.stdout);
    if (!address) {
      throw new PareError(`container ${container} does not publish port ${containerPort}/${protocol}`);
    }
    return address;
  }

  /** Registers a container for removal at exit; `remove()` releases it. */
  protected trackContainer(name: string): void {
    const handle = this.cleanup.add(
      this.removal(`container ${name}`, this.removeContainerArgs(name), NO_SUCH_CONTAINER),
    );
    this.containers.set(name, handle);
  }

  protected trackImage(image: string): void {
    this.images.set(
      image,
      this.cleanup.add(this.removal(`image ${image}`, ['image', 'rm', '--force', image], NO_SUCH_IMAGE)),
    );
  }

  /**
   * A cleanup action that fails (so the registry warns) when the engine refuses; when the engine is
   * unreachable, the warning says the next run removes it (removeStale, by the owner labels).
   */
  private removal(description: string, args: string[], gone: RegExp) {
    const { binary, env, host } = this;
    const check = (exitCode: number | null, stderr: string, timedOut: boolean) => {
      if (exitCode === 0 || gone.test(stderr)) return;
      const reason = timedOut
        ? 'the engine did not answer'
        : (lastMeaningfulLine(stderr) ?? `exit code ${exitCode}`);
      throw new Error(
        timedOut || looksLikeEngineGone(stderr)
          ? `the container engine at ${host} is unreachable (${reason}); the next \`pare optimize\` with this engine removes it`
          : reason,
      );
    };
    return {
      description,
      run: async () => {
        const result = await runProcess(binary, args, { env, timeoutMs: 60_000 });
        check(result.exitCode, result.stderr, result.timedOut);
      },
      runSync: () => {
        const result = spawnSync(binary, args, { env, encoding: 'utf8', timeout: 30_000 });
        if (result.error && (result.error as NodeJS.ErrnoException).code !== 'ETIMEDOUT') throw result.error;
        check(result.status, result.stderr ?? '', result.error !== undefined);
      },
    };
  }

  /** Why the engine does not answer, or undefined when it does (or the question cannot be asked). */
  private async unreachable(): Promise<string | undefined> {
    const result = await this.spawn(['version', '--format', '{{.Server.Version}}'], {
      timeoutMs: 15_000,
    }).catch(() => undefined);
    if (!result) return undefined;
    if (result.timedOut) return 'no answer within 15 s';
    if (result.exitCode !== 0 && looksLikeEngineGone(result.stderr)) return lastMeaningfulLine(result.stderr);
    return undefined;
  }

  /** Runs the CLI; only failing to start the program rejects. */
  protected async spawn(args: string[], options: ProcessOptions = {}): Promise<ProcessResult> {
    try {
      return await runProcess(this.binary, args, { env: this.env, ...options });
    } catch (error) {
      throw this.spawnError(error);
    }
  }

  /** Runs the CLI and throws unless it exited 0. */
  protected async checked(args: string[], options: ProcessOptions = {}): Promise<ProcessResult> {
    const result = await this.spawn(args, options);
    this.failUnlessOk(args, result);
    return result;
  }

  protected failUnlessOk(args: string[], result: ProcessResult): void {
    if (result.exitCode === 0) return;
    this.throwIfEngineGone(result.stderr);
    throw new EngineCommandError(`${this.binary} ${args.join(' ')}`, result.stderr, result.exitCode);
  }

  private throwIfEngineGone(stderr: string): void {
    if (looksLikeEngineGone(stderr)) throw this.engineGone(stderr);
  }

  private engineGone(stderr: string): EngineUnavailableError {
    return new EngineUnavailableError(
      `cannot reach the container engine at ${this.host}: ${lastMeaningfulLine(stderr)}`,
    );
  }

  private spawnError(error: unknown): Error {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES') {
      return new EngineUnavailableError(`cannot run ${this.binary}: ${describeSystemError(error)}`, {
        cause: error,
      });
    }
    return error as Error;
  }
}

/** Labels naming this process, for containers and temporary images. */
function ownerLabels(): Record<string, string> {
  return { [MANAGED_LABEL]: 'true', [OWNER_LABEL]: String(process.pid), [HOST_LABEL]: hostname() };
}

/** Whether a labelled resource belongs to a pare process of this host that no longer runs. */
export function isStaleOwner(owner: string | undefined, host: string | undefined): boolean {
  const pid = Number(owner);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function requireEntry(path: string, kind: 'file' | 'directory', what: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    throw new PareError(`${what} not found: ${describeSystemError(error)}`, { subject: path, cause: error });
  }
  if (kind === 'directory' && !isDirectory)
    throw new PareError(`${what} is not a directory`, { subject: path });
  if (kind === 'file' && isDirectory)
    throw new PareError(`${what} is a directory, not a file`, { subject: path });
}
