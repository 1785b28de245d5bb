/**
 * Everything `pare fix` would change for one Dockerfile, computed without
 * writing anything: the fixed Dockerfile text and the .dockerignore proposal.
 * `pare fix` prints or writes it; `pare optimize` builds it.
 */
import { join } from 'node:path';
import { parseDockerfile } from '../dockerfile/parse.js';
import type { DockerfileModel } from '../dockerfile/types.js';
import type { LintOptions } from '../rules/run.js';
import type { Finding } from '../rules/types.js';
import { proposeDockerignore } from './dockerignore.js';
import { type FixResult, fixDockerfile } from './fix.js';
import { tryConvertToMultiStage } from './multistage/index.js';
import type { ConversionResult } from './multistage/types.js';

const DOCKERIGNORE_RULES = new Set(['copy-without-dockerignore', 'dockerignore-gaps']);

export interface FileChange {
  path: string;
  /** undefined when the file does not exist yet. */
  before: string | undefined;
  after: string;
}

export interface FixPlan {
  dockerfile: FileChange;
  dockerignore?: FileChange & { added: string[]; bytesExcluded: number };
  applied: Finding[];
  /** Lint findings of the Dockerfile as given. */
  findings: Finding[];
  remaining: Finding[];
  model: DockerfileModel;
  /** What the multi-stage conversion did, when it was asked for and applied. */
  conversion?: string[];
  /** Why the multi-stage conversion does not apply, when it was asked for and does not (e.g. no runtime base in the catalogue). */
  conversionSkipped?: string;
}

export interface PlanOptions extends LintOptions {
  dockerfilePath: string;
  /** Also apply the multi-stage conversion (a rewrite; `pare optimize` verifies it by building). */
  multiStage?: boolean;
  /** Propose .dockerignore lines (needs a build context). Default true. */
  dockerignore?: boolean;
}

export async function planFixes(model: DockerfileModel, options: PlanOptions): Promise<FixPlan> {
  let fixed = await fixDockerfile(model, options);
  let conversion: string[] | undefined;
  let conversionSkipped: string | undefined;
  if (options.multiStage) {
    const outcome = tryConvertToMultiStage(fixed.model, {
      ...(options.policy ? { allowedBases: options.policy.allowed } : {}),
      ...(options.buildContext
        ? {
            contextFiles: await options.buildContext.files(),
            contextDirectory: options.buildContext.directory,
          }
        : {}),
    });
    if (!outcome.converted) conversionSkipped = outcome.reason;
    const converted = outcome.converted ? outcome.result : undefined;
    if (converted) {
      const again = await fixConversion(converted, model.path, options);
      fixed = {
        ...again.fix,
        original: fixed.original,
        initial: fixed.initial,
        applied: [...fixed.applied, ...again.fix.applied],
      };
      conversion = again.notes;
    }
  }
  const plan: FixPlan = {
    dockerfile: { path: options.dockerfilePath, before: fixed.original, after: fixed.fixed },
    applied: fixed.applied,
    findings: fixed.initial,
    remaining: fixed.remaining,
    model: fixed.model,
    ...(conversion ? { conversion } : {}),
    ...(conversionSkipped ? { conversionSkipped } : {}),
  };
  if (options.dockerignore !== false && options.buildContext) {
    const existing = options.buildContext.dockerignore;
    const proposal = proposeDockerignore(fixed.model, await options.buildContext.files(), existing);
    if (proposal) {
      plan.dockerignore = {
        path: join(options.buildContext.directory, '.dockerignore'),
        before: existing,
        after: proposal.text,
        added: proposal.added,
        bytesExcluded: proposal.bytesExcluded,
      };
      // Those findings are what the proposal fixes.
      plan.remaining = plan.remaining.filter((f) => !DOCKERIGNORE_RULES.has(f.ruleId));
    }
  }
  return plan;
}

/**
 * A conversion is a rewrite: the rule fixes run again over its text (e.g. apt
 * cleanups in the new final stage). Returns that fix and the conversion's notes,
 * warnings marked as such.
 */
export async function fixConversion(
  converted: ConversionResult,
  path: string,
  options: LintOptions,
): Promise<{ fix: FixResult; notes: string[] }> {
  const fix = await fixDockerfile(await parseDockerfile(converted.text, path), options);
  return { fix, notes: [...converted.notes, ...converted.warnings.map((warning) => `warning: ${warning}`)] };
}
