/**
 * JSON output of `pare lint`, schema `pare.lint/v1` (schemas/lint-v1.json).
 * Positions are 1-based lines and columns, like editors show them.
 */
import type { LintResult } from '../rules/lint-files.js';
import type { Rule } from '../rules/types.js';
import { VERSION } from '../version.js';

const LINT_SCHEMA_VERSION = 'pare.lint/v1';

function lintJson(result: LintResult, rules: readonly Rule[]) {
  const docs = new Map(rules.map((rule) => [rule.meta.id, rule]));
  let fixable = 0;
  let saving = 0;
  const counts = { error: 0, warning: 0, info: 0 };
  const files = result.files.map((file) => ({
    path: file.path,
    ...(file.error ? { error: file.error } : {}),
    findings: file.findings.map((finding) => {
      counts[finding.severity]++;
      if (finding.fix) fixable++;
      saving += finding.saving?.bytes ?? 0;
      return {
        ruleId: finding.ruleId,
        severity: finding.severity,
        message: finding.message,
        line: finding.range.start.line + 1,
        column: finding.range.start.character + 1,
        endLine: finding.range.end.line + 1,
        endColumn: finding.range.end.character + 1,
        fixable: finding.fix !== undefined,
        ...(finding.saving
          ? { estimatedSaving: { bytes: finding.saving.bytes, basis: finding.saving.basis } }
          : {}),
        ...(finding.hint ? { hint: finding.hint } : {}),
        ...(docs.get(finding.ruleId) ? { docs: `docs/rules/${finding.ruleId}.md` } : {}),
      };
    }),
  }));
  return {
    schemaVersion: LINT_SCHEMA_VERSION,
    tool: { name: 'pare', version: VERSION },
    files,
    summary: {
      files: result.files.length,
      filesWithErrors: result.files.filter((file) => file.error).length,
      errors: counts.error,
      warnings: counts.warning,
      infos: counts.info,
      fixable,
      estimatedSavingBytes: saving,
    },
  };
}

export function renderLintJson(result: LintResult, rules: readonly Rule[]): string {
  return `${JSON.stringify(lintJson(result, rules), null, 2)}\n`;
}
