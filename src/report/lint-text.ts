/**
 * The human report: findings grouped by file, each with the source line and a
 * marker under the exact range, the estimated saving and the fix status.
 * Dockerfile text (source lines, commands quoted in messages) may hold control
 * characters: it is printed through `shown`.
 */
import pc from 'picocolors';

type Colors = ReturnType<typeof pc.createColors>;

import type { LintResult } from '../rules/lint-files.js';
import type { Finding, Severity } from '../rules/types.js';
import { formatBytes } from '../util/bytes.js';
import { terminalLine as shown } from '../util/terminal-text.js';

export interface TextOptions {
  color: boolean;
}

type Painter = (text: string) => string;

export function renderLintText(result: LintResult, options: TextOptions): string {
  const c = options.color ? pc : pc.createColors(false);
  const paint: Record<Severity, Painter> = { error: c.red, warning: c.yellow, info: c.cyan };
  const out: string[] = [];
  let totalSaving = 0;
  let fixable = 0;
  const counts = { error: 0, warning: 0, info: 0 };

  for (const file of result.files) {
    // Files that could not be linted are reported on stderr by the CLI, one line each.
    if (file.error) continue;
    if (file.findings.length === 0) continue;
    out.push(c.bold(c.underline(shown(file.path))));
    const lines = file.text?.split('\n') ?? [];
    for (const finding of file.findings) {
      counts[finding.severity]++;
      if (finding.fix) fixable++;
      totalSaving += finding.saving?.bytes ?? 0;
      out.push(...renderFinding(finding, lines, c, paint));
    }
    out.push('');
  }

  const errors = result.files.filter((file) => file.error).length;
  const total = counts.error + counts.warning + counts.info;
  if (total === 0 && errors === 0) {
    out.push(c.green(`✓ no size problems found in ${plural(result.files.length, 'file')}`));
    return `${out.join('\n')}\n`;
  }
  const parts = [
    `${plural(total, 'finding')} (${counts.error} error, ${counts.warning} warning, ${counts.info} info)`,
    `${fixable} fixable with "pare fix"`,
  ];
  if (totalSaving > 0)
    parts.push(`estimated savings add up to ${formatBytes(totalSaving)} (they can overlap)`);
  if (errors > 0) parts.push(c.red(`${plural(errors, 'file')} could not be linted`));
  out.push(parts.join(' · '));
  return `${out.join('\n')}\n`;
}

function renderFinding(
  finding: Finding,
  lines: string[],
  c: Colors,
  paint: Record<Severity, Painter>,
): string[] {
  const { start, end } = finding.range;
  const where = c.dim(`${start.line + 1}:${start.character + 1}`.padEnd(7));
  const severity = paint[finding.severity](finding.severity.padEnd(7));
  const tags: string[] = [c.dim(finding.ruleId)];
  if (finding.saving) tags.push(c.magenta(`~${formatBytes(finding.saving.bytes)} estimated`));
  if (finding.fix) tags.push(c.green('fixable'));
  const out = [`  ${where} ${severity} ${shown(finding.message)}  ${tags.join(' ')}`];
  const sourceLine = lines[start.line]?.replace(/\r$/, '');
  if (sourceLine !== undefined) {
    const gutter = `${start.line + 1}`.padStart(5);
    const stop = end.line === start.line ? end.character : sourceLine.length;
    // Measured on the printed text: an escaped control character takes several columns.
    const before = shown(sourceLine.slice(0, start.character)).length;
    const width = Math.max(1, shown(sourceLine.slice(start.character, stop)).length);
    out.push(
      c.dim(`  ${gutter} │ `) + shown(sourceLine),
      c.dim('        │ ') + ' '.repeat(before) + paint[finding.severity]('^'.repeat(width)),
    );
  }
  if (finding.hint) out.push(c.dim(`          hint: ${shown(finding.hint)}`));
  return out;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
