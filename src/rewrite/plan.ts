/**
 * Everything `pare fix` would change for one Dockerfile, computed without
 * writing anything: the fixed Dockerfile text and the .dockerignore proposal.
 * `pare fix` prints or writes it; `pare optimize` builds it.
 */
import { join } from 'node:path';
import type { DockerfileModel } from '../dockerfile/types.js';
import type { LintOptions } from '../rules/run.js';
import type { Finding } from '../rules/types.js';
import { proposeDockerignore } from './dockerignore.js';
import { fixDockerfile } from './fix.js';

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
  remaining: Finding[];
  model: DockerfileModel;
}

export interface PlanOptions extends LintOptions {
  dockerfilePath: string;
  /** Propose .dockerignore lines (needs a build context). Default true. */
  dockerignore?: boolean;
}

export async function planFixes(model: DockerfileModel, options: PlanOptions): Promise<FixPlan> {
  const fixed = await fixDockerfile(model, options);
  const plan: FixPlan = {
    dockerfile: { path: options.dockerfilePath, before: fixed.original, after: fixed.fixed },
    applied: fixed.applied,
    remaining: fixed.remaining,
    model: fixed.model,
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
