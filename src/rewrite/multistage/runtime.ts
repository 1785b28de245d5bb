/**
 * What the Java, Python and Node conversions share: the runtime system
 * packages that move into the final stage, picking a runtime base that can
 * install them, and writing the final stage (packages, users, metadata, the
 * copies from the builder, USER, exec-form command).
 */
import { posix } from 'node:path';
import type { DockerfileModel, Stage } from '../../dockerfile/types.js';
import { isCommand } from '../../dockerfile/types.js';
import { type BaseCandidate, choose } from './bases.js';
import { copyLine, type StageSpec } from './emit.js';
import { finalPlatform, healthcheckWarning } from './native.js';
import {
  carryMetadata,
  type InstalledPackages,
  installRun,
  isBuildOnlyPackage,
  managerFits,
  renderStart,
  type StartCommands,
  systemPackages,
  userSetupRuns,
} from './shared.js';

/** Programs the running container calls: HEALTHCHECK and CMD/ENTRYPOINT words. */
function usedBinaries(stages: readonly Stage[]): Set<string> {
  const used = new Set<string>();
  for (const stage of stages) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword === 'HEALTHCHECK' && 'args' in instruction) {
        for (const word of instruction.args as string[])
          used.add(posix.basename(word.replace(/^\[?"?|"?,?\]?$/g, '')));
      }
      if (isCommand(instruction)) {
        const words = instruction.execArgs ?? (instruction.shellText ?? '').split(/\s+/);
        for (const word of words) used.add(posix.basename(word));
      }
    }
  }
  return used;
}

/** Packages of the original that the running app may need: not compilers, headers or build tools. */
export function runtimePackages(
  stages: readonly Stage[],
  alsoExclude: (name: string) => boolean = () => false,
): InstalledPackages[] {
  const used = usedBinaries(stages);
  return systemPackages(stages)
    .map((item) => ({
      manager: item.manager,
      names: item.names.filter((name) => !isBuildOnlyPackage(name, used) && !alsoExclude(name)),
    }))
    .filter((item) => item.names.length > 0);
}

/**
 * The best runtime base that fits; when packages must be installed, one with
 * the same package manager and a shell is preferred (else a warning says
 * which packages are left out).
 */
export function chooseRuntime(
  pool: readonly BaseCandidate[],
  fits: (candidate: BaseCandidate) => boolean,
  packages: readonly InstalledPackages[],
): BaseCandidate | undefined {
  if (packages.length === 0) return choose(pool, fits);
  return (
    choose(
      pool,
      (c) => fits(c) && c.hasShell && packages.every((item) => managerFits(item.manager, c.packageManager)),
    ) ?? choose(pool, fits)
  );
}

export interface RuntimeFinalInput {
  model: DockerfileModel;
  stages: readonly Stage[];
  start: StartCommands;
  rewriteStart: (words: string[]) => string[];
  builder: string;
  /** Builder path → final path. */
  copies: ReadonlyArray<{ from: string; to: string; fromContext?: boolean }>;
  base: BaseCandidate;
  packages: readonly InstalledPackages[];
  /** Lines after the carried metadata, before the copies (ENV PATH for a venv). */
  env?: string[];
  dropEnv?: (key: string) => boolean;
}

export interface RuntimeFinal {
  stage: StageSpec;
  artifact: string[];
  notes: string[];
  warnings: string[];
}

export function runtimeFinalStage(input: RuntimeFinalInput): RuntimeFinal | { error: string } {
  const { model, base } = input;
  const notes: string[] = [];
  const warnings: string[] = [];
  const lines: string[] = [];
  const artifact: string[] = [];

  for (const item of input.packages) {
    const run =
      base.hasShell && managerFits(item.manager, base.packageManager)
        ? installRun(base.packageManager, item.names, model.escape)
        : undefined;
    if (run) {
      lines.push(run);
      notes.push(`runtime packages installed in the final stage: ${item.names.join(', ')}`);
    } else {
      warnings.push(
        `${base.image} cannot install ${item.names.join(', ')} (${item.manager} packages of the original): add them if the app needs them`,
      );
    }
  }
  const users = userSetupRuns(model, input.stages);
  if (users.length > 0) {
    if (base.hasShell) lines.push(...users);
    else warnings.push(`${base.image} has no shell: the original's useradd/adduser RUN cannot run there`);
  }
  const carried = carryMetadata(model, input.stages, input.dropEnv);
  lines.push(...carried.lines, ...(input.env ?? []));
  notes.push(...carried.notes);
  for (const copy of input.copies) {
    lines.push(
      copy.fromContext
        ? copyLine({ sources: [copy.from], destination: copy.to })
        : copyLine({ from: input.builder, sources: [copy.from], destination: copy.to }),
    );
    if (!copy.fromContext) artifact.push(copy.from);
  }
  if (carried.user) lines.push(carried.user.source);
  const start = renderStart(model, input.start, input.rewriteStart);
  if ('error' in start) return start;
  lines.push(...start.lines);
  notes.push(...start.notes);
  if (carried.healthcheck && !base.hasShell)
    warnings.push(healthcheckWarning(carried.healthcheck, base.image));
  return { stage: { from: base.image, ...finalPlatform(input.stages), lines }, artifact, notes, warnings };
}
