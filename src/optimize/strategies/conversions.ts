/**
 * The multi-stage conversions as candidates: the registry's converter for the
 * app's ecosystem (rewrite/multistage), best first: a jlink'd runtime before
 * a JRE, static before dynamic linking, and for C and Rust that cannot link
 * statically, the exact shared libraries read from the built binary.
 * Planned before anything is built (the bases they name must be there).
 */

import { parseDockerfile } from '../../dockerfile/parse.js';
import type { DockerfileModel } from '../../dockerfile/types.js';
import { BuildFailedError } from '../../engine/errors.js';
import { convertToMultiStage, tryConvertToMultiStage } from '../../rewrite/multistage/index.js';
import type { ConversionOptions, ConversionResult } from '../../rewrite/multistage/types.js';
import { fixConversion } from '../../rewrite/plan.js';
import type { LintOptions } from '../../rules/run.js';
import { sharedLibrariesOf } from '../shared-libraries.js';
import type { CandidateSession, CandidateSpec, CandidateStream } from './strategy.js';

export interface ConversionPlan {
  /** Fixed rewrites, best first. */
  rewrites: Array<{ text: string; notes: string[] }>;
  /** Native code that may not link statically: the glibc-dynamic conversion, refined once built. */
  dynamic?: ConversionResult;
  /** Why no conversion applies, when none does. */
  notApplied?: string;
}

export interface ConversionInput {
  /** The Dockerfile with the rule fixes applied. */
  model: DockerfileModel;
  /** Its text: a rewrite equal to it is no candidate. */
  safeText: string;
  filePath: string;
  directory: string;
  contextFiles: ConversionOptions['contextFiles'];
  lintOptions: LintOptions;
  allowedBases: readonly string[];
  staticLinking?: boolean;
}

export async function planConversions(input: ConversionInput): Promise<ConversionPlan> {
  const plan: ConversionPlan = { rewrites: [] };
  const options = conversionOptions(input);
  for (const variant of [{ jlink: true }, {}]) {
    const outcome = tryConvertToMultiStage(input.model, { ...options, ...variant });
    if (!outcome.converted && !variant.jlink) plan.notApplied = outcome.reason;
    const converted = outcome.converted ? outcome.result : undefined;
    if (!converted || (variant.jlink && converted.ecosystem !== 'java')) continue;
    const { fix, notes } = await fixConversion(converted, input.filePath, input.lintOptions);
    if (fix.fixed === input.safeText || plan.rewrites.some((rewrite) => rewrite.text === fix.fixed)) continue;
    plan.rewrites.push({ text: fix.fixed, notes });
  }
  const dynamic = convertToMultiStage(input.model, { ...options, staticLinking: false });
  if (dynamic && (dynamic.ecosystem === 'c' || dynamic.ecosystem === 'rust')) {
    plan.dynamic = dynamic;
    delete plan.notApplied;
  }
  return plan;
}

/** The planned rewrites, then (static first unless the team said otherwise) the exact-libraries one. */
export async function* conversionCandidates(
  plan: ConversionPlan,
  input: ConversionInput,
  session: CandidateSession,
): CandidateStream {
  type Producer = () => Promise<{ text: string; notes: string[] } | undefined>;
  const producers: Array<[string, Producer]> = plan.rewrites.map((rewrite, index) => [
    index === 0 ? 'optimized' : `optimized-${index + 1}`,
    async () => rewrite,
  ]);
  const dynamic = plan.dynamic;
  if (dynamic) {
    const exact: [string, Producer] = ['optimized-dynamic', () => exactLibraries(dynamic, input, session)];
    if (input.staticLinking === false) producers.unshift(exact);
    else producers.push(exact);
  }
  for (const [name, produce] of producers) {
    const produced = await produce();
    if (!produced) continue;
    const spec: CandidateSpec = { name, ...produced };
    yield spec;
  }
}

/** Builds the dynamic conversion's builder stage, asks its loader what the binary needs, converts with exactly that. */
async function exactLibraries(
  dynamic: ConversionResult,
  input: ConversionInput,
  session: CandidateSession,
): Promise<{ text: string; notes: string[] } | undefined> {
  const builderName = (await parseDockerfile(dynamic.text, input.filePath)).stages[0]?.name;
  const binary = dynamic.artifact.find((path) => !path.startsWith('/etc/ssl/'));
  if (!builderName || !binary) return undefined;
  session.step("building the dynamic builder to read the binary's shared libraries");
  let imageId: string;
  try {
    imageId = await session.buildStage(dynamic.text, builderName);
  } catch (error) {
    if (error instanceof BuildFailedError) return undefined;
    throw error;
  }
  const libraries = await sharedLibrariesOf(session.engine, imageId, binary);
  if (!libraries || libraries.length === 0) return undefined;
  const exact = convertToMultiStage(input.model, {
    ...conversionOptions(input),
    staticLinking: false,
    sharedLibraries: libraries,
  });
  if (!exact) return undefined;
  const { fix, notes } = await fixConversion(exact, input.filePath, input.lintOptions);
  return { text: fix.fixed, notes };
}

/** What every conversion of this Dockerfile is told: its context, the team's bases and linking choice. */
function conversionOptions(input: ConversionInput): ConversionOptions {
  return {
    ...(input.contextFiles ? { contextFiles: input.contextFiles } : {}),
    contextDirectory: input.directory,
    allowedBases: input.allowedBases,
    ...(input.staticLinking !== undefined ? { staticLinking: input.staticLinking } : {}),
  };
}
