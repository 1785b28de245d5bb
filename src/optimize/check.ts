/**
 * `pare optimize --check`, for CI: is the Dockerfile optimize wrote still
 * right for the app as it is now? Builds the original and the written
 * Dockerfile and probes both (they must behave the same); when the written
 * file is a runtime closure, builds its app stage again, re-derives the
 * closure and names every path the app now reaches that the keep list does
 * not hold (a new native library, a new program in the entrypoint). Nothing
 * is written.
 */
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { openBuildContext } from '../dockerfile/build-context.js';
import { parseDockerfile } from '../dockerfile/parse.js';
import { readDockerfile } from '../dockerfile/source.js';
import type { DockerfileModel } from '../dockerfile/types.js';
import type { Engine } from '../engine/engine.js';
import { BuildFailedError } from '../engine/errors.js';
import { observe, type ProbeObservation, type ProbeSpec, sameBehaviour } from '../engine/probe.js';
import { PICK_STAGE } from '../rewrite/closure/dockerfile.js';
import { indexOf, keepsPath, parseKeepList } from '../rewrite/closure/keep-list.js';
import { PareError } from '../util/errors.js';
import { deriveClosure, OPTIMIZE_LABEL } from './closure.js';
import { keepListPath, topLevelNames } from './closure-files.js';

export interface CheckOptions {
  directory: string;
  /** The original Dockerfile (default DIRECTORY/Dockerfile). */
  dockerfile?: string;
  /** The Dockerfile optimize wrote (default: Dockerfile.pare beside the original). */
  output?: string;
  probe: ProbeSpec;
  probeTimeoutMs?: number;
  engine: Engine;
  onStep?: (message: string) => void;
  onBuildLine?: (line: string) => void;
  signal?: AbortSignal;
}

export interface MissingPath {
  path: string;
  /** Why the app needs it now, e.g. `DT_NEEDED libpq.so.5 of /usr/lib/node_modules/pg-native/…`. */
  why: string;
}

export interface CheckResult {
  schemaVersion: 'pare.optimize-check/v1';
  dockerfile: string;
  output: string;
  original: ProbeObservation;
  optimized?: ProbeObservation;
  /** Why the written Dockerfile does not pass: it fails to build, or answers differently. */
  failure?: { step: 'build' | 'probe'; message: string; log?: string[] };
  /** The keep list checked, when the written Dockerfile is a runtime closure. */
  keepList?: string;
  /** Paths the app reaches now that the keep list does not hold. */
  missing: MissingPath[];
  /** Why the closure could not be re-derived (the check of the list did not run). */
  closureNotChecked?: string;
  ok: boolean;
}

export async function checkOptimized(options: CheckOptions): Promise<CheckResult> {
  const step = options.onStep ?? (() => {});
  const original = await readDockerfile(options.dockerfile ?? join(options.directory, 'Dockerfile'));
  const originalPath = original.filePath!;
  const output = options.output ?? `${originalPath}.pare`;
  const written = await readFile(output, 'utf8').catch(() => {
    throw new PareError('there is nothing to check: run pare optimize first to write it', {
      subject: output,
    });
  });
  const model = await parseDockerfile(written, output);
  const buildContext = await openBuildContext(options.directory, basename(originalPath));
  const workdir = await mkdtemp(join(tmpdir(), 'pare-check-'));
  const build = async (dockerfile: string, name: string, target?: string) => {
    step(`building ${name}`);
    const { imageId } = await options.engine.build({
      context: options.directory,
      dockerfile,
      temporary: true,
      labels: { [OPTIMIZE_LABEL]: `check-${target ?? 'image'}` },
      ...(target ? { target } : {}),
      ...(options.onBuildLine ? { onProgress: options.onBuildLine } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return imageId;
  };
  const probeOptions = {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.probeTimeoutMs !== undefined ? { timeoutMs: options.probeTimeoutMs } : {}),
  };
  try {
    let originalImage: string;
    try {
      originalImage = await build(originalPath, 'the original');
    } catch (error) {
      if (error instanceof BuildFailedError)
        throw new PareError(`the original fails to build: ${error.message}`, { subject: originalPath });
      throw error;
    }
    step('probing the original');
    const originalProbe = await observe(options.engine, originalImage, options.probe, probeOptions);
    if (!originalProbe.ok) {
      throw new PareError(
        `the original does not pass the probe, so there is nothing to compare with: ${originalProbe.error ?? originalProbe.summary}`,
        { subject: originalPath },
      );
    }
    const result: CheckResult = {
      schemaVersion: 'pare.optimize-check/v1',
      dockerfile: originalPath,
      output,
      original: originalProbe,
      missing: [],
      ok: false,
    };

    // The closure is checked first: a stale list is the likeliest reason the build below fails.
    const appStage = closureAppStage(model);
    const keepPath = keepListPath(options.directory, output);
    if (appStage && (await exists(keepPath))) {
      result.keepList = keepPath;
      const list = parseKeepList(await readFile(keepPath, 'utf8'), keepPath);
      let appImage: string | undefined;
      try {
        appImage = await build(output, `stage ${appStage.name} of ${basename(output)}`, appStage.name);
      } catch (error) {
        if (!(error instanceof BuildFailedError)) throw error;
        result.failure = { step: 'build', message: error.message, log: error.output.slice(-15) };
      }
      if (appImage) {
        const outcome = await deriveClosure({
          engine: options.engine,
          imageId: appImage,
          model,
          stage: appStage,
          contextTopLevel: await topLevelNames(buildContext),
          probe: options.probe,
          workdir,
          onStep: step,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        if ('reason' in outcome) result.closureNotChecked = outcome.reason;
        else {
          const { keep } = outcome.derived.selection;
          const listed = indexOf(list);
          for (const [id, why] of keep.entries()) {
            const path = keep.tree.pathOf(id);
            if (!keepsPath(list, path, listed))
              result.missing.push({ path, why: why.detail ? `${why.reason}: ${why.detail}` : why.reason });
          }
          result.missing.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
        }
      }
    }

    if (!result.failure) {
      let optimizedImage: string | undefined;
      try {
        optimizedImage = await build(output, basename(output));
      } catch (error) {
        if (!(error instanceof BuildFailedError)) throw error;
        result.failure = { step: 'build', message: error.message, log: error.output.slice(-15) };
      }
      if (optimizedImage) {
        step(`probing ${basename(output)}`);
        const healthy = originalProbe.health?.state === 'healthy';
        result.optimized = await observe(options.engine, optimizedImage, options.probe, {
          ...probeOptions,
          ...(healthy ? {} : { expectHealthy: false }),
        });
        const verdict = sameBehaviour(originalProbe, result.optimized);
        if (!verdict.same) {
          result.failure = {
            step: 'probe',
            message: `behaves differently: ${verdict.why}`,
            ...(result.optimized.logTail ? { log: result.optimized.logTail.split('\n') } : {}),
          };
        }
      }
    }
    result.ok = !result.failure && result.missing.length === 0;
    return result;
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }
}

/** The stage a closure Dockerfile picks from: the FROM of its pick stage, or the stage it bind-mounts. */
function closureAppStage(model: DockerfileModel) {
  const pick = model.stages.find((stage) => stage.name?.startsWith(PICK_STAGE));
  if (!pick) return undefined;
  const mounted = pick.instructions
    .flatMap((instruction) => ('mounts' in instruction ? instruction.mounts : []))
    .find((mount) => mount.type === 'bind' && mount.options.from)?.options.from;
  const name = mounted ?? (pick.baseStage !== undefined ? model.stages[pick.baseStage]?.name : undefined);
  return model.stages.find((stage) => stage.name === name);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
