/**
 * What an ecosystem converter is, and the one driver that runs it. A
 * converter answers three questions in order, each from what the one before
 * found, and the driver owns everything around them: the log, the builder
 * plan, and writing the Dockerfile.
 * 1. precheck: can this build be followed (which command builds, what the
 *    container starts, what is known of the paths)? Reads only.
 * 2. planBuilder: how the builder stage changes (flags on the build command,
 *    manifests copied first, a prune), through the BuilderPlan.
 * 3. chooseFinal: the final stage — the base it runs on and what it copies.
 * Detection is not a hook: knowledge/build-ecosystems says which ecosystem a
 * stage is, for the converters and the lint rule alike.
 */
import type { DockerfileModel, Stage } from '../../dockerfile/types.js';
import { BuilderPlan, builderStage } from './builder.js';
import { renderDockerfile, type StageSpec } from './emit.js';
import { ConversionLog } from './log.js';
import { eolOf, headerText } from './shared.js';
import type { ConversionOptions, ConversionOutcome, ConvertibleEcosystem } from './types.js';

/** What every hook is handed: the Dockerfile, its one stage, the caller's options and the conversion's log. */
export interface ConversionInput {
  model: DockerfileModel;
  stage: Stage;
  options: ConversionOptions;
  log: ConversionLog;
}

/** Why a hook stops the conversion, as one line. */
export interface Refused {
  error: string;
}

function isRefused(value: unknown): value is Refused {
  return typeof value === 'object' && value !== null && 'error' in value;
}

/** The final stage a converter chose. */
export interface FinalStage {
  stage: StageSpec;
  /** The base image as written in the final FROM (`scratch` included). */
  base: string;
  /** Paths copied from the builder into the final image. */
  artifact: string[];
  /**
   * False when nothing is built, so the final stage alone is written and
   * copies the app from the build context (a Python app whose only change is
   * its base). Default true.
   */
  withBuilder?: boolean;
}

/**
 * The three questions of one ecosystem. Method syntax on purpose: the
 * registry holds converters of different `Facts`/`Built` side by side, and
 * the driver passes each hook only what the same converter's previous hook
 * returned.
 */
export interface ConverterHooks<Facts, Built> {
  precheck(input: ConversionInput): Facts | Refused;
  planBuilder(input: ConversionInput, facts: Facts, plan: BuilderPlan): Built | Refused;
  chooseFinal(input: ConversionInput, facts: Facts, built: Built): FinalStage | Refused;
}

/** Runs a converter's hooks in order on a single-stage Dockerfile and writes the result. */
export function runConverter(
  ecosystem: ConvertibleEcosystem,
  hooks: ConverterHooks<unknown, unknown>,
  model: DockerfileModel,
  stage: Stage,
  options: ConversionOptions,
): ConversionOutcome {
  const log = new ConversionLog(ecosystem);
  const input: ConversionInput = { model, stage, options, log };
  const facts = hooks.precheck(input);
  if (isRefused(facts)) return log.refuse(facts.error);
  const plan = new BuilderPlan();
  const built = hooks.planBuilder(input, facts, plan);
  if (isRefused(built)) return log.refuse(built.error);
  const final = hooks.chooseFinal(input, facts, built);
  if (isRefused(final)) return log.refuse(final.error);
  const withBuilder = final.withBuilder ?? true;
  const text = renderDockerfile({
    header: headerText(model),
    eol: eolOf(model),
    stages: withBuilder ? [builderStage(model, stage, plan), final.stage] : [final.stage],
  });
  return {
    converted: true,
    result: {
      text,
      ecosystem,
      mode: 'convert',
      builderBase: stage.base.raw,
      finalBase: final.base,
      artifact: withBuilder ? final.artifact : [],
      notes: log.notes,
      warnings: log.warnings,
    },
  };
}
