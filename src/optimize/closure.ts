/**
 * The closure candidate: from any Dockerfile, whatever its ecosystem, shape
 * or base, a final stage made of what the app needs. The image of the
 * Dockerfile (rule fixes applied) is built; its final filesystem is read
 * from the engine; reachability (src/reach) computes what the app reaches
 * (its command lines, the scripts they run, the ELF closure, a traced run
 * under the probe), kept robust to the app's own changes (its directories,
 * dependency trees and the interpreter's standard library whole); the keep
 * list and a Dockerfile that picks it into an empty final stage are written.
 *
 * When the closure cannot be computed (a Windows image, another machine's
 * architecture, no shell and tar anywhere to pick with), the candidate is
 * not made and the reason is one line.
 */
import { createWriteStream } from 'node:fs';
import { posix, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { KIND_FILE } from '../analyze/file-tree.js';
import { type FinalTree, readFinalTree } from '../analyze/final-tree.js';
import type { DockerfileModel, Stage } from '../dockerfile/types.js';
import { type Engine, HOST_LABEL, MANAGED_LABEL, OWNER_LABEL } from '../engine/engine.js';
import { BuildFailedError } from '../engine/errors.js';
import type { ProbeSpec } from '../engine/probe.js';
import { openDockerArchive } from '../image/local/docker-archive.js';
import type { ContainerConfig, ImageConfig } from '../image/types.js';
import { type MinimalSelection, selectReachable } from '../reach/minimal.js';
import { resolvePath } from '../reach/resolve-path.js';
import { prepareTracer } from '../reach/tracer.js';
import type { WholeTree } from '../reach/whole-trees.js';
import { appRootsOf } from '../rewrite/closure/app-roots.js';
import { closureDockerfile, type PickHost } from '../rewrite/closure/dockerfile.js';
import { type KeepList, keepListOf, renderKeepList } from '../rewrite/closure/keep-list.js';
import { policyAllows } from '../rewrite/multistage/bases.js';
import { formatBytes } from '../util/bytes.js';
import { PareError } from '../util/errors.js';

/** The label optimize puts on every image it builds, naming the candidate. */
export const OPTIMIZE_LABEL = 'org.pare.optimize';

export interface ClosureInput {
  engine: Engine;
  /** The built image of `model` (the rule fixes applied), as the engine names it. */
  imageId: string;
  model: DockerfileModel;
  /** The build context. */
  context: string;
  /** Names in the context's top directory that the build sees (after .dockerignore). */
  contextTopLevel: readonly string[];
  /** Where the keep list will be written (absolute), inside the context. */
  keepPath: string;
  /** The name the Dockerfile's comments give the keep list (its basename). */
  keepFileName: string;
  probe: ProbeSpec;
  /** The team's allowed final bases (empty: any). */
  allowedBases: readonly string[];
  /** Scratch space for the exported image and the trace. */
  workdir: string;
  /** The closure, when it was derived already (it is not derived again). */
  derived?: DerivedClosure;
  /** Builds a named stage of `model`'s text (to find a stage to pick with). */
  buildStage: (stage: string) => Promise<string>;
  onStep?: (message: string) => void;
  signal?: AbortSignal;
}

export interface ClosureCandidate {
  text: string;
  keepList: KeepList;
  keepText: string;
  /** What was kept, one line each, for the report. */
  notes: string[];
  /** Bytes of file content the keep list holds in the image it was derived from (measured). */
  keptBytes: number;
  selection: MinimalSelection;
}

export type ClosureOutcome = { made: true; candidate: ClosureCandidate } | { made: false; reason: string };

/** What the app in an image reaches, kept robust to its own changes; the image is only read and run. */
export interface DerivedClosure {
  selection: MinimalSelection;
  keepList: KeepList;
  final: FinalTree;
  config: ImageConfig;
}

export interface DeriveInput {
  engine: Engine;
  imageId: string;
  /** The Dockerfile and the stage that built the image (for the app's directories). */
  model: DockerfileModel;
  stage?: Stage;
  contextTopLevel: readonly string[];
  probe: ProbeSpec;
  workdir: string;
  onStep?: (message: string) => void;
  signal?: AbortSignal;
}

/** The closure of the app in `imageId`, or why it cannot be computed (one line). */
export async function deriveClosure(
  input: DeriveInput,
): Promise<{ derived: DerivedClosure } | { reason: string }> {
  const step = input.onStep ?? (() => {});
  step("reading the app image's filesystem");
  const archive = posix.join(input.workdir, `closure-${input.imageId.replace(/\W/g, '').slice(-12)}.tar`);
  await pipeline(input.engine.save(input.imageId), createWriteStream(archive));
  const image = await openDockerArchive(archive, { reference: input.imageId });
  try {
    const config: ImageConfig = await image.config();
    if (config.os !== 'linux') return { reason: `the image is for ${config.os}, not linux` };
    const layers = await image.layers();
    const final = await readFinalTree(layers, input.signal ? { signal: input.signal } : {});
    const appRoots = appRootsOf({
      model: input.model,
      ...(input.stage ? { stage: input.stage } : {}),
      contextTopLevel: input.contextTopLevel,
      listImageDirectory: (path) => {
        const id = resolvePath(final.tree, path).id;
        return id === undefined
          ? undefined
          : final.tree.childrenOf(id).map((child) => final.tree.nameOf(child));
      },
    });
    let selection: MinimalSelection;
    try {
      const tracer = await prepareTracer(input.workdir, config.architecture);
      selection = await selectReachable(final, config, layers, {
        engine: input.engine,
        image: input.imageId,
        probe: input.probe,
        tracer,
        workDir: input.workdir,
        appRoots,
        onProgress: step,
        ...(input.signal ? { signal: input.signal } : {}),
      });
    } catch (error) {
      if (error instanceof PareError) return { reason: error.message };
      throw error;
    }
    if (selection.tracedObservation && !selection.tracedObservation.ok) {
      const seen = selection.tracedObservation;
      return { reason: `the app did not pass the probe under the tracer: ${seen.error ?? seen.summary}` };
    }
    const keepList = keepListOf(selection.keep, selection.wholeTrees ?? []);
    return { derived: { selection, keepList, final, config } };
  } finally {
    await image.close();
  }
}

export async function closureCandidate(input: ClosureInput): Promise<ClosureOutcome> {
  const step = input.onStep ?? (() => {});
  const base = finalBase(input.allowedBases);
  if (!base) {
    return {
      made: false,
      reason: `the team's allowed bases (${input.allowedBases.join(', ')}) do not include scratch`,
    };
  }
  const keepFile = relative(input.context, input.keepPath).split(sep).join('/');
  if (keepFile.startsWith('../') || posix.isAbsolute(keepFile)) {
    return { made: false, reason: `the keep list ${input.keepPath} would be outside the build context` };
  }
  const outcome = input.derived ? { derived: input.derived } : await deriveClosure(input);
  if ('reason' in outcome) return { made: false, reason: outcome.reason };
  const { selection, keepList, final, config } = outcome.derived;
  const pickHost = await findPickHost(input, final.tree, step);
  if (!pickHost) {
    return {
      made: false,
      reason: 'no stage of the Dockerfile has /bin/sh, GNU tar and sed to pick the closure with',
    };
  }
  const { kept, keptByReason } = selection.keep.report();
  const keptBytes = kept.reduce((sum, path) => sum + path.size, 0);
  const xattrs = [...selection.keep.entries()].some(([id]) => final.meta.get(id)?.xattrs !== undefined);
  const { text, appStage } = closureDockerfile({
    model: input.model,
    config: withoutBuildLabels(config.config ?? {}),
    keepFile,
    keepFileName: input.keepFileName,
    pickHost,
    base,
    xattrs,
  });
  const keepText = renderKeepList(keepList, { dockerfile: 'this Dockerfile', stage: appStage });
  const notes = [
    `final stage FROM ${base} with the app's runtime closure: ${formatBytes(keptBytes)} of files picked from stage ${appStage} (list: ${input.keepFileName})`,
    ...describeTrees(selection.wholeTrees ?? []),
    `kept one by one: ${keepList.paths.length} paths; everything kept, by reason: ${describeReasons(keptByReason)}`,
    ...selection.warnings.map((warning) => `warning: ${warning}`),
    ...selection.unresolvedLibraries.map((name) => `warning: library not found: ${name}`),
  ];
  return { made: true, candidate: { text, keepList, keepText, notes, keptBytes, selection } };
}

/** The labels pare's own builds put on the image are not the app's. */
function withoutBuildLabels(config: ContainerConfig): ContainerConfig {
  if (!config.Labels) return config;
  const labels = Object.fromEntries(
    Object.entries(config.Labels).filter(([key]) => !PARE_BUILD_LABELS.has(key)),
  );
  return { ...config, Labels: labels };
}

const PARE_BUILD_LABELS = new Set([MANAGED_LABEL, OWNER_LABEL, HOST_LABEL, OPTIMIZE_LABEL]);

/** scratch, unless the team's policy lists bases and not scratch. */
function finalBase(allowed: readonly string[]): string | undefined {
  return policyAllows(allowed, 'scratch') ? 'scratch' : undefined;
}

/** The shipped stage itself when it has what picking needs; else a named stage of the file that has. */
async function findPickHost(
  input: ClosureInput,
  tree: MinimalSelection['keep']['tree'],
  step: (message: string) => void,
): Promise<PickHost | undefined> {
  const has = (path: string) => {
    const id = resolvePath(tree, path).id;
    return id !== undefined && tree.kindOf(id) === KIND_FILE;
  };
  const tar = ['/usr/bin/tar', '/bin/tar'].find(has);
  const busybox = tar !== undefined && /busybox/.test(resolvePath(tree, tar).resolved ?? '');
  if (has('/bin/sh') && tar && !busybox && (has('/usr/bin/sed') || has('/bin/sed'))) return { kind: 'self' };
  const final = input.model.finalStage;
  const named = input.model.stages.filter((stage) => stage.name && stage.index !== final.index);
  // Stages the final stage copies from first: they are built anyway.
  named.sort((a, b) => Number(readsFrom(input.model, b.index)) - Number(readsFrom(input.model, a.index)));
  for (const stage of named) {
    step(`looking for GNU tar in stage ${stage.name} to pick the closure with`);
    let imageId: string;
    try {
      imageId = await input.buildStage(stage.name!);
    } catch (error) {
      if (error instanceof BuildFailedError) continue;
      throw error;
    }
    const exit = await input.engine.run({
      image: imageId,
      entrypoint: ['/bin/sh'],
      cmd: ['-c', 'tar --version | head -n 1; command -v sed'],
      user: '0:0',
      network: 'none',
      timeoutMs: 30_000,
      ...(input.signal ? { signal: input.signal } : {}),
    });
    if (exit.exitCode === 0 && /GNU tar/.test(exit.stdout) && /\/sed/.test(exit.stdout))
      return { kind: 'stage', stage: stage.name! };
  }
  return undefined;
}

function readsFrom(model: DockerfileModel, stage: number): boolean {
  return model.graph.dependencies.get(model.finalStage.index)?.has(stage) ?? false;
}

/** One line per reason a tree is kept whole; a reason shared by many trees names a few. */
function describeTrees(trees: readonly WholeTree[]): string[] {
  const byDetail = new Map<string, string[]>();
  for (const tree of trees) byDetail.set(tree.detail, [...(byDetail.get(tree.detail) ?? []), tree.path]);
  return [...byDetail].map(([detail, paths]) =>
    paths.length <= 3
      ? `kept whole: ${paths.join(', ')} (${detail})`
      : `kept whole: ${paths.length} trees (${detail}): ${paths.slice(0, 3).join(', ')}…`,
  );
}

function describeReasons(tally: Record<string, { files: number; bytes: number }>): string {
  return Object.entries(tally)
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .slice(0, 4)
    .map(([reason, { files, bytes }]) => `${reason}: ${files} (${formatBytes(bytes)})`)
    .join(', ');
}
