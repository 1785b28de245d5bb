/**
 * Which stages make which image, computed once per model: a stage's chain of
 * `FROM <stage>` ancestors, the stages whose layers end up in the target
 * image (the shipped image), and whether that target is a development image
 * nobody ships. Rules read these instead of walking stages themselves.
 */
import {
  type CommandInstruction,
  type DockerfileModel,
  type ImageRef,
  type Instruction,
  isCommand,
  type Stage,
} from './types.js';

const chains = new WeakMap<Stage, Stage[]>();

/** A stage and the stages it is built FROM, root first. */
export function stageChain(model: DockerfileModel, stage: Stage): Stage[] {
  const cached = chains.get(stage);
  if (cached) return cached;
  const chain: Stage[] = [];
  let current: Stage | undefined = stage;
  while (current && !chain.includes(current)) {
    chain.unshift(current);
    current = current.baseStage === undefined ? undefined : model.stages[current.baseStage];
  }
  chains.set(stage, chain);
  return chain;
}

/** The image (not a stage) a stage's chain starts from: its base lineage. */
export function rootImage(model: DockerfileModel, stage: Stage): ImageRef {
  return stageChain(model, stage)[0]!.base;
}

/**
 * The stages whose layers end up in the image the build produces: the target
 * stage (`--target`, else the last stage, as BuildKit does) and the stages it
 * is built FROM, root first.
 */
export function shippedStages(model: DockerfileModel): Stage[] {
  return stageChain(model, model.finalStage);
}

const shippedIndexes = new WeakMap<DockerfileModel, ReadonlySet<number>>();

export function shippedStageIndexes(model: DockerfileModel): ReadonlySet<number> {
  let indexes = shippedIndexes.get(model);
  if (!indexes) {
    indexes = new Set(shippedStages(model).map((stage) => stage.index));
    shippedIndexes.set(model, indexes);
  }
  return indexes;
}

/** Whether an instruction's layer (or config) ends up in the shipped image. */
export function isShipped(model: DockerfileModel, instruction: Instruction): boolean {
  return shippedStageIndexes(model).has(instruction.stageIndex);
}

/** Whether the build of the target runs this stage at all (BuildKit skips the others). */
export function isBuilt(model: DockerfileModel, stage: Stage | number): boolean {
  return model.graph.reachable.has(typeof stage === 'number' ? stage : stage.index);
}

/**
 * Words in a stage name that mark an image for developing, testing or CI
 * checks, not for shipping: `dev`, `dev-envs`, `test`, `lint`, `validate-vendor`…
 */
const DEVELOPMENT_WORDS = new Set([
  'dev',
  'devel',
  'develop',
  'development',
  'devenv',
  'devenvs',
  'devcontainer',
  'debug',
  'test',
  'tests',
  'testing',
  'e2e',
  'ci',
  'lint',
  'linter',
  'validate',
  'validation',
  'toolbox',
]);

/** Whether a stage name says the stage is a development, test or CI image. */
export function isDevelopmentStageName(name: string | undefined): boolean {
  return name?.split(/[-_.]/).some((word) => DEVELOPMENT_WORDS.has(word)) ?? false;
}

/**
 * The target image is for development, not shipping: a devcontainer's
 * Dockerfile, or a target stage named for development, tests or CI checks.
 * Findings about the bytes of the shipped image do not apply to it.
 */
export function isDevelopmentTarget(model: DockerfileModel): boolean {
  return isDevelopmentStageName(model.finalStage.name) || /(?:^|[\\/])\.devcontainer[\\/]/.test(model.path);
}

/** The ENTRYPOINT and CMD in effect for the shipped image: the last of each in its stages. */
export interface StartInstructions {
  entrypoint?: CommandInstruction;
  cmd?: CommandInstruction;
}

const starts = new WeakMap<DockerfileModel, StartInstructions>();

export function startInstructions(model: DockerfileModel): StartInstructions {
  let result = starts.get(model);
  if (!result) {
    result = {};
    for (const stage of shippedStages(model)) {
      for (const instruction of stage.instructions) {
        if (!isCommand(instruction)) continue;
        if (instruction.keyword === 'ENTRYPOINT') result.entrypoint = instruction;
        else result.cmd = instruction;
      }
    }
    starts.set(model, result);
  }
  return result;
}
