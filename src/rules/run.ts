/**
 * Runs rules over a model: applies severity overrides and disabled rules from
 * config, `# pare-ignore` comments, leaves out the rules about the shipped
 * image's bytes when the target is a development image, and sorts findings
 * by position.
 */
import { isDevelopmentTarget } from '../dockerfile/stages.js';
import type { DockerfileModel, Instruction } from '../dockerfile/types.js';
import type { BaseImagePolicy, BuildContext, Finding, Rule, Severity } from './types.js';

export interface RuleSettings {
  /** Rule ids turned off. */
  disabled: ReadonlySet<string>;
  /** Per-rule severity overrides. */
  severities: ReadonlyMap<string, Severity>;
}

export interface LintOptions {
  rules: readonly Rule[];
  settings?: RuleSettings;
  buildContext?: BuildContext;
  policy?: BaseImagePolicy;
}

export async function lintModel(model: DockerfileModel, options: LintOptions): Promise<Finding[]> {
  const settings = options.settings ?? { disabled: new Set(), severities: new Map() };
  const development = isDevelopmentTarget(model);
  const active = options.rules.filter(
    (rule) =>
      !settings.disabled.has(rule.meta.id) &&
      !ignores(model.fileIgnoredRules, rule) &&
      !(development && rule.meta.judges === 'image'),
  );
  const contextFiles =
    options.buildContext && active.some((rule) => rule.needsContext)
      ? await options.buildContext.files()
      : undefined;
  const findings: Finding[] = [];
  for (const rule of active) {
    const results = rule.check({
      model,
      ...(options.buildContext ? { buildContext: options.buildContext } : {}),
      ...(contextFiles ? { contextFiles } : {}),
      policy: options.policy ?? { allowed: [] },
    });
    for (const result of results) {
      const instruction = instructionAt(model, result.range.start.offset);
      if (instruction && ignores(instruction.ignoredRules, rule)) continue;
      const { severity, ...rest } = result;
      findings.push({
        ruleId: rule.meta.id,
        ...rest,
        severity: settings.severities.get(rule.meta.id) ?? severity ?? rule.meta.severity,
      });
    }
  }
  return findings.sort(
    (a, b) =>
      a.range.start.offset - b.range.start.offset ||
      a.ruleId.localeCompare(b.ruleId) ||
      a.message.localeCompare(b.message),
  );
}

/** Whether ignore comments name the rule, `all`, or one of the rule's hadolint codes. */
function ignores(ignored: ReadonlySet<string>, rule: Rule): boolean {
  if (ignored.size === 0) return false;
  return (
    ignored.has(rule.meta.id) ||
    ignored.has('all') ||
    (rule.meta.hadolint?.some((code) => ignored.has(code)) ?? false)
  );
}

function instructionAt(model: DockerfileModel, offset: number): Instruction | undefined {
  let low = 0;
  let high = model.instructions.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const instruction = model.instructions[mid]!;
    if (offset < instruction.range.start.offset) high = mid - 1;
    else if (offset > instruction.range.end.offset) low = mid + 1;
    else return instruction;
  }
  return undefined;
}
