/**
 * The dynamic half of reachability: run the original image with the app as a
 * child of strace, exercise it with the probe, and read which paths it
 * opened, stat'd or exec'd.
 *
 * No privileges: a tracer may ptrace its own children, which Docker's default
 * seccomp profile allows, so the container needs no extra capability. The
 * image may be glibc, musl or scratch, so the tracer brings everything it
 * runs on: the host's strace, the shared libraries `ldd` names for it and the
 * host's dynamic loader, in a read-only bind mount, started through that
 * loader (`ld.so --library-path DIR strace …`) so nothing of the image's own
 * libc is used.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chmod, copyFile, mkdir, readFile } from 'node:fs/promises';
import { arch } from 'node:os';
import { basename, delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import type { Engine, Mount, RunOptions } from '../engine/engine.js';
import { observe, type ProbeObservation, type ProbeSpec } from '../engine/probe.js';
import type { ImageConfig } from '../image/types.js';
import { describeSystemError, PareError } from '../util/errors.js';

const run = promisify(execFile);

/** Where the bundle and the trace output appear inside the container. */
const TRACER_MOUNT = '/.pare-tracer';
const TRACE_OUT_MOUNT = '/.pare-trace';
const TRACE_FILE = 'trace';

export interface TracerBundle {
  dir: string;
  loader: string;
}

/** Node's arch names against image config `architecture` values. */
const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Copies the host's strace, its libraries and loader into `workDir/tracer`.
 * Fails with one line when strace is missing or cannot run the image's architecture.
 */
export async function prepareTracer(
  workDir: string,
  imageArchitecture: string | undefined,
): Promise<TracerBundle> {
  const hostArch = ARCH[arch()] ?? arch();
  if (imageArchitecture && imageArchitecture !== hostArch) {
    throw new PareError(
      `the tracer cannot start: the image is ${imageArchitecture}, this machine's strace is ${hostArch} ` +
        '(use --no-trace for static reachability only)',
    );
  }
  const strace = process.env.PARE_STRACE ?? findOnPath('strace');
  if (!strace) {
    throw new PareError(
      'the tracer cannot start: strace is not installed on this machine ' +
        '(apt-get install strace, or use --no-trace for static reachability only)',
    );
  }
  try {
    accessSync(strace, constants.X_OK);
  } catch (error) {
    throw new PareError(`the tracer cannot start: ${strace}: ${describeSystemError(error)}`);
  }
  let listing: string;
  try {
    listing = (await run('ldd', [strace])).stdout;
  } catch (error) {
    const text = `${(error as { stdout?: string }).stdout ?? ''}`;
    // A static strace needs no libraries: ldd says so and exits non-zero.
    if (!/not a dynamic executable|statically linked/.test(text)) {
      const why = `${(error as { stderr?: string }).stderr ?? ''}`.trim().split('\n').pop();
      throw new PareError(`the tracer cannot start: ldd ${strace} failed${why ? ` (${why})` : ''}`);
    }
    listing = '';
  }
  const dir = join(workDir, 'tracer');
  await mkdir(join(dir, 'lib'), { recursive: true });
  await copyFile(strace, join(dir, 'strace'));
  let loader = '';
  for (const line of listing.split('\n')) {
    const library = /=>\s+(\/\S+)\s+\(/.exec(line)?.[1];
    const interpreter = /^\s*(\/\S+)\s+\(/.exec(line)?.[1];
    if (library) await copyFile(library, join(dir, 'lib', basename(library)));
    if (interpreter) {
      await copyFile(interpreter, join(dir, 'ld.so'));
      loader = `${TRACER_MOUNT}/ld.so`;
    }
  }
  // The image's user may be anyone: the bundle must be readable and runnable by all.
  await chmod(dir, 0o755);
  return { dir, loader };
}

/** The traced command line: strace (through its own loader) running `argv`. */
export function tracedCommand(bundle: TracerBundle, argv: string[]): { entrypoint: string[]; cmd: string[] } {
  const strace = [
    `${TRACER_MOUNT}/strace`,
    '-f',
    '-qq',
    '-y',
    '-s',
    '4096',
    '-e',
    'trace=%file,%process',
    '-o',
    `${TRACE_OUT_MOUNT}/${TRACE_FILE}`,
    '--',
    ...argv,
  ];
  if (!bundle.loader) return { entrypoint: [strace[0]!], cmd: strace.slice(1) };
  return { entrypoint: [bundle.loader], cmd: ['--library-path', `${TRACER_MOUNT}/lib`, ...strace] };
}

/**
 * The bundle (read-only) and `outDir` for the trace, made writable for any
 * user since the app may not run as root.
 */
async function traceMounts(bundle: TracerBundle, outDir: string): Promise<Mount[]> {
  await mkdir(outDir, { recursive: true });
  await chmod(outDir, 0o1777);
  return [
    { type: 'bind', source: bundle.dir, target: TRACER_MOUNT, readOnly: true },
    { type: 'bind', source: outDir, target: TRACE_OUT_MOUNT },
  ];
}

/** The argv the engine runs for a probe: ENTRYPOINT plus the probe's arguments or CMD (Docker's rule). */
export function probeArgv(config: ImageConfig, spec: ProbeSpec): string[] {
  const entrypoint = config.config?.Entrypoint ?? [];
  const cmd = spec.kind === 'cmd' && spec.args.length > 0 ? spec.args : (config.config?.Cmd ?? []);
  return [...entrypoint, ...cmd];
}

export interface TracedRun {
  observation: ProbeObservation;
  trace: string;
}

/** Runs `image` under the tracer with the probe; `outDir` receives the trace. */
export async function tracedProbe(
  engine: Engine,
  image: string,
  config: ImageConfig,
  spec: ProbeSpec,
  bundle: TracerBundle,
  outDir: string,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<TracedRun> {
  const argv = probeArgv(config, spec);
  if (argv.length === 0) {
    throw new PareError('the image has neither ENTRYPOINT nor CMD: nothing to trace', { subject: image });
  }
  const overrides: Partial<RunOptions> = {
    ...tracedCommand(bundle, argv),
    mounts: await traceMounts(bundle, outDir),
  };
  const observation = await observe(engine, image, spec, {
    runOverrides: overrides,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  const trace = await readFile(join(outDir, TRACE_FILE), 'utf8').catch(() => '');
  if (trace === '') {
    throw new PareError(
      `the tracer did not start in the container (${observation.error ?? observation.summary})` +
        (observation.logTail ? `: ${observation.logTail.split('\n').pop()}` : ''),
      { subject: image },
    );
  }
  return { observation, trace };
}

/** Runs `argv` (not the image's command) under the tracer and waits for it: e.g. the Python import check. */
export async function tracedExec(
  engine: Engine,
  image: string,
  argv: string[],
  bundle: TracerBundle,
  outDir: string,
  options: { workdir?: string; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<{ exitCode: number | undefined; stdout: string; stderr: string; trace: string }> {
  const exit = await engine.run({
    image,
    ...tracedCommand(bundle, argv),
    mounts: await traceMounts(bundle, outDir),
    network: 'none',
    timeoutMs: options.timeoutMs ?? 180_000,
    ...(options.workdir ? { workdir: options.workdir } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const trace = await readFile(join(outDir, TRACE_FILE), 'utf8').catch(() => '');
  return { exitCode: exit.exitCode, stdout: exit.stdout, stderr: exit.stderr, trace };
}
