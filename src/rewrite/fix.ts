/**
 * Applies every fix the rules offer, re-parsing and re-linting between passes
 * until nothing fixable is left, so the result is idempotent: fixing it again
 * changes nothing.
 */
import { parseDockerfile } from '../dockerfile/parse.js';
import type { DockerfileModel } from '../dockerfile/types.js';
import { type LintOptions, lintModel } from '../rules/run.js';
import type { Finding } from '../rules/types.js';
import { applyEdits, nonOverlapping } from './apply-edits.js';

export interface FixResult {
  original: string;
  fixed: string;
  /** Findings whose fixes were applied, from every pass. */
  applied: Finding[];
  /** Findings of the Dockerfile as it was given, before any fix. */
  initial: Finding[];
  /** Findings left after fixing (no fix, or fix not applicable). */
  remaining: Finding[];
  model: DockerfileModel;
}

const MAX_PASSES = 8;

export async function fixDockerfile(model: DockerfileModel, options: LintOptions): Promise<FixResult> {
  const original = model.text;
  let current = model;
  const applied: Finding[] = [];
  let findings = await lintModel(current, options);
  const initial = findings;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const fixable = findings.filter((finding) => finding.fix && finding.fix.length > 0);
    if (fixable.length === 0) break;
    const edits = nonOverlapping(fixable.map((finding) => finding.fix!));
    const accepted = fixable.filter((finding) => finding.fix!.every((edit) => edits.includes(edit)));
    const text = applyEdits(current.text, edits);
    if (text === current.text) break;
    // A fix that produces an unparsable Dockerfile is a pare bug: the parse error surfaces as is.
    current = await parseDockerfile(text, model.path, { target: model.target });
    applied.push(...accepted);
    findings = await lintModel(current, options);
  }
  return { original, fixed: current.text, applied, initial, remaining: findings, model: current };
}
