/**
 * `pare optimize --check` as text: one line for the verdict, then one line per
 * path the keep list lacks, or the step that broke with its log. Probe output,
 * paths and logs come from the image: printed through `shown`.
 */
import pc from 'picocolors';
import type { CheckResult } from '../optimize/check.js';
import { terminalLine as shown } from '../util/terminal-text.js';

export function renderCheckText(result: CheckResult, options: { color: boolean }): string {
  const c = options.color ? pc : pc.createColors(false);
  const out: string[] = [];
  out.push(`probe original:  ${shown(result.original.summary)}`);
  if (result.optimized) out.push(`probe optimized: ${shown(result.optimized.summary)}`);
  if (result.missing.length > 0) {
    out.push(
      c.red(
        `${result.keepList} is stale: the app now reaches ${result.missing.length} path${result.missing.length === 1 ? '' : 's'} it does not hold:`,
      ),
    );
    for (const missing of result.missing) out.push(`  ${shown(missing.path)}  (${shown(missing.why)})`);
  }
  if (result.failure) {
    out.push(c.red(`${result.output}: ${result.failure.step} failed: ${shown(result.failure.message)}`));
    for (const line of result.failure.log ?? []) out.push(c.dim(`  │ ${shown(line)}`));
  }
  if (result.closureNotChecked)
    out.push(c.yellow(`the keep list was not re-derived: ${result.closureNotChecked}`));
  out.push(
    result.ok
      ? c.green(
          `✓ ${result.output} builds and behaves like the original${result.keepList ? '; its keep list holds everything the app reaches' : ''}`,
        )
      : c.yellow('run pare optimize again to rewrite it'),
  );
  return `${out.join('\n')}\n`;
}
