/**
 * Multi-stage conversion (pare fix, pare optimize): a single-stage Dockerfile
 * that builds its app in the image it ships becomes a builder stage on the
 * original base plus a final stage with only the artifact on the smallest
 * base that can run it; a multi-stage Dockerfile whose final stage sits on
 * a toolchain or full image gets a smaller final base. One converter per
 * ecosystem, in registry.ts; this driver detects which applies, runs it and
 * holds its result to the team's base policy.
 */
import { posix } from 'node:path';
import type { DockerfileModel, Stage } from '../../dockerfile/types.js';
import { isRun } from '../../dockerfile/types.js';
import { detectBuildEcosystem } from '../../knowledge/build-ecosystems.js';
import { policyAllows } from './bases.js';
import { contextFromEntries } from './context.js';
import { replaceFinalBase } from './final-base.js';
import { converterFor } from './registry.js';
import { leadingWords, startCommands } from './shared.js';
import type {
  ConversionOptions,
  ConversionOutcome,
  ConversionResult,
  ConvertibleEcosystem,
} from './types.js';

export { loadConversionContext } from './context.js';
export type {
  ConversionContext,
  ConversionOptions,
  ConversionOutcome,
  ConversionResult,
  ConvertibleEcosystem,
} from './types.js';

/** The conversion, or undefined when it does not apply (see tryConvertToMultiStage for why). */
export function convertToMultiStage(
  model: DockerfileModel,
  options: ConversionOptions = {},
): ConversionResult | undefined {
  const outcome = tryConvertToMultiStage(model, options);
  return outcome.converted ? outcome.result : undefined;
}

/** The conversion, or the reason it does not apply. */
export function tryConvertToMultiStage(
  model: DockerfileModel,
  given: ConversionOptions = {},
): ConversionOutcome {
  const outcome = convert(model, given);
  const allowed = given.allowedBases ?? [];
  if (allowed.length === 0) return outcome;
  const policy = `the team's allowed bases (${allowed.join(', ')})`;
  // The choosers only pick allowed bases; this also covers a final stage that keeps the original's.
  if (outcome.converted && !policyAllows(allowed, outcome.result.finalBase)) {
    return {
      converted: false,
      ecosystem: outcome.result.ecosystem,
      reason: `its final base ${outcome.result.finalBase} is not among ${policy}`,
    };
  }
  if (!outcome.converted) {
    // Say when the policy is what stands in the way, and what it rules out.
    const unrestricted = convert(model, { ...given, allowedBases: [] });
    if (unrestricted.converted) {
      return {
        ...outcome,
        reason: `${outcome.reason}; ${policy} rule out ${unrestricted.result.finalBase}, which the conversion would use otherwise`,
      };
    }
  }
  return outcome;
}

function convert(model: DockerfileModel, given: ConversionOptions): ConversionOutcome {
  const options: ConversionOptions =
    given.context || !given.contextFiles
      ? given
      : { ...given, context: contextFromEntries(given.contextFiles, given.contextDirectory) };
  if (model.stages.length > 1) return replaceFinalBase(model, options);
  const stage = model.stages[0]!;
  if (stage.base.isScratch)
    return { converted: false, reason: 'the only stage is FROM scratch: nothing is built' };
  const detected = detectEcosystem(stage);
  if (!detected) {
    return {
      converted: false,
      reason:
        'no build pare recognises (go build, cargo build, gcc/make, mvn/gradle/javac, npm/yarn/pnpm, pip) runs in the image',
    };
  }
  return converterFor(detected).convert(model, stage, options);
}

/** Which ecosystem's conversion applies to a single stage: by its build commands and what it starts. */
export function detectEcosystem(stage: Stage): ConvertibleEcosystem | undefined {
  const commands = stage.instructions.filter(isRun).flatMap((run) => run.script.commands);
  return detectBuildEcosystem(commands, posix.basename(leadingWords(startCommands([stage]))?.[0] ?? ''));
}
